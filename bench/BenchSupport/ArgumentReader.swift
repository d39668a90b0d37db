/// A bad command line, said in words.
package struct UsageError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Walks a bench's arguments: flags, their values, and whole-number values.
package struct ArgumentReader {
    private var rest: ArraySlice<String>

    package init(_ arguments: [String]) {
        rest = arguments[...]
    }

    package mutating func next() -> String? {
        rest.popFirst()
    }

    /// The value following `flag`.
    package mutating func value(_ flag: String) throws -> String {
        guard let next = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
        return next
    }

    /// A whole number of at least `minimum` following `flag`.
    package mutating func count(_ flag: String, minimum: Int) throws -> Int {
        let text = try value(flag)
        guard let number = Int(text), number >= minimum else {
            // A value pasted by mistake can be any length: the message shows its start.
            let shown = text.count > 40 ? "\(text.prefix(40))… (\(text.count) characters)" : text
            throw UsageError("\(flag) takes a whole number ≥ \(minimum), not '\(shown)'")
        }
        return number
    }
}

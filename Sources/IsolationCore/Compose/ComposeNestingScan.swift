/// A pass over a compose file's text before the YAML composer sees it. The composer recurses
/// once per nesting level, so `[[[[…` two million deep, or `- - - - …` on one line, would
/// overflow the stack before any node could be counted; this scan finds such a file in linear
/// time and refuses it with the line.
///
/// It bounds the depth from above, never below: twice the indentation levels (a list may sit
/// at its parent key's column, so one level of indentation can open a mapping and a list),
/// plus the block indicators (`- `, `? `, `: `) on a line, plus open flow brackets (outside
/// quotes and comments). Real
/// files stay far below ``ComposeLimits/maxScannedDepth``; the exact depth is checked again,
/// per node, while the tree is converted.
enum ComposeNestingScan {
    static func check(_ text: String, file: String) throws {
        var indents: [Int] = []
        var flowDepth = 0
        var lineNumber = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = Array(line)
            let indent = bytes.prefix { $0 == UInt8(ascii: " ") }.count
            guard indent < bytes.count, bytes[indent] != UInt8(ascii: "#"), bytes[indent] != UInt8(ascii: "\r") else { continue }
            while let last = indents.last, last >= indent { indents.removeLast() }
            indents.append(indent)
            let (indicators, deepestFlow) = scan(bytes[indent...], flowDepth: &flowDepth)
            let estimate = 2 * indents.count + indicators + deepestFlow
            guard estimate <= ComposeLimits.maxScannedDepth else {
                throw ComposeError.at(
                    ComposeLocation(file: file, line: lineNumber), nil,
                    "nested too deeply (more than \(ComposeLimits.maxScannedDepth) levels of mappings and lists by this line)")
            }
        }
    }

    /// Counts block indicators and follows flow brackets on one line.
    private static func scan(_ bytes: ArraySlice<UInt8>, flowDepth: inout Int) -> (indicators: Int, deepestFlow: Int) {
        var indicators = 0
        var deepest = flowDepth
        var index = bytes.startIndex
        var previous = UInt8(ascii: " ")
        while index < bytes.endIndex {
            let byte = bytes[index]
            let next = index + 1 < bytes.endIndex ? bytes[index + 1] : UInt8(ascii: " ")
            let startsToken =
                previous == UInt8(ascii: " ") || previous == UInt8(ascii: "[") || previous == UInt8(ascii: "{")
                || previous == UInt8(ascii: ",")
            switch byte {
            case UInt8(ascii: "#") where previous == UInt8(ascii: " "):
                return (indicators, deepest)
            case UInt8(ascii: "'"),
                UInt8(ascii: "\"") where startsToken:
                index = closingQuote(bytes, from: index)
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flowDepth += 1
                deepest = max(deepest, flowDepth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                flowDepth = max(0, flowDepth - 1)
            case UInt8(ascii: "-"), UInt8(ascii: "?"),
                UInt8(ascii: ":") where next == UInt8(ascii: " ") || next == UInt8(ascii: "\t"):
                indicators += 1
            default:
                break
            }
            previous = index < bytes.endIndex ? bytes[index] : previous
            index += 1
        }
        return (indicators, deepest)
    }

    /// The index of the quote closing the one at `start`, or the line's last byte when the
    /// string goes on to the next line (its text there is then scanned as if plain: an over-estimate).
    private static func closingQuote(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int {
        let quote = bytes[start]
        var index = start + 1
        while index < bytes.endIndex {
            if quote == UInt8(ascii: "\""), bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == quote {
                // In single quotes, '' is an escaped quote.
                if quote == UInt8(ascii: "'"), index + 1 < bytes.endIndex, bytes[index + 1] == quote {
                    index += 2
                    continue
                }
                return index
            }
            index += 1
        }
        return bytes.endIndex - 1
    }
}

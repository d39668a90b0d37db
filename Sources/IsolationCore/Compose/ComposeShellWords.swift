/// A `command:` or `entrypoint:` string split into arguments as a POSIX shell would split
/// it, without running one (what Compose does): blanks separate words, single quotes keep
/// text literally, double quotes keep it but for `\"`, `\\`, `\$` and `` \` ``, and a
/// backslash outside quotes escapes the next character. No variables, globs or comments.
enum ComposeShellWords {
    struct Unclosed: Error {
        var quote: Character
    }

    static func split(_ text: String) throws(Unclosed) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                if quote == "\"" && !"\"\\$`\n".contains(character) { word.append("\\") }
                if character != "\n" || quote != nil { word.append(character) }
                escaped = false
                continue
            }
            switch (quote, character) {
            case (nil, "\\"), ("\"", "\\"):
                escaped = true
                inWord = true
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case (nil, _) where character.isWhitespace:
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(character)
                inWord = true
            }
        }
        if let quote { throw Unclosed(quote: quote) }
        if escaped { word.append("\\") }
        if inWord { words.append(word) }
        return words
    }
}

extension ComposeNode {
    /// A list of arguments, or a string split as a shell would.
    func arguments(_ path: String) throws -> [String] {
        guard case .scalar(let text, _) = value else { return try strings(path) }
        do {
            return try ComposeShellWords.split(text)
        } catch {
            throw ComposeError.at(self, path, "its \(error.quote) quote is never closed")
        }
    }
}

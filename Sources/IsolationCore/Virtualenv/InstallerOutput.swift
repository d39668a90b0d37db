import Foundation

/// What an installer's output says it did.
enum InstallerOutput {
    /// How many packages were installed: uv says "Installed 3 packages in 12ms", pip
    /// "Successfully installed a-1.0 b-2.0"; `nil` when the output says neither (nothing to do,
    /// another installer).
    static func installedCount(_ result: CommandResult) -> Int? {
        let text = result.stderrText + "\n" + result.stdoutText
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ")
            if words.count >= 3, words[0] == "Installed", let count = Int(words[1]), words[2].hasPrefix("package") {
                return count
            }
            if line.hasPrefix("Successfully installed ") {
                return words.count - 2
            }
        }
        return nil
    }

    /// The step before an install: how many requirements it was asked for.
    static func announcement(_ request: PackageRequest) -> String {
        let asked = request.requirements.count + request.requirementFiles.count
        let files = request.requirementFiles.isEmpty ? "" : " (\(request.requirementFiles.count) from files)"
        return "installing \(asked) requirement\(asked == 1 ? "" : "s")\(files)"
    }

    /// The step after it: how many packages the installer says it installed, and how long it took.
    static func summary(_ result: CommandResult, took: Duration) -> String {
        let count = installedCount(result).map { "\($0) package\($0 == 1 ? "" : "s")" } ?? "the packages"
        return "installed \(count) in \(ProgressFormat.duration(took))"
    }
}

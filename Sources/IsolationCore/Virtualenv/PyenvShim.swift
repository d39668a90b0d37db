import Foundation

/// What a pyenv shim would run, read from the files pyenv reads instead of running it.
///
/// A shim (`~/.pyenv/shims/python3`) is a shell script that picks the version through a dozen
/// more (`pyenv exec`, `version-name`, `version-file`, `which`, hooks): about 50 ms of CPU and
/// 60 ms of wall time, paid by every test process whose first venv names no `python`, ten
/// times what the interpreter takes to describe itself. The target is taken only where pyenv's
/// own rules give exactly one answer: the first version named (by `PYENV_VERSION`, else the
/// nearest `.python-version` from the working directory up, else pyenv's global `version`
/// file) is a directory under `versions/` with the program in its `bin`. Everything else
/// (`system`, a prefix such as `3.12` that pyenv resolves to its newest match, a version not
/// installed, a name pyenv refuses as unsafe) is left to the shim itself (decision 0021).
struct PyenvShim {
    /// The `PYENV_ROOT` the shim exports (it names its own, whatever the caller's environment says).
    let root: String
    /// The command the shim stands for (its file name, as `pyenv exec` takes it).
    let program: String

    /// The shim at `path`, or nil when that file is not a pyenv shim.
    init?(path: String) {
        // A shim is a few hundred bytes; a Python binary read this far is not one.
        guard let head = RegularFile.head(path, upTo: 4096), head.count < 4096, let text = String(data: head, encoding: .utf8),
            text.hasPrefix("#!"), let root = Self.exportedRoot(in: text), text.contains("exec \"\(root)/libexec/pyenv\" exec \"$program\"")
        else { return nil }
        self.root = root
        self.program = URL(fileURLWithPath: path).lastPathComponent
    }

    /// The interpreter `pyenv exec` would run for this shim, or nil when only running the shim can tell.
    ///
    /// - Parameters:
    ///   - versionVariable: `PYENV_VERSION` of the environment the shim would run in.
    ///   - directory: the working directory it would run in (where `.python-version` is looked for).
    func target(versionVariable: String?, directory: String) -> String? {
        let versions: [String]?
        if let versionVariable, !versionVariable.isEmpty {
            versions = versionVariable.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        } else {
            versions = Self.versionFile(from: directory, root: root).flatMap(Self.versions(inFile:))
        }
        guard let first = versions?.first, !first.isEmpty, first != "system", first != "..", !first.contains("/") else { return nil }
        let prefix = "\(root)/versions/\(first)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        let command = "\(prefix)/bin/\(program)"
        return FileManager.default.isExecutableFile(atPath: command) ? command : nil
    }

    private static func exportedRoot(in script: String) -> String? {
        let marker = "export PYENV_ROOT=\""
        guard let line = script.split(separator: "\n").first(where: { $0.hasPrefix(marker) }) else { return nil }
        let value = line.dropFirst(marker.count)
        guard value.hasSuffix("\""), value.count > 1 else { return nil }
        return String(value.dropLast())
    }

    /// `pyenv version-file`: the nearest `.python-version` from `directory` up to `/`, else the
    /// global `version` file; nil when neither exists (pyenv then says `system`).
    private static func versionFile(from directory: String, root: String) -> String? {
        var current = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        while true {
            let candidate = (current == "/" ? "" : current) + "/.python-version"
            if RegularFile.isRegular(candidate) { return candidate }
            guard current != "/", !current.isEmpty, let slash = current.lastIndex(of: "/") else { break }
            current = slash == current.startIndex ? "/" : String(current[..<slash])
        }
        let global = "\(root)/version"
        return RegularFile.isRegular(global) ? global : nil
    }

    /// `pyenv version-file-read`: the first word of each line, empty lines and comments skipped;
    /// nil when none is left (an empty nearest file makes pyenv say `system`, not read further).
    private static func versions(inFile path: String) -> [String]? {
        guard let data = RegularFile.head(path, upTo: 64 * 1024), let text = String(data: data, encoding: .utf8) else { return nil }
        let words = text.split(whereSeparator: \.isNewline).compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).first.map(String.init)
        }
        let versions = words.filter { !$0.hasPrefix("#") }
        return versions.isEmpty ? nil : versions
    }
}

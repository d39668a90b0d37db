import Foundation

/// Writes a virtual environment the way `python -m venv --without-pip`
/// lays it out, without starting Python: `pyvenv.cfg`, the interpreter
/// links, `site-packages`, and the activation scripts from the
/// interpreter's own templates.
enum VenvWriter {
    static func create(at venv: URL, interpreter: PythonInterpreter) throws {
        let fm = FileManager.default
        do {
            let bin = venv.appendingPathComponent("bin")
            try fm.createDirectory(at: bin, withIntermediateDirectories: true)
            try fm.createDirectory(at: venv.appendingPathComponent("include"), withIntermediateDirectories: true)
            try fm.createDirectory(at: venv.appendingPathComponent(interpreter.sitePackages), withIntermediateDirectories: true)
            // venv adds lib64 -> lib on 64-bit POSIX.
            try fm.createSymbolicLink(atPath: venv.appendingPathComponent("lib64").path, withDestinationPath: "lib")
            let home = URL(fileURLWithPath: interpreter.executable).deletingLastPathComponent().path
            try """
            home = \(home)
            include-system-site-packages = false
            version = \(interpreter.versionString)
            executable = \(interpreter.executable)
            command = \(interpreter.executable) -m venv \(venv.path)

            """.write(to: venv.appendingPathComponent("pyvenv.cfg"), atomically: false, encoding: .utf8)
            try fm.createSymbolicLink(atPath: bin.appendingPathComponent("python").path, withDestinationPath: interpreter.executable)
            try fm.createSymbolicLink(atPath: bin.appendingPathComponent("python3").path, withDestinationPath: "python")
            try fm.createSymbolicLink(
                atPath: bin.appendingPathComponent("python\(interpreter.minorVersion)").path, withDestinationPath: "python")
            try writeActivationScripts(bin: bin, venv: venv, interpreter: interpreter)
        } catch let error as IsolationError {
            throw error
        } catch {
            throw IsolationError(.ioFailure, "cannot create a virtualenv at \(venv.path): \(error)")
        }
    }

    /// Fills the stdlib's `venv/scripts` templates as `venv` does. An
    /// interpreter without them (Debian without python3-venv) gets none.
    private static func writeActivationScripts(bin: URL, venv: URL, interpreter: PythonInterpreter) throws {
        let fm = FileManager.default
        let scripts = URL(fileURLWithPath: interpreter.stdlib).appendingPathComponent("venv/scripts")
        let replacements = [
            "__VENV_DIR__": venv.path,
            "__VENV_NAME__": venv.lastPathComponent,
            "__VENV_PROMPT__": "(\(venv.lastPathComponent)) ",
            "__VENV_BIN_NAME__": "bin",
            "__VENV_PYTHON__": bin.appendingPathComponent("python").path,
        ]
        for folder in ["common", "posix"] {
            let dir = scripts.appendingPathComponent(folder)
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] {
                guard var text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) else { continue }
                for (key, value) in replacements { text = text.replacingOccurrences(of: key, with: value) }
                try text.write(to: bin.appendingPathComponent(name), atomically: false, encoding: .utf8)
            }
        }
    }

    /// Installs pip from the wheel the interpreter bundles (`ensurepip`, or
    /// Debian's `/usr/share/python-wheels`), unpacked by the interpreter's `zipfile`.
    ///
    /// - Throws: ``IsolationError/Code/installFailed`` when no pip wheel is bundled.
    static func installPip(into venv: URL, interpreter: PythonInterpreter) async throws {
        let fm = FileManager.default
        let bundled = [
            URL(fileURLWithPath: interpreter.stdlib).appendingPathComponent("ensurepip/_bundled"),
            URL(fileURLWithPath: "/usr/share/python-wheels"),
        ]
        let wheel = bundled.lazy.compactMap { dir in
            ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted().last { $0.hasPrefix("pip-") && $0.hasSuffix(".whl") }
                .map { dir.appendingPathComponent($0) }
        }.first
        guard let wheel else {
            throw IsolationError(
                .installFailed,
                "with_pip: \(interpreter.executable) bundles no pip wheel (no ensurepip); install python3-venv or python3-pip"
            )
        }
        let sitePackages = venv.appendingPathComponent(interpreter.sitePackages)
        let unpack = try await ProcessRunner.run(
            executable: interpreter.executable,
            arguments: [
                "-I", "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", wheel.path, sitePackages.path,
            ],
            environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(120)
        )
        guard unpack.exitCode == 0 else {
            throw IsolationError(.installFailed, "with_pip: unpacking \(wheel.lastPathComponent) failed: \(unpack.stderrText)")
        }
        let launcher = """
            #!\(venv.path)/bin/python
            # -*- coding: utf-8 -*-
            import re
            import sys
            from pip._internal.cli.main import main
            if __name__ == "__main__":
                sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
                sys.exit(main())

            """
        for name in ["pip", "pip3", "pip\(interpreter.minorVersion)"] {
            let path = venv.appendingPathComponent("bin/\(name)").path
            try launcher.write(toFile: path, atomically: false, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }
}

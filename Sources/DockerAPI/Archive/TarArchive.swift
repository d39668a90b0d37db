// `package import`, not plain `import`: with InternalImportsByDefault a
// package-level signature may not mention types from an internal import.
package import Foundation

/// A small POSIX tar codec for Docker's archive endpoints
/// (`PUT`/`GET /containers/{id}/archive`) and for build contexts.
///
/// Writes ustar, adding a PAX extended header only for what ustar cannot
/// hold (paths or link targets over 100 bytes, sizes of 8 GiB and more), so
/// the daemon's Go `archive/tar`, GNU tar and busybox all read it. Output is
/// deterministic — entries sorted, uid/gid 0, no user or group names — because
/// build-context digests are taken over these bytes.
///
/// Reads ustar, PAX (`x`; `g` is skipped) and GNU long names (`L`/`K`), since
/// the daemon and GNU tar emit either.
///
/// The project's one tar implementation, in parts: `TarHeader` (the header
/// encoder and decoder every reader and writer uses), `TarWriter`, `TarReader`,
/// `TarExtractor`, `BuildContext`, and ``TarFile`` for archives on disk too
/// large for memory (snapshot archives).
package enum TarArchive {
    /// One member of an archive. Directory paths carry no trailing `/`.
    package struct Entry: Sendable, Equatable {
        package enum Kind: Sendable, Equatable {
            case file, directory, symlink, hardlink
            /// FIFOs, devices and anything else; listed, never extracted.
            case other
        }

        package var path: String
        package var kind: Kind
        /// Permission bits including setuid, setgid and sticky (`0o7777`).
        package var mode: UInt32
        package var size: Int
        package var mtime: Date
        package var linkTarget: String?
        /// Set for files only.
        package var contents: Data?
    }

    static let blockSize = 512
    /// Largest size or time an 11-digit octal ustar field holds (8 GiB - 1).
    static let maxOctal11 = 0o777_7777_7777
}

/// Why reading, writing or extracting an archive failed.
package struct TarArchiveError: Error, CustomStringConvertible {
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case corruptHeader, badChecksum, truncated, unsafePath, io, unsupported
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        package static let corruptHeader = Code(.corruptHeader)
        package static let badChecksum = Code(.badChecksum)
        package static let truncated = Code(.truncated)
        /// An absolute path, a `..` escape, or writing through a symlink that leaves the destination.
        package static let unsafePath = Code(.unsafePath)
        package static let io = Code(.io)
        package static let unsupported = Code(.unsupported)

        package var description: String { base.rawValue }
    }

    package var code: Code
    /// The archive member or file-system path concerned, when there is one.
    package var path: String?
    package var message: String

    init(_ code: Code, path: String?, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// Adds `strerror(errno)` to the message; call right after the failing syscall.
    static func posix(_ what: String, path: String) -> TarArchiveError {
        let reason = String(cString: strerror(errno))
        return TarArchiveError(.io, path: path, "\(what) failed: \(reason)")
    }

    package var description: String {
        let subject = path.map { "'\($0)': " } ?? ""
        return "tar \(code): \(subject)\(message)"
    }
}

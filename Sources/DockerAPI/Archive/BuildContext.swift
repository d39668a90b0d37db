package import Foundation

extension TarArchive {
    /// Tars a build context the way `docker build` sends it: `.dockerignore`
    /// applied, the Dockerfile and `.dockerignore` always kept, and an excluded
    /// directory skipped unless an exception names a path inside it, as Docker's
    /// walk does (``DockerIgnore/dockerWalkEnters(excluded:)``): `*` then
    /// `!**/*.go` keeps no `.go` file below a directory.
    ///
    /// - Parameter dockerfile: the Dockerfile's path relative to `directory`.
    /// - Throws: `DockerIgnoreError` for a bad `.dockerignore`, `TarArchiveError` otherwise.
    package static func buildContext(directory: URL, dockerfile: String = "Dockerfile") throws -> Data {
        let ignore = try DockerIgnore(contentsOf: directory.appendingPathComponent(".dockerignore"))
        let dockerfilePath = DockerIgnore.clean(dockerfile)
        return try archive(
            directory: directory,
            filter: ignore.buildContextFilter(dockerfile: dockerfile),
            descendIntoExcluded: { directory in
                ignore.dockerWalkEnters(excluded: directory) || dockerfilePath.hasPrefix(directory + "/")
            })
    }
}

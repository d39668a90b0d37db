package import Foundation
package import IsolationCore
import NIOSSL

/// `serve --tls-cert FILE --tls-key FILE`: the server's certificate chain and key, PEM, read
/// once at start so a bad file stops the server with a message naming the option.
package struct ServerTLS: Sendable {
    let configuration: TLSConfiguration

    /// - Throws: `invalidSpec` naming `--tls-cert` or `--tls-key` for a file that is missing,
    ///   unreadable or not PEM of the right kind (as the tokens file's errors: the server's own settings).
    package init(certificate: URL, key: URL) throws {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate.path)
        } catch {
            throw IsolationError(
                .invalidSpec, field: "--tls-cert",
                "\(SchemaJSON.excerpt(certificate.path, limit: 256)) is not a readable PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else {
            throw IsolationError(
                .invalidSpec, field: "--tls-cert", "\(SchemaJSON.excerpt(certificate.path, limit: 256)) holds no certificate")
        }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key.path, format: .pem)
        } catch {
            throw IsolationError(
                .invalidSpec, field: "--tls-key", "\(SchemaJSON.excerpt(key.path, limit: 256)) is not a readable PEM private key (\(error))"
            )
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        self.configuration = configuration
        // A key that does not go with the certificate fails here, not at the first handshake.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw IsolationError(
                .invalidSpec, field: "--tls-key",
                "\(SchemaJSON.excerpt(key.path, limit: 256)) does not go with the certificate of --tls-cert (\(error))")
        }
    }
}

import Foundation
import IsolationCore
import IsolationProtocol

/// The input's first byte picks a request type (or a catalogue method), the rest is the JSON
/// text the C ABI would get. Decoding returns a request or throws an error the ABI maps to a
/// documented code; a decoded create's spec is validated as the manager would before creating
/// anything. Nothing here opens a manager or touches a daemon.
enum ABIJSONTarget {
    static func run(_ input: Data) {
        guard let selector = input.first else { return }
        let text = String(decoding: input.dropFirst(), as: UTF8.self)
        do {
            switch Int(selector) % (decoders.count + methods.count) {
            case let index where index < decoders.count:
                try decoders[index](text)
            case let index:
                let answer = try Dispatcher.callCatalogue(method: methods[index - decoders.count], request: text)
                guard let answer, (try? JSONSerialization.jsonObject(with: Data(answer.utf8))) is [String: Any] else {
                    finding(.abiJSON, "a catalogue answer that is not a JSON object: \(String(describing: answer))")
                }
            }
        } catch {
            let mapped = ABIError(error)
            guard mapped.code != "internal", !mapped.message.isEmpty else {
                finding(.abiJSON, "an error the ABI cannot name: \(error)")
            }
        }
    }

    static let methods = Array(Dispatcher.catalogueMethods).sorted()

    private static func decoding<T: ABIRequest>(_ type: T.Type) -> @Sendable (String) throws -> Void {
        { text in _ = try ProtocolJSON.decode(type, from: text, what: "request") }
    }

    static let decoders: [@Sendable (String) throws -> Void] = [
        { text in _ = try ProtocolJSON.decode(OpenRequest.self, from: text, what: "config") },
        { text in
            let request = try ProtocolJSON.decode(CreateRequest.self, from: text, what: "request")
            try request.spec?.validate()
        },
        decoding(IDRequest.self), decoding(ListRequest.self), decoding(RunRequest.self), decoding(UninstallRequest.self),
        decoding(CopyRequest.self), decoding(SessionRequest.self), decoding(SnapshotRequest.self),
        decoding(SnapshotRefRequest.self), decoding(ImportRequest.self), decoding(MigrateRequest.self),
        decoding(JobRequest.self), decoding(CollectRequest.self), decoding(EmptyRequest.self), decoding(LogsRequest.self),
        decoding(RemoveRequest.self), decoding(CleanupRequest.self), decoding(InstallRequest.self),
        decoding(CancelRequest.self), decoding(ConfigurePoolRequest.self), decoding(AcquireRequest.self),
        decoding(DrainPoolRequest.self), decoding(ServiceSpecRequest.self), decoding(ServiceConnectionRequest.self),
    ]

    static let seeds: [Data] = [
        (1, #"{"spec": {"engine": "docker", "image": "busybox", "command": ["sh"], "env": {"A": "1"}}, "timeout_seconds": 5}"#),
        (1, #"{"spec": {"engine": "virtualenv", "python": "3", "packages": ["pytest==8.0"]}, "test_id": "t::x"}"#),
        (4, #"{"id": "env-1", "argv": ["echo", "hi"], "timeout_seconds": 1.5, "env": {"X": "y"}}"#),
        (0, #"{"home": "/tmp/x", "engines_file": "e.json"}"#),
        (23, #"{"service": "postgres", "options": {"version": "16"}}"#),
        (25, #"{"service": "postgres", "options": {"version": "16"}, "host_port": 5432}"#),
        (26, #"{"service": "redis", "options": {}}"#),
        (27, "{}"),
    ].map { selector, text in Data([UInt8(selector)]) + Data(text.utf8) }

    static let dictionary: [Data] = [
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "-1", "1e308", "18446744073709551616", "\\u0000",
        "\"spec\"", "\"engine\"", "\"image\"", "\"ports\"", "\"mounts\"", "\"resources\"", "\"compose\"", "\"service\"",
    ].map { Data($0.utf8) }
}

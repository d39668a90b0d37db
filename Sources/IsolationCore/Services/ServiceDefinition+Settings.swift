public import Foundation

extension ServiceDefinition {
    /// The service with options given as `NAME=VALUE` settings (the CLI's `--set`): each text
    /// becomes the JSON value its option's ``ServiceOption/Kind`` says, then the options decode
    /// as JSON would, so both ways of giving them meet the same checks and the same errors.
    ///
    /// - Parameter variables: the container's variables (the CLI's `--env`), the options'
    ///   `environment`.
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the option as `options.<name>`; an
    ///   unknown name lists the service's options and the closest one.
    public init(_ service: ReadyMadeService, settings: [String: String], variables: [String: String] = [:]) throws {
        var object: [String: Any] = [:]
        for (name, text) in settings.sorted(by: { $0.key < $1.key }) {
            guard let option = service.catalogue.first(where: { $0.name == name }) else {
                let names = service.catalogue.filter { $0.kind != .variables }.map(\.name)
                let hint = EditDistance.closest(to: name, in: names).map { "; did you mean '\($0)'?" } ?? ""
                throw IsolationError(
                    .invalidSpec, field: "options.\(SchemaJSON.excerpt(name))",
                    "\(service.rawValue) has no option '\(SchemaJSON.excerpt(name))' (options: \(names.joined(separator: ", ")))\(hint)")
            }
            object[name] = try Self.value(of: text, for: option)
        }
        if !variables.isEmpty { object["environment"] = variables }
        let json = try JSONSerialization.data(withJSONObject: ["service": service.rawValue, "options": object])
        self = try Self.decode(json: json)
    }

    private static func value(of text: String, for option: ServiceOption) throws -> Any {
        let field = "options.\(option.name)"
        switch option.kind {
        case .text:
            return text
        case .integer:
            guard let number = Int(text) else {
                throw IsolationError(.invalidSpec, field: field, "'\(SchemaJSON.excerpt(text))' is not a whole number")
            }
            return number
        case .seconds:
            guard let seconds = Double(text), seconds.isFinite else {
                throw IsolationError(.invalidSpec, field: field, "'\(SchemaJSON.excerpt(text))' is not a number of seconds")
            }
            return seconds
        case .path:
            // Relative to where the command runs, as a shell user means it.
            return text.isEmpty ? text : URL(fileURLWithPath: text).standardizedFileURL.path
        case .command:
            // One shell line, as a flag gives it; an empty one is left to the check that refuses it.
            return text.isEmpty ? [String]() : ["sh", "-c", text]
        case .variables:
            throw IsolationError(
                .invalidSpec, field: field, "variables are not one setting; give each as KEY=VALUE of the environment (--env)")
        }
    }
}

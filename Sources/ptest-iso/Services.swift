import ArgumentParser
import Foundation
import IsolationCore

struct Services: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the ready-made services `create --service` takes, or print one's spec.",
        discussion: """
            Each is a Docker spec in service mode with a readiness check that talks to the \
            service (pg_isready, redis-cli ping, an HTTP GET), so `create --service` returns \
            once it answers, and prints the URL to reach it.

            Examples:
              ptest-iso services
              ptest-iso services redis --json
              ptest-iso services postgres --set dbname=app --spec
              ptest-iso create --service redis --set password=secret
            """
    )

    @OptionGroup var output: OutputOptions

    @Argument(help: "A service whose options (or, with --spec, whose spec) to print.")
    var service: String?

    @Option(name: .customLong("set"), help: "With --spec: an option as NAME=VALUE; repeat for more.")
    var serviceOptions: [String] = []

    @Option(name: .customLong("env"), help: "With --spec: a variable for the container as KEY=VALUE; repeat for more.")
    var variables: [String] = []

    @Flag(help: "Print the service's spec as JSON (what `create --spec` takes).")
    var spec = false

    func validate() throws {
        if let service, ReadyMadeService(rawValue: service) == nil {
            throw ValidationError("'\(service)' is not a ready-made service; one of \(ReadyMadeService.names)")
        }
        if spec, service == nil { throw ValidationError("--spec needs a service, e.g. ptest-iso services postgres --spec") }
        if !spec, let flag = [("--set", !serviceOptions.isEmpty), ("--env", !variables.isEmpty)].first(where: \.1) {
            throw ValidationError("\(flag.0) goes with --spec")
        }
        if spec, let service { _ = try ServiceFlags(service: service, settings: serviceOptions, variables: variables).checkedSpec() }
    }

    func run() throws {
        if spec, let service {
            return try printJSON(try ServiceFlags(service: service, settings: serviceOptions, variables: variables).checkedSpec())
        }
        let listings = ServiceListing.all.filter { service == nil || $0.name.rawValue == service }
        if output.json { return try printJSON(listings) }
        for listing in listings {
            print("\(listing.name.rawValue) (port \(listing.containerPort))")
            let defaults = try Self.defaults(of: listing)
            let lines = listing.options.map { option in
                let flag =
                    option.kind == .variables ? "--env KEY=VALUE" : "--set \(option.name)=\(defaults[option.name] ?? Self.unset(option))"
                return (flag, option.help)
            }
            let width = lines.map(\.0.count).max() ?? 0
            for (flag, help) in lines { print("  \(flag.padding(toLength: width, withPad: " ", startingAt: 0))  \(help)") }
        }
    }

    /// What an option with no default takes, in place of a value (it is not set unless given).
    private static func unset(_ option: ServiceOption) -> String {
        switch option.kind {
        case .command: "LINE"
        case .path: "PATH"
        case .integer: "N"
        case .seconds: "SECONDS"
        case .text, .variables: "TEXT"
        }
    }

    /// The defaults as a shell would give them: a text as it is (`''` when empty), a list as JSON.
    private static func defaults(of listing: ServiceListing) throws -> [String: String] {
        let json = try SchemaJSON.encoder().encode(listing.defaults)
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:]
        return object.compactMapValues { value -> String? in
            switch value {
            case let text as String: text.isEmpty ? "''" : text
            case let number as NSNumber: number.stringValue
            default: nil
            }
        }
    }
}

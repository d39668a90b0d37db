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
              ptest-iso services postgres --set dbname=app --spec
              ptest-iso create --service redis --set password=secret
            """
    )

    @OptionGroup var output: OutputOptions

    @Argument(help: "A service whose options (or, with --spec, whose spec) to print.")
    var service: String?

    @Option(name: .customLong("set"), help: "With --spec: an option as NAME=VALUE; repeat for more.")
    var serviceOptions: [String] = []

    @Flag(help: "Print the service's spec as JSON (what `create --spec` takes).")
    var spec = false

    func validate() throws {
        if let service, ReadyMadeService(rawValue: service) == nil {
            throw ValidationError(
                "'\(service)' is not a ready-made service; one of \(ReadyMadeService.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if spec, service == nil { throw ValidationError("--spec needs a service, e.g. ptest-iso services postgres --spec") }
        if !serviceOptions.isEmpty, !spec { throw ValidationError("--set goes with --spec") }
    }

    func run() throws {
        let kinds = service.flatMap(ReadyMadeService.init(rawValue:)).map { [$0] } ?? ReadyMadeService.allCases
        if spec, let kind = kinds.first {
            var built = EnvironmentSpec()
            try asValidation { built = try kind.spec(try parseVariables(serviceOptions, option: "--set")) }
            return try printJSON(built)
        }
        if output.json {
            let listed = kinds.map { kind in
                ListedService(
                    name: kind.rawValue, options: Dictionary(uniqueKeysWithValues: kind.options.map { ($0.name, $0.defaultValue) }))
            }
            return try printJSON(listed)
        }
        for kind in kinds {
            print(kind.rawValue)
            for option in kind.options {
                print("  --set \(option.name)=\(option.defaultValue.isEmpty ? "''" : option.defaultValue)")
            }
        }
    }

    struct ListedService: Encodable {
        var name: String
        var options: [String: String]
    }
}

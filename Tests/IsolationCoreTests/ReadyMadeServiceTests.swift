import Foundation
import IsolationCore
import TestSupport
import Testing

/// The ready-made services' catalogue: strict options with errors naming the option, and
/// specs that come up ready on the real daemon, answering their own protocol from the host.
@Suite struct ReadyMadeServiceTests {
    func definition(_ json: String) throws -> ServiceDefinition {
        try ServiceDefinition.decode(json: Data(json.utf8))
    }

    /// The error that decoding and checking `json` ends in; an issue when there is none.
    func invalid(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) -> IsolationError? {
        do {
            let spec = try definition(json).spec()
            Issue.record("\(json) made a spec: \(spec)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error as? IsolationError
        }
    }

    @Test func optionsDecodeStrictlyAndNameTheField() throws {
        let unknown = invalid(#"{"service": "redis", "options": {"pasword": "x"}}"#)
        #expect(unknown?.field == "options.pasword")
        #expect(unknown?.message == "options.pasword: unknown field; did you mean 'password'?")
        #expect(invalid(#"{"service": "http", "options": {"port": "80"}}"#)?.message == "options.port: must be a whole number")
        #expect(invalid(#"{"service": "http", "options": {"port": 99999}}"#)?.message == "options.port: 99999 must be from 1 to 65535")
        #expect(invalid(#"{"service": "http", "options": {"path": "health"}}"#)?.field == "options.path")
        #expect(invalid(#"{"service": "http", "options": {"command": []}}"#)?.field == "options.command")
        #expect(invalid(#"{"service": "http", "options": {"directory": "site"}}"#)?.field == "options.directory")
        #expect(invalid(#"{"service": "postgres", "options": {"dbname": ""}}"#)?.message == "options.dbname: must not be empty")
        #expect(
            invalid(#"{"service": "postgres", "options": {"ready_timeout_seconds": 0}}"#)?.field == "options.ready_timeout_seconds")
        let service = invalid(#"{"service": "mysql"}"#)
        #expect(service?.field == "service")
        #expect(service?.message.contains("is not one of postgres, redis, http") == true)
        #expect(invalid(#"{"service": "redis", "extra": 1}"#)?.field == "extra")
    }

    @Test func settingsMeetTheSameChecksAsJSON() throws {
        let http = try ServiceDefinition(.http, settings: ["port": "8000", "command": "httpd -f -p 8000", "directory": "."])
        let spec = try http.spec()
        #expect(spec.ports == [8000] && spec.command == ["sh", "-c", "httpd -f -p 8000"])
        #expect(spec.volumes.first?.source == FileManager.default.currentDirectoryPath)
        #expect(spec.waitFor == [.http(.init(port: 8000, path: "/", status: 200))])
        func message(_ settings: [String: String], _ variables: [String: String] = [:]) -> String? {
            do {
                _ = try ServiceDefinition(.redis, settings: settings, variables: variables).spec()
                return nil
            } catch {
                return (error as? IsolationError)?.message
            }
        }
        #expect(
            message(["pasword": "x"])
                == "options.pasword: redis has no option 'pasword' (options: image, password, ready_timeout_seconds); did you mean 'password'?"
        )
        #expect(message(["ready_timeout_seconds": "soon"]) == "options.ready_timeout_seconds: 'soon' is not a number of seconds")
        #expect(message(["image": ""]) == "options.image: must not be empty")
        let redis = try ServiceDefinition(.redis, settings: ["password": "pw"], variables: ["TZ": "UTC"]).spec()
        #expect(redis.environment == ["REDIS_PASSWORD": "pw", "TZ": "UTC"])
    }

    @Test func specsAndURLsFollowTheOptions() throws {
        let postgres = try definition(#"{"service": "postgres", "options": {"user": "alice", "password": "s3cret:@/é", "dbname": "app"}}"#)
        let spec = try postgres.spec()
        #expect(spec.mode == .service && spec.ports == [5432] && spec.readyTimeoutSeconds == 60)
        #expect(spec.environment == ["POSTGRES_USER": "alice", "POSTGRES_PASSWORD": "s3cret:@/é", "POSTGRES_DB": "app"])
        #expect(spec.waitFor == [.command(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432", "-U", "alice", "-d", "app"])])
        #expect(postgres.connection(port: 40000).url == "postgresql://alice:s3cret%3A%40%2F%C3%A9@127.0.0.1:40000/app")
        let redis = try definition(#"{"service": "redis"}"#)
        #expect(try redis.spec().environment.isEmpty)
        #expect(redis.connection(port: 40001, path: "/3").url == "redis://127.0.0.1:40001/3")
        let empty = try definition(#"{"service": "redis", "options": {"password": ""}}"#)
        #expect(try empty.spec().environment == ["REDIS_PASSWORD": ""])
        #expect(empty.connection(port: 1).url == "redis://127.0.0.1:1/0")
        let http = try definition(#"{"service": "http", "options": {"path": "/health"}}"#)
        #expect(http.connection(port: 40002).url == "http://127.0.0.1:40002/")
        #expect(http.connection(port: 40002, path: "/a/b").url == "http://127.0.0.1:40002/a/b")
        #expect(ServiceListing.all.map(\.name) == [.postgres, .redis, .http])
    }

    // MARK: - On the daemon

    func manager(_ home: borrowing TestHome, session: String) throws -> IsolationManager {
        let configuration = IsolationManager.Configuration(home: home.url, session: "\(session)-\(UUID().uuidString.prefix(6))")
        return try IsolationManager(configuration: configuration, engines: [DockerEngine()])
    }

    /// Creates the service (returning once its readiness check passed), runs `body`, and
    /// destroys it whether or not `body` threw.
    func withService(
        _ definition: ServiceDefinition, _ manager: IsolationManager, _ body: (Environment) async throws -> Void
    ) async throws {
        let environment = try await manager.create(try definition.spec())
        do {
            try await body(environment)
        } catch {
            try? await manager.destroy(environment.id)
            throw error
        }
        try await manager.destroy(environment.id)
    }

    @Test func postgresComesUpAcceptingConnections() async throws {
        let home = try TestHome("service-postgres")
        let manager = try manager(home, session: "service-postgres")
        let postgres = try definition(
            #"{"service": "postgres", "options": {"user": "alice", "password": "pw", "dbname": "app", "ready_timeout_seconds": 180}}"#)
        try await withService(postgres, manager) { environment in
            let connection = try postgres.connection(of: environment)
            // From the host: a startup message for alice on app is answered by an authentication
            // request ('R'), the server's first word to a client it will talk to.
            var startup: [UInt8] = [0, 3, 0, 0] + Array("user\0alice\0database\0app\0\0".utf8)
            let length = UInt32(startup.count + 4)
            startup = withUnsafeBytes(of: length.bigEndian, Array.init) + startup
            let answer = try TCPExchange.send(startup, port: connection.port) { !$0.isEmpty }
            #expect(answer.first == UInt8(ascii: "R"), "\(answer)")
            // A query through a real client, at once: create returned only once the server answers.
            let query = try await manager.run(
                environment.id,
                Command(
                    ["psql", "-h", "127.0.0.1", "-U", "alice", "-d", "app", "-tAc", "select current_user || ' ' || 1 + 1"],
                    environment: ["PGPASSWORD": "pw"]))
            #expect(query.exitCode == 0, "\(String(decoding: query.stderr, as: UTF8.self))")
            #expect(String(decoding: query.stdout, as: UTF8.self) == "alice 2\n")
        }
    }

    @Test func redisAnswersPingAtItsURLWithItsPassword() async throws {
        let home = try TestHome("service-redis")
        let manager = try manager(home, session: "service-redis")
        // A bound for a loaded machine (the whole suite runs at once on 2 cores), not a speed claim.
        let redis = try ServiceDefinition(.redis, settings: ["password": "open sesame", "ready_timeout_seconds": "180"])
        try await withService(redis, manager) { environment in
            let connection = try redis.connection(of: environment)
            #expect(connection.url == "redis://:open%20sesame@127.0.0.1:\(connection.port)/0")
            let refused = try TCPExchange.send(TCPExchange.resp(["PING"]), port: connection.port, until: TCPExchange.lines(1))
            #expect(String(decoding: refused, as: UTF8.self).hasPrefix("-NOAUTH"))
            let request = TCPExchange.resp(["AUTH", "open sesame"]) + TCPExchange.resp(["PING"])
            let answer = try TCPExchange.send(request, port: connection.port, until: TCPExchange.lines(2))
            #expect(String(decoding: answer, as: UTF8.self) == "+OK\r\n+PONG\r\n")
        }
    }
}

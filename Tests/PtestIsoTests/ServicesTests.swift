import Foundation
import IsolationCore
import TestSupport
import Testing

/// `ptest-iso services` and `create --service`, each step a separate `ptest-iso` process.
@Suite struct ServicesTests {
    @Test func createServicePrintsAURLThatAnswersAndRmRemovesIt() throws {
        let home = try TestHome("cli-service")
        let state = ["--home", home.url.path]
        let created = try CLI.run(["create", "--service", "redis", "--set", "password=open sesame"] + state)
        #expect(created.status == 0, "\(created.output)")
        let lines = created.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 2, "\(created.output)")
        let (id, url) = (lines[0], try #require(URLComponents(string: lines[1])))
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }
        #expect(url.scheme == "redis" && url.host == "127.0.0.1" && url.percentEncodedPassword == "open%20sesame" && url.path == "/0")
        let port = try #require(url.port)
        let request = TCPExchange.resp(["AUTH", "open sesame"]) + TCPExchange.resp(["PING"])
        let answer = try TCPExchange.send(request, port: port, until: TCPExchange.lines(2))
        #expect(String(decoding: answer, as: UTF8.self) == "+OK\r\n+PONG\r\n")

        let inspected = try CLI.run(["inspect", id, "--json"] + state)
        let record = try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any]
        #expect((record?["details"] as? [String: String])?["port.6379"] == String(port), "\(inspected.output)")
        let removed = try CLI.run(["rm", id] + state)
        #expect(removed.status == 0, "\(removed.output)")
        let listed = try CLI.run(["ls", "--json"] + state)
        #expect(!listed.stdout.contains(id), "\(listed.output)")
    }

    @Test func createServiceJSONCarriesTheConnection() throws {
        let home = try TestHome("cli-service-json")
        let state = ["--home", home.url.path]
        // busybox httpd answers a directory with its index.html, and 404 without one.
        try "home\n".write(to: home.url.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let created = try CLI.run(["create", "--service", "http", "--set", "directory=\(home.url.path)", "--json"] + state)
        #expect(created.status == 0, "\(created.output)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let id = try #require(record["id"] as? String)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }
        let connection = try #require(record["connection"] as? [String: Any])
        let port = try #require(connection["port"] as? Int)
        #expect(connection["service"] as? String == "http" && connection["container_port"] as? Int == 8080)
        #expect(connection["url"] as? String == "http://127.0.0.1:\(port)/" && record["url"] as? String == connection["url"] as? String)
        let page = try Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/index.html")!)
        #expect(String(decoding: page, as: UTF8.self) == "home\n")
    }

    @Test func servicesListsTheCatalogue() throws {
        let listed = try CLI.run(["services"])
        #expect(listed.status == 0, "\(listed.output)")
        #expect(listed.stdout.contains("postgres (port 5432)") && listed.stdout.contains("--set dbname=test"))
        #expect(listed.stdout.contains("--set password=test") && listed.stdout.contains("--env KEY=VALUE"))
        let json = try CLI.run(["services", "redis", "--json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1 && entries[0]["name"] as? String == "redis" && entries[0]["container_port"] as? Int == 6379)
        let defaults = try #require(entries[0]["defaults"] as? [String: Any])
        #expect(defaults["image"] as? String == RedisOptions.defaultImage && defaults["password"] == nil)
        let spec = try CLI.run(["services", "postgres", "--spec", "--set", "dbname=app"])
        let decoded = try EnvironmentSpec.decode(json: Data(spec.stdout.utf8))
        #expect(decoded == (try ServiceDefinition(.postgres, settings: ["dbname": "app"]).spec()))
    }

    @Test(arguments: [
        (["create", "--service", "mysql"], "--service 'mysql' must be one of postgres, redis, http"),
        (
            ["create", "--service", "redis", "--set", "pasword=x"],
            "--set pasword: redis has no option 'pasword' (options: image, password, ready_timeout_seconds); did you mean 'password'?"
        ),
        (["create", "--service", "http", "--set", "port=99999"], "--set port: 99999 must be from 1 to 65535"),
        (["create", "--service", "http", "--set", "port=eighty"], "--set port: 'eighty' is not a whole number"),
        (["create", "--service", "http", "--set", "directory=/no/such/dir"], "--set directory: '/no/such/dir' does not exist on the host"),
        (["create", "--service", "redis", "--set", "password"], "--set 'password' is not KEY=VALUE"),
        (["create", "--set", "password=x"], "--set needs --service NAME"),
        (["create", "--service", "redis", "--image", "x"], "--service and --image conflict"),
        (["create", "--service", "postgres", "--requirement", "six"], "--service and --requirement conflict"),
        (["services", "mysql"], "'mysql' is not a ready-made service; one of postgres, redis, http"),
        (["services", "redis", "--set", "password=x"], "--set goes with --spec"),
    ])
    func badServiceInputIsAOneLineUsageError(arguments: [String], message: String) throws {
        let home = try TestHome("cli-service-bad")
        let state = arguments[0] == "services" ? [] : ["--home", home.url.path]
        let result = try CLI.run(arguments + state)
        #expect(result.status == 64, "\(result.output)")
        #expect(result.stderr.contains("Error: \(message)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}

import Foundation
import GRDB

extension StateStore {
    /// Records a new environment, refusing it when `maxLive` live ones already exist or a live one
    /// has its name. Both are checked in the inserting transaction, so two processes racing to
    /// create cannot both pass.
    ///
    /// - Throws: ``IsolationError/Code/capacityExceeded`` with the count and the cap;
    ///   ``IsolationError/Code/invalidSpec`` naming the environment that has the name.
    public func insertEnvironment(_ environment: Environment, maxLive: Int) async throws {
        try await storage {
            try await writer.write { db in
                // Failed environments hold nothing (their resources were removed), so they do not count.
                let live =
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM environment WHERE status NOT IN (?, ?)",
                        arguments: [EnvironmentStatus.destroyed.rawValue, EnvironmentStatus.failed.rawValue]
                    ) ?? 0
                guard live < maxLive else {
                    throw IsolationError(
                        .capacityExceeded,
                        "\(live) environments are live, the cap is \(maxLive); destroy some or raise maxLiveEnvironments"
                    )
                }
                if let name = environment.spec.name, let holder = try Self.liveEnvironment(named: name, in: db) {
                    throw IsolationError(
                        .invalidSpec, field: "name",
                        "an environment named '\(name)' exists: \(holder); pick another name or remove it (`ptest-iso rm \(holder)`)")
                }
                try save(environment, in: db, insert: true)
            }
        }
    }

    /// The id of the live environment (neither destroyed nor failed) with this name, if any.
    /// The name lives in the payload, so the live rows are read; a home holds few.
    private static func liveEnvironment(named name: String, in db: Database) throws -> String? {
        let rows = try Data.fetchAll(
            db, sql: "SELECT payload FROM environment WHERE status NOT IN (?, ?)",
            arguments: [EnvironmentStatus.destroyed.rawValue, EnvironmentStatus.failed.rawValue])
        return try rows.lazy.map { try StatePayload.decode(Environment.self, from: $0) }.first { $0.spec.name == name }?.id
    }

    public func environment(_ id: String) async throws -> Environment? {
        try await storage {
            try await writer.read { db in
                try Data.fetchOne(db, sql: "SELECT payload FROM environment WHERE id = ?", arguments: [id])
                    .map { try StatePayload.decode(Environment.self, from: $0) }
            }
        }
    }

    public func environments(matching filter: EnvironmentFilter = EnvironmentFilter()) async throws -> [Environment] {
        try await storage {
            try await writer.read { db in
                var sql = "SELECT payload FROM environment WHERE 1 = 1"
                var arguments: StatementArguments = []
                if let session = filter.session {
                    sql += " AND session = ?"
                    arguments += [session]
                }
                if let engine = filter.engine {
                    sql += " AND engine = ?"
                    arguments += [engine.rawValue]
                }
                if filter.liveOnly {
                    sql += " AND status != ?"
                    arguments += [EnvironmentStatus.destroyed.rawValue]
                }
                sql += " ORDER BY createdAt, id"
                return try Data.fetchAll(db, sql: sql, arguments: arguments)
                    .map { try StatePayload.decode(Environment.self, from: $0) }
                    .filter(filter.matches)
            }
        }
    }

    /// Reads, changes and writes one environment in a single transaction.
    ///
    /// - Throws: ``IsolationError/Code/notFound`` for an unknown id; whatever `change` throws.
    @discardableResult
    public func updateEnvironment(_ id: String, _ change: @escaping @Sendable (inout Environment) throws -> Void) async throws
        -> Environment
    {
        try await storage {
            try await writer.write { db in
                guard let data = try Data.fetchOne(db, sql: "SELECT payload FROM environment WHERE id = ?", arguments: [id]) else {
                    throw IsolationError(.notFound, "no environment '\(id)'; `ptest-iso ls` lists them")
                }
                var environment = try recentEnvironments.value(of: id, payload: data) {
                    try StatePayload.decode(Environment.self, from: $0)
                }
                try change(&environment)
                try save(environment, in: db, insert: false)
                return environment
            }
        }
    }

    public func deleteEnvironment(_ id: String) async throws {
        try await storage {
            try await writer.write { db in
                try db.execute(sql: "DELETE FROM environment WHERE id = ?", arguments: [id])
            }
            recentEnvironments.forget(id)
        }
    }

    private func save(_ environment: Environment, in db: Database, insert: Bool) throws {
        let payload = try StatePayload.encode(environment)
        let arguments: StatementArguments = [
            environment.id, environment.engine.rawValue, environment.session, environment.status.rawValue,
            environment.createdAt.timeIntervalSince1970, environment.expiresAt?.timeIntervalSince1970, payload,
        ]
        let verb = insert ? "INSERT" : "REPLACE"
        try db.execute(
            sql: "\(verb) INTO environment (id, engine, session, status, createdAt, expiresAt, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: arguments
        )
        // A destroyed record changes no more; remembering it would only crowd out live ones.
        if environment.status == .destroyed {
            recentEnvironments.forget(environment.id)
        } else {
            recentEnvironments.remember(environment.id, payload: payload, value: environment)
        }
    }
}

import Foundation
import IsolationCore
import Testing

/// Compose files read into the project model (`ComposeLoader`).
struct ComposeLoaderTests {
    static let everyFeature = """
        version: "3.9"
        name: shop
        x-common: &common
          restart: unless-stopped
          labels:
            team: shop
        services:
          web:
            <<: *common
            build:
              context: ./web
              dockerfile: Dockerfile.dev
              args:
                - PYTHON=3.12
                - DEBUG
              target: dev
            image: shop/web:dev
            command: gunicorn "app:create()" --bind '0.0.0.0:8000'
            entrypoint: ["/entry.sh", "--"]
            environment:
              DATABASE_URL: postgres://db/shop
              FROM_CALLER:
              MISSING:
            env_file: web.env
            ports:
              - "8000"
              - 127.0.0.1:8080:80
              - 5353:53/udp
              - "9090-9091:8080-8081"
              - target: 443
                published: "8443"
                host_ip: 0.0.0.0
                protocol: tcp
                mode: host
            volumes:
              - data:/var/lib/data:ro
              - ./src:/src
              - /etc/hosts:/hosts:ro
              - /anonymous
              - type: tmpfs
                target: /scratch
                tmpfs:
                  size: 64m
              - type: bind
                source: ./conf
                target: /conf
                read_only: true
            networks:
              front:
                aliases: [shop, www]
              back:
            depends_on:
              db:
                condition: service_healthy
              cache:
                condition: service_started
              migrate:
                condition: service_completed_successfully
            healthcheck:
              test: curl -f http://localhost:8000/health
              interval: 1m30s
              timeout: 10s
              start_period: 500ms
              retries: 3
            working_dir: /src
            user: "1000:1000"
            hostname: web-1
            extra_hosts:
              - "host.docker.internal:host-gateway"
              - "other=10.0.0.1"
            tmpfs: /run
            cap_add: [NET_ADMIN]
            cap_drop: [ALL]
            privileged: false
            read_only: true
            init: true
            stop_signal: SIGINT
            stop_grace_period: 1m
            mem_limit: 512m
            cpus: 0.5
            shm_size: 1g
            x-note: ignored
          migrate:
            image: ptest-iso-test/busybox:latest
            command: [sh, -c, "echo migrated"]
            networks: [back]
            labels:
              - com.example.role=migrate
          db:
            image: ptest-iso-test/postgres:bookworm
            healthcheck:
              test: ["CMD", "pg_isready", "-U", "postgres"]
              interval: 2s
            volumes:
              - type: volume
                source: data
                target: /var/lib/postgresql/data
            networks:
              - back
            deploy:
              replicas: 1
              resources:
                limits:
                  cpus: "1.5"
                  memory: 1g
          cache:
            image: ptest-iso-test/redis:bookworm
            scale: 2
            healthcheck:
              disable: true
            tmpfs:
              - /tmp
              - /data
          debug:
            image: ptest-iso-test/busybox:latest
            profiles: [debug]
        networks:
          front:
            labels: [tier=front]
          back:
            internal: true
            driver: bridge
          outside:
            external: true
            name: corp-net
        volumes:
          data:
            labels:
              keep: "yes"
          shared:
            external: true
            name: team-shared
            driver: local
        """

    @Test func aFileWithEverySupportedFeatureLoadsIntoTheModel() throws {
        // Given a project using every supported key
        let fixture = try ComposeFixture([
            "compose.yaml": Self.everyFeature,
            "web.env": "# the web's settings\nexport LOG_LEVEL=debug\nQUOTED=\"a b\"\nSINGLE='$NOT'\nDATABASE_URL=overridden\n",
        ])
        defer { fixture.remove() }
        // When it is loaded
        let project = try fixture.load("compose.yaml", environment: ["FROM_CALLER": "yes", "HOME": "/home/me"])
        // Then every value is in the model, long form, with absolute paths
        let dir = fixture.directory
        #expect(project.name == "shop")
        #expect(project.workingDirectory == dir)
        #expect(project.configFiles == [fixture.path("compose.yaml")])
        #expect(project.services.map(\.name) == ["web", "migrate", "db", "cache"])
        let web = try #require(project.service("web"))
        #expect(web.image == "shop/web:dev")
        #expect(web.build == ComposeBuild(context: dir + "/web", dockerfile: "Dockerfile.dev", args: ["PYTHON": "3.12"], target: "dev"))
        #expect(web.command == ["gunicorn", "app:create()", "--bind", "0.0.0.0:8000"])
        #expect(web.entrypoint == ["/entry.sh", "--"])
        #expect(
            web.environment == [
                "DATABASE_URL": "postgres://db/shop", "FROM_CALLER": "yes", "LOG_LEVEL": "debug", "QUOTED": "a b", "SINGLE": "$NOT",
            ])
        #expect(
            web.ports == [
                ComposePort(target: 8000),
                ComposePort(target: 80, published: 8080, hostIP: "127.0.0.1"),
                ComposePort(target: 53, published: 5353, protocolName: "udp"),
                ComposePort(target: 8080, published: 9090),
                ComposePort(target: 8081, published: 9091),
                ComposePort(target: 443, published: 8443, hostIP: "0.0.0.0"),
            ])
        #expect(
            web.volumes == [
                ComposeServiceVolume(type: .volume, source: "data", target: "/var/lib/data", readOnly: true),
                ComposeServiceVolume(type: .bind, source: dir + "/src", target: "/src"),
                ComposeServiceVolume(type: .bind, source: "/etc/hosts", target: "/hosts", readOnly: true),
                ComposeServiceVolume(type: .volume, target: "/anonymous"),
                ComposeServiceVolume(type: .tmpfs, target: "/scratch", tmpfsSizeBytes: 64 << 20),
                ComposeServiceVolume(type: .bind, source: dir + "/conf", target: "/conf", readOnly: true),
            ])
        #expect(web.networks == ["front": ComposeServiceNetwork(aliases: ["shop", "www"]), "back": ComposeServiceNetwork()])
        #expect(web.dependsOn == ["db": .serviceHealthy, "cache": .serviceStarted, "migrate": .serviceCompletedSuccessfully])
        #expect(
            web.healthcheck
                == ComposeHealthcheck(
                    test: ["CMD-SHELL", "curl -f http://localhost:8000/health"], intervalSeconds: 90, timeoutSeconds: 10,
                    startPeriodSeconds: 0.5, retries: 3))
        #expect(web.labels == ["team": "shop"])
        #expect(web.restart == "unless-stopped")
        #expect(web.workingDir == "/src" && web.user == "1000:1000" && web.hostname == "web-1")
        #expect(web.extraHosts == ["host.docker.internal:host-gateway", "other:10.0.0.1"])
        #expect(web.tmpfs == ["/run"] && web.capAdd == ["NET_ADMIN"] && web.capDrop == ["ALL"])
        #expect(!web.privileged && web.readOnly && web.runInit == true)
        #expect(web.stopSignal == "SIGINT" && web.stopGracePeriodSeconds == 60)
        #expect(web.memoryBytes == 512 << 20 && web.cpus == 0.5 && web.shmSizeBytes == 1 << 30)
        #expect(web.replicas == 1 && web.profiles.isEmpty)
        #expect(web.source == "\(fixture.path("compose.yaml")):8")

        let migrate = try #require(project.service("migrate"))
        #expect(migrate.command == ["sh", "-c", "echo migrated"])
        #expect(migrate.networks == ["back": ComposeServiceNetwork()])
        #expect(migrate.labels == ["com.example.role": "migrate"])

        let db = try #require(project.service("db"))
        #expect(db.healthcheck?.test == ["CMD", "pg_isready", "-U", "postgres"] && db.healthcheck?.intervalSeconds == 2)
        #expect(db.volumes == [ComposeServiceVolume(type: .volume, source: "data", target: "/var/lib/postgresql/data")])
        #expect(db.cpus == 1.5 && db.memoryBytes == 1 << 30 && db.replicas == 1)

        let cache = try #require(project.service("cache"))
        #expect(cache.replicas == 2 && cache.tmpfs == ["/tmp", "/data"])
        #expect(cache.healthcheck == ComposeHealthcheck(test: [], disable: true))

        #expect(
            project.networks == [
                "front": ComposeNetwork(labels: ["tier": "front"]), "back": ComposeNetwork(internal: true),
                "outside": ComposeNetwork(external: true, name: "corp-net"),
            ])
        #expect(
            project.volumes == [
                "data": ComposeVolume(labels: ["keep": "yes"]), "shared": ComposeVolume(external: true, name: "team-shared"),
            ])
        #expect(project.warnings.isEmpty)
    }

    @Test func profilesSelectServices() throws {
        let fixture = try ComposeFixture([
            "compose.yaml": Self.everyFeature, "web.env": "",
        ])
        defer { fixture.remove() }
        let withDebug = try fixture.load("compose.yaml", profiles: ["debug"])
        #expect(withDebug.service("debug")?.profiles == ["debug"])
        let all = try fixture.load("compose.yaml", profiles: ["*"])
        #expect(all.services.count == 5)
    }

    @Test func twoFilesMergeAsComposeDoes() throws {
        // Given a base file and an override
        let fixture = try ComposeFixture([
            "compose.yaml": """
            services:
              web:
                image: ptest-iso-test/busybox:latest
                command: sleep 1
                environment: [A=1, B=2]
                ports: ["8080:80"]
                volumes: [./a:/data, logs:/logs]
                labels: {tier: web}
                networks: [front]
                healthcheck:
                  test: ["CMD", "true"]
                  interval: 5s
              db:
                image: ptest-iso-test/postgres:bookworm
            networks:
              front:
            volumes:
              logs:
            """,
            "override.yaml": """
            services:
              web:
                command: ["sleep", "2"]
                environment:
                  B: "3"
                  C: "4"
                ports: ["8080:80", "9000:9000"]
                volumes: [./b:/data]
                labels: [extra=yes]
                networks:
                  front:
                    aliases: [site]
                healthcheck:
                  retries: 5
                depends_on: [db]
              cache:
                image: ptest-iso-test/redis:bookworm
            """,
        ])
        defer { fixture.remove() }
        // When both are loaded in order
        let project = try fixture.load("compose.yaml", "override.yaml", projectName: "Merged.Project")
        // Then scalars and lists are replaced, maps merge, ports append and mounts merge by target
        #expect(project.name == "mergedproject")
        #expect(project.services.map(\.name) == ["web", "db", "cache"])
        let web = try #require(project.service("web"))
        #expect(web.command == ["sleep", "2"])
        #expect(web.environment == ["A": "1", "B": "3", "C": "4"])
        #expect(web.ports == [ComposePort(target: 80, published: 8080), ComposePort(target: 9000, published: 9000)])
        #expect(
            web.volumes == [
                ComposeServiceVolume(type: .bind, source: fixture.path("b"), target: "/data"),
                ComposeServiceVolume(type: .volume, source: "logs", target: "/logs"),
            ])
        #expect(web.labels == ["tier": "web", "extra": "yes"])
        #expect(web.networks == ["front": ComposeServiceNetwork(aliases: ["site"])])
        #expect(web.healthcheck == ComposeHealthcheck(test: ["CMD", "true"], intervalSeconds: 5, retries: 5))
        #expect(web.dependsOn == ["db": .serviceStarted])
        #expect(project.configFiles == [fixture.path("compose.yaml"), fixture.path("override.yaml")])
    }

    @Test func theProjectNameComesFromTheFileTheCallerOrTheDirectory() throws {
        let fixture = try ComposeFixture(["compose.yaml": "services:\n  a:\n    image: x\n"])
        defer { fixture.remove() }
        #expect(try fixture.load("compose.yaml", projectName: "My_App-2").name == "my_app-2")
        let fromDirectory = try fixture.load("compose.yaml").name
        #expect(fromDirectory == (fixture.directory as NSString).lastPathComponent.lowercased())
        try fixture.write("named.yaml", "name: fixed\nservices:\n  a:\n    image: x\n")
        #expect(try fixture.load("named.yaml").name == "fixed")
        // A given name wins, as `docker compose -p` does: two stacks of one file never collide.
        #expect(try fixture.load("named.yaml", projectName: "other").name == "other")
    }

    @Test func shellFormCommandsSplitLikeAShell() throws {
        let fixture = try ComposeFixture([
            "compose.yaml": #"""
            services:
              a:
                image: x
                command: sh -c "echo \"hi there\" && exit 0" plain\ word 'single'
            """#
        ])
        defer { fixture.remove() }
        let command = try fixture.load("compose.yaml").service("a")?.command
        #expect(command == ["sh", "-c", #"echo "hi there" && exit 0"#, "plain word", "single"])
    }
}

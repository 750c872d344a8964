import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoRedis
import OttoTasks
import OttoTestSupport
import Testing

@Suite("Processes", .serialized)
struct ProcessLifecycleTests {
    @Test(
        "`APP_ENV=production otto-api check-config` with an empty environment lists every missing variable and exits 78"
    )
    func checkConfigProduction() async throws {
        let (status, output) = try await ChildProcess.run(
            "otto-api", ["check-config"], environment: ["APP_ENV": "production"])
        #expect(status == 78)
        for variable in [
            "DATABASE_URL", "CLERK_SECRET_KEY", "CLERK_PUBLISHABLE_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
            "CALLRAIL_SIGNING_KEY", "ALLOWED_ORIGINS", "PUBLIC_BASE_URL",
        ] {
            #expect(output.contains(variable), "missing \(variable) in: \(output)")
        }
    }

    @Test("check-config never prints a secret, and --help shows no environment values")
    func checkConfigHidesSecrets() async throws {
        let environment = [
            "APP_ENV": "production", "DATABASE_URL": "postgres://u:Zq9pw1@h:notaport/db",
            "TWILIO_AUTH_TOKEN": "Zq9token", "INTERNAL_API_TOKEN": "Zq9", "CLERK_SECRET_KEY": "Zq9clerk",
        ]
        let (status, output) = try await ChildProcess.run("otto-api", ["check-config"], environment: environment)
        #expect(status == 78)
        #expect(output.contains("DATABASE_URL") && output.contains("TWILIO_AUTH_TOKEN"))
        #expect(!output.contains("Zq9"))
        for binary in ["otto-api", "otto-worker", "otto-beat"] {
            let (helpStatus, help) = try await ChildProcess.run(binary, ["--help"], environment: environment)
            #expect(helpStatus == 0)
            #expect(help.contains("check-config"))
            #expect(!help.contains("Zq9"))
        }
    }

    @Test("check-config validates per process: worker and beat with their flags off need nothing")
    func checkConfigPerProcess() async throws {
        let (worker, _) = try await ChildProcess.run(
            "otto-worker", ["check-config"], environment: ["APP_ENV": "production"])
        #expect(worker == 0)
        let (beat, output) = try await ChildProcess.run(
            "otto-beat", ["check-config"], environment: ["APP_ENV": "production", "ENABLE_CELERY_BEAT": "true"])
        #expect(beat == 78)
        #expect(output.contains("REDIS_URL"))
    }

    @Test("check-config --connect exits 0 when dependencies answer and 69 naming the one that does not")
    func checkConfigConnect() async throws {
        let database = try TestServices.databaseURL()
        let redis = try TestServices.redisURL()
        let (ok, okOutput) = try await ChildProcess.run(
            "otto-api", ["check-config", "--connect"], environment: ["DATABASE_URL": database, "REDIS_URL": redis])
        #expect(ok == 0, "\(okOutput)")
        let (down, output) = try await ChildProcess.run(
            "otto-api", ["check-config", "--connect"],
            environment: ["DATABASE_URL": database, "REDIS_URL": "redis://127.0.0.1:1/0"])
        #expect(down == 69)
        #expect(output.contains("redis"))
    }

    @Test("otto-beat's check-config --connect checks Redis, and only Redis: 0 when it answers, 69 naming it when not")
    func beatCheckConfigConnect() async throws {
        let redis = try TestServices.redisURL()
        // DATABASE_URL is set but not the beat's: it never opens PostgreSQL, even at a dead address.
        let environment = ["ENABLE_CELERY_BEAT": "true", "DATABASE_URL": "postgres://otto@127.0.0.1:1/none"]
        let (ok, okOutput) = try await ChildProcess.run(
            "otto-beat", ["check-config", "--connect"], environment: environment.merging(["REDIS_URL": redis]) { $1 })
        #expect(ok == 0, "\(okOutput)")
        #expect(okOutput.contains("redis: ok"), "\(okOutput)")
        #expect(!okOutput.contains("database"), "\(okOutput)")
        let (down, output) = try await ChildProcess.run(
            "otto-beat", ["check-config", "--connect"],
            environment: environment.merging(["REDIS_URL": "redis://127.0.0.1:1/0"]) { $1 })
        #expect(down == 69, "\(output)")
        #expect(output.contains("redis: did not answer"), "\(output)")
        #expect(output.contains("unavailable: redis"), "\(output)")
    }

    @Test("a worker with ENABLE_CELERY=false idles, says why, and exits 0 on SIGTERM")
    func disabledWorkerIdles() async throws {
        let child = ChildProcess(binary: "otto-worker", environment: ["APP_ENV": "test"])
        try child.start()
        #expect(await child.waitForOutput("ENABLE_CELERY", timeout: .seconds(60)), "\(child.output)")
        child.signal(SIGTERM)
        // Measured here: well under a second. The deadline only fails a worker that ignores SIGTERM.
        #expect(await child.waitForExit(timeout: .seconds(30)) == 0)
    }

    @Test("worker and beat connect, log ready, heartbeat, and exit 0 on SIGTERM and SIGINT")
    func workerAndBeatLifecycle() async throws {
        let prefix = TestServices.uniquePrefix("proc")
        let environment = [
            "APP_ENV": "test", "ENABLE_CELERY": "true", "ENABLE_CELERY_BEAT": "true", "REDIS_KEY_PREFIX": prefix,
            "DATABASE_URL": try TestServices.databaseURL(), "REDIS_URL": try TestServices.redisURL(),
        ]
        let worker = ChildProcess(binary: "otto-worker", environment: environment)
        let beat = ChildProcess(binary: "otto-beat", environment: environment)
        try worker.start()
        try beat.start()
        #expect(await worker.waitForOutput("otto-worker ready", timeout: .seconds(60)), "\(worker.output)")
        #expect(await beat.waitForOutput("otto-beat ready", timeout: .seconds(60)), "\(beat.output)")

        let logger = Logger(label: "test")
        let redis = RedisClient(endpoint: try RedisEndpoint(url: try TestServices.redisURL()), logger: logger)
        let fleet = WorkerFleet(redis: redis, keys: RedisKeys(prefix: prefix))
        let alive = await eventually(timeout: .seconds(60)) { (try? await fleet.hasLiveWorker()) == true }
        #expect(alive, "\(worker.output)")

        worker.signal(SIGTERM)
        beat.signal(SIGINT)
        // Both exit within a second here (nothing in flight); the deadlines only fail a process
        // that ignores the signal (the worker's is under Fly's kill timeout of 30 s).
        #expect(await worker.waitForExit(timeout: .seconds(25)) == 0)
        #expect(await beat.waitForExit(timeout: .seconds(25)) == 0)
        // The worker removes its heartbeat on the way out.
        #expect(try await fleet.hasLiveWorker() == false)
        await redis.close()
    }

    @Test("otto-api serves /health and exits 0 on SIGINT")
    func apiLifecycle() async throws {
        let port = FreePort.pick()
        let api = ChildProcess(
            binary: "otto-api",
            environment: [
                "APP_ENV": "test", "PORT": "\(port)", "HOST": "127.0.0.1",
                "DATABASE_URL": try TestServices.databaseURL(),
            ])
        try api.start()
        let up = await eventually(timeout: .seconds(60)) {
            await ProcessProbe.httpStatus("http://127.0.0.1:\(port)/health") == 200
        }
        #expect(up, "\(api.output)")
        api.signal(SIGINT)
        #expect(await api.waitForExit(timeout: .seconds(25)) == 0)
        #expect(api.output.contains("\"route\":\"/health\"") || api.output.contains("route=/health"))
    }

    @Test(
        "otto-worker and otto-beat do not link Hummingbird; otto-api does",
        arguments: [
            ("otto-worker", false), ("otto-beat", false), ("otto-api", true),
        ])
    func binariesLinkOnlyWhatTheyUse(binary: String, linksHummingbird: Bool) async throws {
        let nm = try await ProcessRunner.run("/usr/bin/nm", [TestServices.binary(binary)])
        #expect(nm.status == 0)
        let symbols = nm.text
        #expect(!symbols.isEmpty)
        #expect(symbols.contains("Hummingbird") == linksHummingbird)
    }

    @Test(
        "otto-beat links neither libpq, PostgreSQL code, the domain, the providers' HTTP client nor swift-crypto; otto-worker does"
    )
    func beatLinksOnlyRedis() async throws {
        for (binary, linksPostgres) in [("otto-beat", false), ("otto-worker", true)] {
            let path = TestServices.binary(binary)
            let nm = try await ProcessRunner.run("/usr/bin/nm", [path])
            #expect(nm.status == 0)
            #expect(!nm.text.isEmpty)
            // Swift's mangled module names: 12OttoPostgres, 9OttoCalls, 15AsyncHTTPClient.
            for module in ["12OttoPostgres", "9OttoCalls", "15AsyncHTTPClient"] {
                #expect(nm.text.contains(module) == linksPostgres, "\(binary): \(module)")
            }
            #expect(nm.text.contains("PQconnectPoll") == linksPostgres, "\(binary): libpq")
            // swift-crypto's BoringSSL (the beat names its Lua scripts with OttoSupport's SHA1).
            #expect(nm.text.contains("CCryptoBoringSSL_") == linksPostgres, "\(binary): swift-crypto")
            let ldd = try await ProcessRunner.run("/usr/bin/ldd", [path])
            #expect(ldd.status == 0)
            #expect(ldd.text.contains("libpq.so") == linksPostgres, "\(binary): \(ldd.text)")
            #expect(ldd.text.contains("libhiredis"), "\(binary) talks to Redis")
        }
    }
}

// swift-tools-version: 6.2
import PackageDescription

/// Otto: one workspace, one shared core, two leaf libraries (OttoPostgres, OttoRedis) that know
/// no Otto type, and one minimal binary per Fly process group. `otto-worker` and `otto-beat`
/// link OttoCore only (no HTTP server framework). Linux only: libpq and hiredis come from
/// Debian's packages and the sources call Glibc.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    // The model codebases' habits: `any` spelled out, and a file sees only the members of
    // modules it imports itself (no leak through another target's imports).
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]
/// The tests keep the language mode only: their files import what they test, and a test
/// target's imports are not a seam anyone else builds on.
let testSwiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6)
]

let package = Package(
    name: "otto",
    products: [
        .executable(name: "otto-api", targets: ["OttoAPI"]),
        .executable(name: "otto-worker", targets: ["OttoWorker"]),
        .executable(name: "otto-beat", targets: ["OttoBeat"]),
        .library(name: "OttoCore", targets: ["OttoCore"]),
    ],
    dependencies: [
        // Hummingbird's default trait pulls in Foundation and ICU; Otto needs neither.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        // Already in the graph through Hummingbird; named so OttoAPI's connection guard can see
        // the decoded HTTP parts (NIOHTTPTypes).
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // W3C traceparent/tracestate types (OttoAPI's trace context adapter).
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: []),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0", traits: []),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // The generated server code of docs/openapi.json (Sources/OttoAPI/Generated, `make openapi`).
        // The runtime's FullFoundation trait would link Foundation and ICU; without it, it uses
        // FoundationEssentials.
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4", traits: []),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        // PostgreSQL through libpq: connection, pool, rows and decoding, errors, the migration
        // runner. Knows no Otto type (scripts/check-imports.sh).
        .target(
            name: "OttoPostgres",
            dependencies: [
                "CLibPQ",
                "OttoSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Redis through hiredis (the RESP codec) and NIO (the bytes, TLS): client, connection,
        // endpoint, scripts. Knows no Otto type.
        .target(
            name: "OttoRedis",
            dependencies: [
                "CHiredis",
                "OttoSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // What every layer shares and nothing else: hex, constant-time comparison, deadlines,
        // durations, clocks, ids. Imports no Otto target; the leaves may use it.
        .target(
            name: "OttoSupport",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio")
            ],
            swiftSettings: swiftSettings
        ),
        // The task system: task protocol, registry, envelope, queues, worker, fleet and
        // heartbeats, schedules and the beat's leader lease. Redis only: no PostgreSQL, no domain.
        .target(
            name: "OttoTasks",
            dependencies: [
                "OttoSupport",
                "OttoRedis",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The product's domain: tenancy, webhook verification and events, calls, idempotency,
        // rate-limit decisions, the migrations' SQL and the domain tasks. The only target that
        // writes SQL.
        .target(
            name: "OttoCalls",
            dependencies: [
                "OttoSupport",
                "OttoPostgres",
                "OttoRedis",
                "OttoTasks",
                "OttoProviders",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP clients of the four providers the pipeline calls (Deepgram, OpenAI, Twilio media,
        // CallRail): one shared AsyncHTTPClient run as a Service, typed provider errors. Knows
        // no Otto type but OttoSupport's.
        .target(
            name: "OttoProviders",
            dependencies: [
                "OttoSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // What every process is made of and otto-beat needs nothing beyond: configuration reading
        // (the shared keys, Redis, logging, the beat's), JSON logging, check-config, the beat's
        // composition and the idle and ready services. No PostgreSQL, no domain, no HTTP client:
        // otto-beat links this, OttoTasks and OttoRedis only.
        .target(
            name: "OttoProcessKit",
            dependencies: [
                "OttoSupport",
                "OttoRedis",
                "OttoTasks",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                // The `check-config` subcommand every binary shares (Composition/CheckConfigCommand).
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The API's and the worker's configuration and composition (PostgreSQL, the domain, the
        // providers), on OttoProcessKit.
        .target(
            name: "OttoCore",
            dependencies: [
                "OttoSupport",
                "OttoProcessKit",
                "OttoPostgres",
                "OttoRedis",
                "OttoTasks",
                "OttoCalls",
                "OttoProviders",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "OttoAPI",
            dependencies: [
                "OttoCore",
                "OttoProcessKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "OttoWorker",
            dependencies: [
                "OttoCore",
                "OttoProcessKit",
                "OttoRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "OttoBeat",
            dependencies: [
                "OttoProcessKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OttoTestSupport",
            dependencies: [
                "OttoSupport", "OttoCore", "OttoProcessKit", "OttoTasks", "OttoCalls", "OttoPostgres", "OttoRedis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                // TestTokens: Clerk-shaped tokens for the API's tests, unit and integration.
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                // StandIn: the provider stand-ins' control API.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/OttoTestSupport",
            swiftSettings: testSwiftSettings
        ),
        // The benchmark's ceiling: a bare Hummingbird route (not shipped).
        .executableTarget(
            name: "MinimalServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Benchmarks/MinimalServer",
            swiftSettings: swiftSettings
        ),
        // Tests of the two leaf libraries against the real servers.
        .testTarget(
            name: "OttoPostgresTests",
            dependencies: [
                "OttoPostgres",
                "OttoTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "OttoRedisTests",
            dependencies: [
                "OttoRedis",
                "OttoTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "OttoSystemTests",
            dependencies: [
                "OttoSupport",
                "OttoCore",
                "OttoProcessKit",
                "OttoTasks",
                "OttoCalls",
                "OttoPostgres",
                "OttoRedis",
                "OttoTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSwiftSettings
        ),
        // Tests that need no server and start no process: parsers, codecs, signatures, cursors,
        // schedules, retry policies, configuration rules. Folders name the target under test.
        .testTarget(
            name: "OttoUnitTests",
            dependencies: [
                "OttoSupport",
                "OttoPostgres",
                "OttoRedis",
                "OttoTasks",
                "OttoCalls",
                "OttoCore",
                "OttoProcessKit",
                "OttoProviders",
                "OttoAPI",
                "OttoTestSupport",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: testSwiftSettings
        ),
        // The domain against the real PostgreSQL and Redis: calls, the sweep, migrations.
        .testTarget(
            name: "OttoCallsTests",
            dependencies: [
                "OttoSupport",
                "OttoTasks",
                "OttoCalls",
                "OttoCore",
                "OttoProcessKit",
                "OttoPostgres",
                "OttoTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSwiftSettings
        ),
        // The provider clients against the local stand-ins (Tests/StandIns/providers.py).
        .testTarget(
            name: "OttoProvidersTests",
            dependencies: [
                "OttoProviders",
                "OttoSupport",
                "OttoTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: testSwiftSettings
        ),
        // The composition of the processes' services against the real servers.
        .testTarget(
            name: "OttoCoreTests",
            dependencies: [
                "OttoSupport",
                "OttoCore",
                "OttoProcessKit",
                "OttoTasks",
                "OttoCalls",
                "OttoPostgres",
                "OttoRedis",
                "OttoTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "OttoAPITests",
            dependencies: [
                "OttoAPI",
                "OttoSupport",
                "OttoCore",
                "OttoProcessKit",
                "OttoTasks",
                "OttoCalls",
                "OttoPostgres",
                "OttoRedis",
                "OttoTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: testSwiftSettings
        ),
    ]
)

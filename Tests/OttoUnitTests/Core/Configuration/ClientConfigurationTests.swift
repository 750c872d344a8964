import Configuration
import Logging
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// The concerns every process shares, each read alone: PostgreSQL, Redis, logging, and the
/// operator tools' composition of them.
@Suite("Configuration: database, Redis, logging, operator tools")
struct ClientConfigurationTests {
    @Test("DATABASE_URL is required for the reason given and checked by libpq's rules")
    func database() throws {
        let read = { (config: ConfigReader) throws(ConfigurationProblems) in
            try DatabaseConfiguration(config: config, requiredBecause: "by otto-api")
        }
        #expect(ConfigurationRules.messages([:], read) == ["DATABASE_URL: is required by otto-api"])
        #expect(ConfigurationRules.messages(["DATABASE_URL": "  "], read) == ["DATABASE_URL: is required by otto-api"])
        #expect(ConfigurationRules.refused(["DATABASE_URL": "mysql://h/db"], read) == ["DATABASE_URL"])
        #expect(ConfigurationRules.refused(["DATABASE_URL": "postgres://h/db?sslmode=bogus"], read) == ["DATABASE_URL"])
        let database = try DatabaseConfiguration(
            config: ConfigurationRules.reader(["DATABASE_URL": "postgresql://otto:pw@h:5432/otto"]),
            requiredBecause: "by otto-api")
        #expect(database.url.value == "postgresql://otto:pw@h:5432/otto")
        #expect("\(database.url)" == "<redacted>")
    }

    func redis(_ environment: [String: String], _ use: RedisConfiguration.Use) throws -> RedisConfiguration {
        try RedisConfiguration(config: ConfigurationRules.reader(environment), use: use)
    }

    @Test("Redis: what each use reads and requires")
    func redisUses() throws {
        #expect(try redis([:], .optional).endpoint == nil)
        #expect(try redis(["REDIS_URL": "redis://h:1"], .keyPrefixOnly).endpoint == nil)
        // A flag-off process does not even look at the URL.
        #expect(try redis(["REDIS_URL": "mysql://h"], .keyPrefixOnly).endpoint == nil)
        #expect(try redis(["REDIS_URL": "redis://h:6390/3"], .optional).endpoint?.port == 6390)
        let messages = ConfigurationRules.messages([:]) { config throws(ConfigurationProblems) in
            try RedisConfiguration(config: config, use: .required(because: "when ENABLE_CELERY=true"))
        }
        #expect(messages == ["REDIS_URL: is required when ENABLE_CELERY=true (or UPSTASH_REDIS_URL)"])
        let upstashBad = ConfigurationRules.refused(["UPSTASH_REDIS_URL": "http://h"]) {
            config throws(ConfigurationProblems) in try RedisConfiguration(config: config, use: .optional)
        }
        #expect(upstashBad == ["UPSTASH_REDIS_URL"])
    }

    @Test("REDIS_KEY_PREFIX: default otto:, at most 64 characters, no spaces or braces")
    func keyPrefix() throws {
        #expect(try redis([:], .keyPrefixOnly).keyPrefix == "otto:")
        #expect(try redis(["REDIS_KEY_PREFIX": "staging:"], .keyPrefixOnly).keyPrefix == "staging:")
        #expect(try redis(["REDIS_KEY_PREFIX": String(repeating: "p", count: 64)], .optional).keyPrefix.count == 64)
        for bad in [String(repeating: "p", count: 65), "a{b", "a}b", "a b"] {
            let refused = ConfigurationRules.refused(["REDIS_KEY_PREFIX": bad]) {
                config throws(ConfigurationProblems) in try RedisConfiguration(config: config, use: .keyPrefixOnly)
            }
            #expect(refused == ["REDIS_KEY_PREFIX"], "\(bad)")
        }
    }

    @Test("REDIS_TLS_CA_FILE must name a readable file")
    func caFile() {
        let refused = ConfigurationRules.refused([
            "REDIS_URL": "rediss://h:6380", "REDIS_TLS_CA_FILE": "/nonexistent/ca.pem",
        ]) { config throws(ConfigurationProblems) in try RedisConfiguration(config: config, use: .optional) }
        #expect(refused == ["REDIS_TLS_CA_FILE"])
    }

    @Test("logging: info and text in development, json elsewhere, and both keys checked")
    func logging() throws {
        let development = try LoggingConfiguration(config: ConfigurationRules.reader([:]), environment: .development)
        #expect(development == LoggingConfiguration(level: .info, format: .text))
        for app in [AppEnvironment.test, .staging, .production] {
            #expect(try LoggingConfiguration(config: ConfigurationRules.reader([:]), environment: app).format == .json)
        }
        let set = try LoggingConfiguration(
            config: ConfigurationRules.reader(["LOG_LEVEL": "DEBUG", "LOG_FORMAT": "text"]), environment: .production)
        #expect(set == LoggingConfiguration(level: .debug, format: .text))
        let refused = ConfigurationRules.refused(["LOG_LEVEL": "loud", "LOG_FORMAT": "xml"]) {
            config throws(ConfigurationProblems) in try LoggingConfiguration(config: config, environment: .test)
        }
        #expect(refused == ["LOG_LEVEL", "LOG_FORMAT"])
    }

    @Test("the operator tools require Redis, log text, and ignore the worker's flag and strictness")
    func operatorTools() throws {
        #expect(throws: ConfigurationError.self) { try OperatorConfiguration.load(environment: [:]) }
        do {
            _ = try OperatorConfiguration.load(environment: ["APP_ENV": "production", "LOG_LEVEL": "loud"])
            Issue.record("an operator configuration without Redis was accepted")
        } catch {
            #expect(error.process == .worker)
            #expect(error.variables == ["LOG_LEVEL", "REDIS_URL"])
            #expect(error.description.contains("REDIS_URL: is required by the operator tools (or UPSTASH_REDIS_URL)"))
        }
        let tools = try OperatorConfiguration.load(environment: [
            "APP_ENV": "production", "REDIS_URL": "redis://h:6391", "REDIS_KEY_PREFIX": "ops:", "LOG_FORMAT": "json",
            "ENABLE_CELERY": "false",
        ])
        #expect(tools.environment == .production)
        #expect(tools.endpoint.port == 6391)
        #expect(tools.redis.keyPrefix == "ops:")
        #expect(tools.logging.format == .text)
        let unknown = try OperatorConfiguration.load(environment: ["APP_ENV": "prod", "REDIS_URL": "redis://h"])
        #expect(unknown.environment == .development)
    }
}

import Configuration
import OttoProviders
import Testing

@testable import OttoCore
@testable import OttoProcessKit

/// The provider clients' settings otto-worker reads (DESIGN.md: `DEEPGRAM_BASE_URL`,
/// `DEEPGRAM_MODEL`, `OPENAI_BASE_URL`, `OPENAI_MODEL`, plus `CALLRAIL_BASE_URL` and
/// `PROVIDER_REQUEST_TIMEOUT`).
@Suite("Provider client configuration")
struct ProviderConfigurationTests {
    static func read(
        _ environment: [String: String], _ appEnvironment: AppEnvironment = .development,
        credentials: ProviderCredentials = ProviderCredentials()
    ) -> (ReadResult) {
        do {
            return .read(
                try ProviderConfiguration(
                    config: ConfigurationRules.reader(environment), environment: appEnvironment,
                    credentials: credentials))
        } catch {
            return .refused(error.problems.map(\.description))
        }
    }

    enum ReadResult {
        case read(ProviderConfiguration)
        case refused([String])

        var configuration: ProviderConfiguration? {
            if case .read(let value) = self { value } else { nil }
        }
        var problems: [String] {
            if case .refused(let problems) = self { problems } else { [] }
        }
    }

    @Test("unset, the official hosts, nova-3, a structured-output OpenAI model and 300 s")
    func defaults() throws {
        let configuration = try #require(Self.read([:]).configuration)
        #expect(configuration.deepgram.baseURL == "https://api.deepgram.com")
        #expect(configuration.deepgram.model == "nova-3")
        #expect(configuration.openAI.baseURL == "https://api.openai.com")
        #expect(configuration.openAI.model == OpenAIConfiguration.defaultModel)
        #expect(configuration.callRail.baseURL == "https://api.callrail.com")
        #expect(configuration.deepgram.requestTimeout == .seconds(300))
        #expect(configuration.openAI.requestTimeout == .seconds(300))
    }

    @Test("set, the values are used (trailing slashes dropped) and the keys come from the credentials")
    func overrides() throws {
        let credentials = ProviderCredentials(
            twilio: TwilioCredentials(accountSID: "AC" + String(repeating: "0", count: 32), authToken: .init("t")),
            callrailAPIKey: .init("cr"), deepgramAPIKey: .init("dg"), openAIAPIKey: .init("oa"))
        let configuration = try #require(
            Self.read(
                [
                    "DEEPGRAM_BASE_URL": "http://127.0.0.1:24680/", "DEEPGRAM_MODEL": "nova-2-phonecall",
                    "OPENAI_BASE_URL": "http://127.0.0.1:24680", "OPENAI_MODEL": "gpt-4o-2024-08-06",
                    "CALLRAIL_BASE_URL": "http://127.0.0.1:24680//", "PROVIDER_REQUEST_TIMEOUT": "45",
                ], credentials: credentials
            ).configuration)
        #expect(configuration.deepgram.baseURL == "http://127.0.0.1:24680")
        #expect(configuration.deepgram.model == "nova-2-phonecall")
        #expect(configuration.openAI.baseURL == "http://127.0.0.1:24680")
        #expect(configuration.openAI.model == "gpt-4o-2024-08-06")
        #expect(configuration.callRail.baseURL == "http://127.0.0.1:24680")
        #expect(configuration.twilioMedia.requestTimeout == .seconds(45))
        #expect(configuration.deepgram.apiKey?.value == "dg")
        #expect(configuration.openAI.apiKey?.value == "oa")
        #expect(configuration.callRail.apiKey?.value == "cr")
        #expect(configuration.twilioMedia.authToken?.value == "t")
        // The keys stay out of every printed form.
        for text in [String(describing: configuration), String(reflecting: configuration)] {
            #expect(!text.contains("\"dg\"") && !text.contains("\"oa\"") && !text.contains("\"cr\""))
        }
    }

    @Test("every invalid value is named at once")
    func invalid() {
        let problems = Self.read([
            "DEEPGRAM_BASE_URL": "api.deepgram.com", "OPENAI_BASE_URL": "https://api.openai.com/?x=1",
            "CALLRAIL_BASE_URL": "https://", "DEEPGRAM_MODEL": "nova 3", "OPENAI_MODEL": "gpt-4o&x=1",
            "PROVIDER_REQUEST_TIMEOUT": "0",
        ]).problems
        #expect(
            problems == [
                "PROVIDER_REQUEST_TIMEOUT: must be a whole number from 1 to 3600",
                "DEEPGRAM_BASE_URL: must start with http:// or https://",
                "OPENAI_BASE_URL: must not contain a query, fragment or spaces",
                "CALLRAIL_BASE_URL: must name a host",
                "DEEPGRAM_MODEL: must be a model name (letters, digits, '-', '.', '_' or ':', at most 100)",
                "OPENAI_MODEL: must be a model name (letters, digits, '-', '.', '_' or ':', at most 100)",
            ])
    }

    @Test("staging and production need https base URLs; development accepts a local stand-in")
    func httpsWhenStrict() {
        let local = ["DEEPGRAM_BASE_URL": "http://127.0.0.1:24680", "OPENAI_BASE_URL": "http://127.0.0.1:24680"]
        #expect(Self.read(local, .development).configuration != nil)
        #expect(Self.read(local, .test).configuration != nil)
        for strict in [AppEnvironment.staging, .production] {
            #expect(
                Self.read(local, strict).problems == [
                    "DEEPGRAM_BASE_URL: must use https:// in staging and production",
                    "OPENAI_BASE_URL: must use https:// in staging and production",
                ])
            #expect(Self.read([:], strict).configuration != nil, "the official hosts are https")
        }
    }

    @Test("otto-worker reads them with ENABLE_CELERY=true, and not at all without")
    func worker() throws {
        let base = [
            "ENABLE_CELERY": "true", "DATABASE_URL": "postgres://localhost/otto", "REDIS_URL": "redis://localhost",
        ]
        let worker = try WorkerProcessConfiguration.load(
            environment: base.merging(["DEEPGRAM_MODEL": "nova-2", "DEEPGRAM_API_KEY": "dg"]) { $1 })
        #expect(worker.providerClients?.deepgram.model == "nova-2")
        #expect(worker.providerClients?.deepgram.apiKey?.value == "dg")
        do {
            _ = try WorkerProcessConfiguration.load(environment: base.merging(["OPENAI_BASE_URL": "x"]) { $1 })
            Issue.record("the worker accepted OPENAI_BASE_URL=x")
        } catch {
            #expect(error.variables == ["OPENAI_BASE_URL"])
        }
        let idle = try WorkerProcessConfiguration.load(environment: ["OPENAI_BASE_URL": "x"])
        #expect(idle.providerClients == nil)
    }
}

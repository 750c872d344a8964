import Configuration
import OttoCalls
import Testing

@testable import OttoCore
@testable import OttoProcessKit

/// The pipeline's limits otto-worker reads: per-provider concurrency and rate, and the
/// per-tenant cap of the fair admission.
@Suite("Pipeline configuration")
struct PipelineConfigurationTests {
    static func read(_ environment: [String: String]) -> Result<PipelineConfiguration, ConfigurationProblems> {
        Result { () throws(ConfigurationProblems) in
            try PipelineConfiguration(config: ConfigurationRules.reader(environment))
        }
    }

    @Test("unset: 20 at once per provider, no rate limit, 4 workflows per tenant")
    func defaults() throws {
        let configuration = try Self.read([:]).get()
        #expect(configuration.deepgram == .init(concurrency: 20))
        #expect(configuration.openAI == .init(concurrency: 20))
        #expect(configuration.twilioMedia == .init(concurrency: 20))
        #expect(configuration.tenantConcurrency == 4)
        #expect(configuration.deepgram.ratePerSecond == nil)
    }

    @Test("set: each provider's concurrency and N/PERIOD rate, and the tenant cap")
    func values() throws {
        let configuration = try Self.read([
            "DEEPGRAM_CONCURRENCY": "5", "DEEPGRAM_RATE_LIMIT": "120/1m", "OPENAI_CONCURRENCY": "7",
            "OPENAI_RATE_LIMIT": "10/s", "TWILIO_MEDIA_CONCURRENCY": "3", "PIPELINE_TENANT_CONCURRENCY": "2",
        ]).get()
        #expect(configuration.deepgram.concurrency == 5)
        #expect(configuration.deepgram.ratePerSecond == 2)
        #expect(configuration.openAI.concurrency == 7)
        #expect(configuration.openAI.ratePerSecond == 10)
        #expect(configuration.twilioMedia.concurrency == 3)
        #expect(configuration.tenantConcurrency == 2)
    }

    @Test("every bad value is reported at once, by name")
    func problems() {
        guard
            case .failure(let error) = Self.read([
                "DEEPGRAM_CONCURRENCY": "0", "OPENAI_RATE_LIMIT": "fast", "PIPELINE_TENANT_CONCURRENCY": "-1",
                "TWILIO_MEDIA_RATE_LIMIT": "5/d",
            ])
        else {
            Issue.record("bad values were accepted")
            return
        }
        let variables = Set(error.problems.map(\.variable))
        #expect(
            variables == [
                "DEEPGRAM_CONCURRENCY", "OPENAI_RATE_LIMIT", "PIPELINE_TENANT_CONCURRENCY", "TWILIO_MEDIA_RATE_LIMIT",
            ])
    }
}

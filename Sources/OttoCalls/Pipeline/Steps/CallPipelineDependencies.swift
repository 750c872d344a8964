import OttoPostgres
import OttoProviders
import OttoTasks

/// What the pipeline's steps use: the database, the provider clients and the outbound limits
/// every worker shares through Redis.
public struct CallPipelineDependencies: Sendable {
    public var postgres: PostgresPool
    public var providers: ProviderClients
    public var limits: ProviderLimits

    public init(postgres: PostgresPool, providers: ProviderClients, limits: ProviderLimits) {
        self.postgres = postgres
        self.providers = providers
        self.limits = limits
    }
}

/// One shared limit per provider the pipeline calls.
public struct ProviderLimits: Sendable {
    public var deepgram: OutboundLimit
    public var openAI: OutboundLimit
    /// Twilio's media downloads and CallRail's API (recordings are fetched from one or the other).
    public var recordingMedia: OutboundLimit

    public init(deepgram: OutboundLimit, openAI: OutboundLimit, recordingMedia: OutboundLimit) {
        self.deepgram = deepgram
        self.openAI = openAI
        self.recordingMedia = recordingMedia
    }

    /// Deepgram, OpenAI and recording media, in that order.
    public var all: [OutboundLimit] { [deepgram, openAI, recordingMedia] }

    /// The limit that a provider's 429 pauses.
    func limit(for provider: ProviderName) -> OutboundLimit {
        switch provider {
        case .deepgram: deepgram
        case .openAI: openAI
        case .twilio, .callRail: recordingMedia
        }
    }
}

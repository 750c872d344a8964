import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import OttoCalls

/// Per-request state: the request id, the peer, and facts inner layers learn (the tenant)
/// that the outer access log reports.
struct OttoRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The request id echoed in `X-Request-ID`, every log line and every problem body.
    var requestID: String = ""
    /// The TCP peer; loopback peers may reach internal routes.
    let remoteAddress: SocketAddress?
    /// Set by authentication; read by the access log after the response.
    let facts = RequestFacts()
    /// The W3C trace context of this request: continued from `traceparent` or started here.
    var trace: TraceContext = .start()
    /// The client's address, chosen once per request by `ClientAddressMiddleware`: the TCP peer,
    /// or `Fly-Client-IP` when that header is trusted (`TRUST_FLY_CLIENT_IP`).
    var clientAddress: String?
    /// What session verification found on `/v1/*` (set by `SessionVerificationMiddleware`,
    /// read by the rate limit and then by `TenantResolutionMiddleware`).
    var credentials: CredentialCheck?
    /// The verified caller on `/v1/*` routes (set by `TenantResolutionMiddleware`).
    var identity: ClerkIdentity?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}

/// Mutable, request-scoped facts shared by reference between middleware layers.
final class RequestFacts: Sendable {
    private let tenant = NIOLockedValueBox<String?>(nil)

    /// The tenant id once authentication resolved it.
    var tenantID: String? {
        get { tenant.withLockedValue { $0 } }
        set { tenant.withLockedValue { $0 = newValue } }
    }
}

import Crypto
import HTTPTypes
import OttoSupport

/// The dashboard's sign-in: signed, expiring session cookies and the CSRF tokens bound to them.
///
/// A session is `v1.<expiry unix s>.<nonce hex>.<mac hex>`, the MAC an HMAC-SHA256 of the first
/// three parts under a key derived from `INTERNAL_API_TOKEN` (so rotating the token ends every
/// session). Without a token configured only loopback may open the dashboard, and the key is
/// random per process. A session's CSRF token is the HMAC of the session under the same key,
/// so it is valid with that cookie only and needs no server state.
struct DashboardSessions: Sendable {
    static let cookieName = "otto_dashboard"
    /// How long a session lasts (8 hours: an on-call shift).
    static let lifetime = 8 * 3600

    private let key: SymmetricKey
    private let tokenDigest: [UInt8]?

    init(internalToken: String?) {
        if let internalToken, !internalToken.isEmpty {
            let derived = HMAC<SHA256>.authenticationCode(
                for: Array("otto-dashboard-session-v1".utf8), using: SymmetricKey(data: Array(internalToken.utf8)))
            key = SymmetricKey(data: Array(derived))
            tokenDigest = Array(SHA256.hash(data: Array(internalToken.utf8)))
        } else {
            key = SymmetricKey(size: .bits256)
            tokenDigest = nil
        }
    }

    /// Whether `presented` is `INTERNAL_API_TOKEN` (hashed first, so neither its length nor its
    /// content shows in the comparison's time); false when no token is configured.
    func isInternalToken(_ presented: String) -> Bool {
        guard let tokenDigest else { return false }
        return ConstantTime.equals(Array(SHA256.hash(data: Array(presented.utf8))), tokenDigest)
    }

    /// A new session valid for ``lifetime`` from `now`.
    func issue(now: Double = UnixTime.now()) -> String {
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let payload = "v1.\(Int64(now) + Int64(Self.lifetime)).\(Hex.encode(nonce))"
        return payload + "." + mac(payload)
    }

    /// Whether `session` was issued by this key and has not expired.
    func isValid(_ session: String, now: Double = UnixTime.now()) -> Bool {
        let parts = session.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1", let expiry = Int64(parts[1]), parts[2].utf8.count == 32 else {
            return false
        }
        let payload = parts[0...2].joined(separator: ".")
        guard ConstantTime.equals(Array(mac(payload).utf8), Array(parts[3].utf8)) else { return false }
        return Double(expiry) > now
    }

    /// The CSRF token of `session`.
    func csrfToken(session: String) -> String { mac("csrf:" + session) }

    /// Whether `presented` is the CSRF token of `session`.
    func isCSRFToken(_ presented: String, session: String) -> Bool {
        ConstantTime.equals(Array(csrfToken(session: session).utf8), Array(presented.utf8))
    }

    /// The `Set-Cookie` value that stores `session`: HttpOnly, Secure, SameSite=Strict, on
    /// `/internal` only, expiring with the session.
    static func setCookie(_ session: String) -> String {
        "\(cookieName)=\(session); Max-Age=\(lifetime); Path=/internal; HttpOnly; Secure; SameSite=Strict"
    }

    /// The `Set-Cookie` value that ends the session in the browser.
    static let clearCookie = "\(cookieName)=; Max-Age=0; Path=/internal; HttpOnly; Secure; SameSite=Strict"

    /// The session cookie's value in `headers`, if any.
    static func session(in headers: HTTPFields) -> String? {
        for field in headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == cookieName { return String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
        return nil
    }

    private func mac(_ text: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
    }
}

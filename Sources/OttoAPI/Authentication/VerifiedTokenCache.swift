import Crypto
import Synchronization

/// Session tokens that passed `ClerkTokenVerifier` recently, so a client that sends the same
/// token on every request pays for RS256 and claim parsing once per `bound` instead of once per
/// request.
///
/// Keyed by the token's SHA-256 (the token itself is never kept). An entry is valid until the
/// token's `exp` or `bound` after it was verified, whichever comes first; an expired entry is a
/// miss, so the token goes through the verifier again (which refuses it once `exp` and its
/// leeway have passed). `bound` (10 s) is how long a token stays accepted after the verifier
/// stopped accepting it for a reason other than time: a JWKS rotation that withdrew its key.
/// It equals the JWKS source's minimum refresh interval, the delay by which the verifier
/// itself may notice a rotation, so the cache at most doubles that window.
///
/// Fixed capacity (10,000 tokens, a few MB at most) with CLOCK eviction: a hit sets the entry's
/// reference bit; an insert into a full cache sweeps the hand past referenced entries (clearing
/// their bits) and replaces the first entry not referenced since the last sweep. A hit takes
/// the lock once, hashes nothing but the token and allocates nothing.
final class VerifiedTokenCache: Sendable {
    /// How long a verified token is trusted without verifying it again.
    static let defaultBound: Double = 10
    static let defaultCapacity = 10_000

    private struct Slot {
        var key: SHA256Digest
        var claims: ClerkClaims
        var validUntil: Double
        var referenced: Bool
    }

    private struct State {
        var index: [SHA256Digest: Int] = [:]
        var slots: [Slot] = []
        var hand = 0
    }

    let capacity: Int
    let bound: Double
    private let state: Mutex<State>

    init(capacity: Int = VerifiedTokenCache.defaultCapacity, bound: Double = VerifiedTokenCache.defaultBound) {
        self.capacity = max(1, capacity)
        self.bound = bound
        var initial = State()
        initial.index.reserveCapacity(self.capacity)
        self.state = Mutex(initial)
    }

    /// The key of `token`: its SHA-256.
    static func key(_ token: String) -> SHA256Digest {
        var token = token
        return token.withUTF8 { bytes in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
            return hasher.finalize()
        }
    }

    /// The claims of a token verified less than `bound` ago and not expired at `now`.
    func claims(for key: SHA256Digest, now: Double) -> ClerkClaims? {
        state.withLock { state in
            guard let slot = state.index[key], state.slots[slot].validUntil > now else { return nil }
            state.slots[slot].referenced = true
            return state.slots[slot].claims
        }
    }

    /// Records claims the verifier just accepted at `now`; valid until `exp` or `now + bound`.
    func insert(_ claims: ClerkClaims, for key: SHA256Digest, now: Double) {
        guard let exp = claims.exp else { return }
        let validUntil = min(exp, now + bound)
        guard validUntil > now else { return }
        state.withLock { state in
            if let slot = state.index[key] {
                state.slots[slot].claims = claims
                state.slots[slot].validUntil = validUntil
                return
            }
            let entry = Slot(key: key, claims: claims, validUntil: validUntil, referenced: false)
            if state.slots.count < capacity {
                state.index[key] = state.slots.count
                state.slots.append(entry)
                return
            }
            // CLOCK: an expired entry goes whatever its bit; a referenced one gets another turn.
            while state.slots[state.hand].referenced && state.slots[state.hand].validUntil > now {
                state.slots[state.hand].referenced = false
                state.hand = (state.hand + 1) % capacity
            }
            state.index[state.slots[state.hand].key] = nil
            state.slots[state.hand] = entry
            state.index[key] = state.hand
            state.hand = (state.hand + 1) % capacity
        }
    }

    /// Tokens held (for tests and diagnostics).
    var count: Int { state.withLock { $0.slots.count } }
}

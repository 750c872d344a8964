import Crypto
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `TENANT_SECRETS_KEY`: the AES-256 key that encrypts tenants' own secrets (their CallRail
/// signing keys) at rest.
///
/// Each secret is sealed with AES-GCM under a fresh random nonce, with the tenant id (and what
/// the secret is) as authenticated data, so a ciphertext copied to another tenant's row, or
/// into another column, fails to open. The stored form is `0x01 ‖ nonce (12) ‖ ciphertext ‖
/// tag (16)`; the leading version byte leaves room for a later key rotation scheme.
public struct TenantSecretsKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Why a value is not a usable key, or a sealed secret does not open.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// What a sealed secret is, bound into its authenticated data.
    public enum Purpose: String, Sendable {
        case callRailSigningKey = "callrail-signing-key"
    }

    static let formatVersion: UInt8 = 1
    let key: SymmetricKey

    /// Reads the variable's value: base64 (standard alphabet, padding optional) of 32 bytes.
    public init(base64 text: String) throws(Failure) {
        var padded = text.trimmed
        while padded.utf8.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded) else {
            throw Failure(description: "must be base64 (for example the output of `openssl rand -base64 32`)")
        }
        guard data.count == 32 else {
            throw Failure(description: "must be base64 of exactly 32 bytes (it decodes to \(data.count))")
        }
        key = SymmetricKey(data: data)
    }

    /// Encrypts `secret` for `tenantID` under a fresh nonce.
    public func seal(_ secret: String, tenantID: String, purpose: Purpose) throws(Failure) -> [UInt8] {
        do {
            let box = try AES.GCM.seal(
                Array(secret.utf8), using: key, nonce: AES.GCM.Nonce(),
                authenticating: Self.authenticatedData(tenantID: tenantID, purpose: purpose))
            return [Self.formatVersion] + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw Failure(description: "the secret could not be encrypted")
        }
    }

    /// Decrypts a value `seal` produced for the same tenant and purpose; throws when the key,
    /// the tenant or the purpose differ, or the bytes were changed.
    public func open(_ sealed: [UInt8], tenantID: String, purpose: Purpose) throws(Failure) -> String {
        guard sealed.count >= 1 + 12 + 16, sealed[0] == Self.formatVersion else {
            throw Failure(description: "the stored secret is not in a format this version reads")
        }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: sealed[1..<13]), ciphertext: sealed[13..<(sealed.count - 16)],
                tag: sealed[(sealed.count - 16)...])
            let plain = try AES.GCM.open(
                box, using: key, authenticating: Self.authenticatedData(tenantID: tenantID, purpose: purpose))
            guard let text = String(validating: Array(plain), as: UTF8.self) else {
                throw Failure(description: "the stored secret is not text")
            }
            return text
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "the stored secret does not open with this TENANT_SECRETS_KEY for this tenant")
        }
    }

    static func authenticatedData(tenantID: String, purpose: Purpose) -> [UInt8] {
        Array("otto-tenant-secret-v1|\(purpose.rawValue)|\(tenantID.lowercased())".utf8)
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

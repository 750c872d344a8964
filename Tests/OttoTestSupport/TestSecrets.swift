/// Fake secrets shared by every test that stores or reads tenants' keys. The test database is
/// shared, so every test seals with this one `TENANT_SECRETS_KEY`: an API started in a strict
/// environment with it must open every stored key (see the strict start-up tests).
public enum TestSecrets {
    /// Base64 of the bytes 0…31: obviously not a real key.
    public static let tenantSecretsKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
}

import Foundation
import OttoCalls
import OttoTasks
import OttoTestSupport
import Testing

/// The generated code's drift check (scripts/openapi-check.sh, run by `make test` without
/// building the generator): it passes on this checkout, and fails with "run make openapi" as
/// soon as the document or the generator's configuration no longer matches the stamps in
/// Sources/OttoAPI/Generated.
@Suite("OpenAPI drift check")
struct OpenAPIDriftTests {
    static let repository = OpenAPITests.repository

    /// A copy of what the check reads, with `change` applied to the copy.
    static func checkCopy(change: (URL) throws -> Void) async throws -> ProcessRunner.Result {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-drift-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for path in [
            "docs/openapi.json", "Tools/OpenAPIGenerator/openapi-generator-config.yaml",
            "Tools/OpenAPIGenerator/Package.swift", "scripts/openapi-generate.sh", "scripts/openapi-check.sh",
            "Sources/OttoAPI/Generated",
        ] {
            let target = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: repository.appendingPathComponent(path), to: target)
        }
        try change(root)
        return try await ProcessRunner.run(
            "/bin/bash", [root.appendingPathComponent("scripts/openapi-check.sh").path, root.path],
            standardError: .merged)
    }

    @Test("the generated code matches docs/openapi.json and the generator's configuration")
    func checkoutMatches() async throws {
        let result = try await Self.checkCopy(change: { _ in })
        #expect(result.status == 0, "\(result.text)")
    }

    @Test("a changed document fails the check with 'run make openapi'")
    func changedDocumentFails() async throws {
        let result = try await Self.checkCopy { root in
            let document = root.appendingPathComponent("docs/openapi.json")
            let text = try String(contentsOf: document, encoding: .utf8)
            try text.replacingOccurrences(of: "\"title\": \"Otto API\"", with: "\"title\": \"Otto API (edited)\"")
                .write(to: document, atomically: true, encoding: .utf8)
        }
        #expect(result.status != 0)
        #expect(result.text.contains("run make openapi"), "\(result.text)")
    }

    @Test("a changed generator configuration fails the check with 'run make openapi'")
    func changedConfigurationFails() async throws {
        let result = try await Self.checkCopy { root in
            let config = root.appendingPathComponent("Tools/OpenAPIGenerator/openapi-generator-config.yaml")
            let text = try String(contentsOf: config, encoding: .utf8)
            try (text + "    - openapi\n").write(to: config, atomically: true, encoding: .utf8)
        }
        #expect(result.status != 0)
        #expect(result.text.contains("run make openapi"), "\(result.text)")
    }
}

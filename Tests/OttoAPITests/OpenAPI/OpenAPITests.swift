import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OttoCore
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("OpenAPI")
struct OpenAPITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let checkedIn = repository.appendingPathComponent("docs/openapi.json")

    static func documentedRoutes() throws -> Set<String> {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var routes = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                routes.insert("\(method.uppercased()) \(path)")
            }
        }
        return routes
    }

    @Test("the served document is docs/openapi.json, byte for byte")
    func servedDocumentIsCheckedIn() async throws {
        let file = try Data(contentsOf: Self.checkedIn)
        #expect(Data(OpenAPIDocument.json.utf8) == file)
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, _ in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(Data(response.body.readableBytesView) == file)
            }
        }
    }

    @Test("every route the production router serves is documented, and every documented route is served")
    func routesMatchDocument() throws {
        let configuration = try TestApp.configuration(try CallsTestApp.environment())
        let dependencies = Dependencies(configuration: configuration, logger: .init(label: "otto.tests"))
        // The router otto-api runs (no test tenant header), listed by Hummingbird itself.
        let router = buildRouter(
            configuration: configuration, dependencies: dependencies,
            tasks: InProcessTaskRunner(postgres: nil, keys: dependencies.keys, logger: .init(label: "otto.tests")))
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = try Self.documentedRoutes()
        #expect(!served.isEmpty)
        #expect(served.subtracting(documented).isEmpty, "served but undocumented: \(served.subtracting(documented))")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served))")
    }

    @Test("every example response validates against its schema (python3 jsonschema)")
    func examplesValidate() async throws {
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            doc = json.load(open(sys.argv[1]))
            checked, errors = 0, []
            for path, ops in doc["paths"].items():
                for method, op in ops.items():
                    for status, response in op.get("responses", {}).items():
                        for media, content in response.get("content", {}).items():
                            for name, example in content.get("examples", {}).items():
                                schema = dict(content["schema"]); schema["components"] = doc["components"]
                                for error in Draft202012Validator(schema).iter_errors(example["value"]):
                                    errors.append(f"{method} {path} {status} {media}: {error.message}")
                                checked += 1
            print(json.dumps({"checked": checked, "errors": errors}))
            """
        // Run without blocking a thread of the cooperative pool (python3 and jsonschema take a
        // second or more to start on a loaded machine).
        let python = try await ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, Self.checkedIn.path])
        try #require(python.status == 0, "python3 with jsonschema is required")
        let output = python.output
        let result = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        #expect((result["checked"] as? Int ?? 0) >= 20)
        #expect((result["errors"] as? [String])?.isEmpty == true, "\(result["errors"] ?? "")")
    }
}

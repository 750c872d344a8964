import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("OpenAPI")
struct OpenAPITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let checkedIn = repository.appendingPathComponent("docs/openapi.json")

    /// `METHOD /path` of every operation of the document (of those named by `operationIDs`).
    static func documentedRoutes(operationIDs: Set<String>? = nil) throws -> Set<String> {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var routes = Set<String>()
        for (path, operations) in paths {
            for (method, operation) in operations where ["get", "post", "put", "patch", "delete"].contains(method) {
                let id = (operation as? [String: Any])?["operationId"] as? String ?? ""
                if let operationIDs, !operationIDs.contains(id) { continue }
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

    /// The operation ids the generator serves (the configuration's `filter.operations`).
    static func generatedOperationIDs() throws -> Set<String> {
        let config = try String(
            contentsOf: repository.appendingPathComponent("Tools/OpenAPIGenerator/openapi-generator-config.yaml"),
            encoding: .utf8)
        var ids = Set<String>()
        var inOperations = false
        for line in config.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text == "operations:" {
                inOperations = true
            } else if inOperations, text.hasPrefix("- ") {
                ids.insert(String(text.dropFirst(2)))
            } else if inOperations, !text.isEmpty, !text.hasPrefix("#") {
                inOperations = false
            }
        }
        return ids
    }

    // The generated operations' handlers are compile-time facts: `APIHandler` conforms to the
    // generated `APIProtocol`, which declares one method per operation of the filter. What the
    // compiler cannot see is where the router mounts them and the hand-written routes.
    @Test("the router serves every generated operation at its documented path")
    func generatedOperationsMounted() throws {
        let served = Set(try Self.productionRouter().routes.map { "\($0.method.rawValue) \($0.path)" })
        let generated = try Self.documentedRoutes(operationIDs: Self.generatedOperationIDs())
        #expect(generated.count == (try Self.generatedOperationIDs()).count)
        #expect(generated.subtracting(served).isEmpty, "generated but not served: \(generated.subtracting(served))")
    }

    @Test("every hand-written route is documented, and every documented operation outside the generator is served")
    func handWrittenRoutesMatchDocument() throws {
        let served = Set(try Self.productionRouter().routes.map { "\($0.method.rawValue) \($0.path)" })
        let all = try Self.documentedRoutes()
        let generated = try Self.documentedRoutes(operationIDs: Self.generatedOperationIDs())
        let handWritten = served.subtracting(generated)
        let documented = all.subtracting(generated)
        #expect(!handWritten.isEmpty)
        #expect(
            handWritten.subtracting(documented).isEmpty,
            "served but undocumented: \(handWritten.subtracting(documented))")
        #expect(
            documented.subtracting(handWritten).isEmpty,
            "documented but not served: \(documented.subtracting(handWritten))")
    }

    /// The router otto-api runs, listed by Hummingbird itself.
    static func productionRouter() throws -> Router<OttoRequestContext> {
        let configuration = try TestApp.configuration(try CallsTestApp.environment())
        let dependencies = Dependencies(configuration: configuration, logger: .init(label: "otto.tests"))
        return buildRouter(
            configuration: configuration, dependencies: dependencies,
            tasks: InProcessTaskRunner(registry: .catalog, logger: .init(label: "otto.tests")))

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

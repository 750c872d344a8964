import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import Testing

@testable import OttoAPI

/// `Problem` is a Hummingbird `HTTPResponseError`: it renders itself as problem+json, always
/// the same bytes for the same problem, and JSON answers come from `Encodable` values.
@Suite("Problem responses")
struct ProblemResponseTests {
    @Test("a Problem thrown on a bare router renders itself as problem+json, its headers included")
    func rendersItself() async throws {
        let router = Router(context: OttoRequestContext.self)
        router.get("/busy") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.retryAfter] = "3"
            throw Problem(.serviceUnavailable, detail: "Try again/later.", headers: headers)
        }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/busy", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.retryAfter] == "3")
                #expect(
                    String(buffer: response.body)
                        == #"{"detail":"Try again/later.","request_id":"","status":503,"title":"Service Unavailable","#
                        + #""type":"https://otto.dev/problems/503"}"#)
            }
        }
    }

    @Test("through the application: the same bytes for the same problem, with the request id")
    func applicationBytes() async throws {
        let requestID = HTTPField.Name("X-Request-ID")!
        try await TestApp.run(environment: try TestApp.guardedEnvironment("problem")) { client, _, _ in
            try await client.execute(uri: "/nope", method: .get, headers: [requestID: "req-golden"]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[requestID] == "req-golden")
                #expect(
                    String(buffer: response.body)
                        == #"{"detail":"No route matches GET /nope.","request_id":"req-golden","status":404,"#
                        + #""title":"Not Found","type":"https://otto.dev/problems/404"}"#)
            }
        }
    }

    @Test("OttoJSON: sorted keys and unescaped slashes for answers and command output")
    func sortedJSON() throws {
        #expect(try OttoJSON.string(WebhookAcknowledgement()) == #"{"status":"ok"}"#)
        let tenant = Tenant(id: "t-1", clerkOrgID: "org_1", name: "Acme \"Roofing\"", callRailCompanyID: "COM1")
        let output = TenantOutput(tenant, baseURL: "https://otto.example")
        #expect(
            try OttoJSON.string(output)
                == #"{"callrail":{"company_id":"COM1","previous_key_valid_until":null,"signing_key":"not set"},"#
                + #""clerk_org":"org_1","id":"t-1","name":"Acme \"Roofing\"","webhooks":{"#
                + #""callrail":"https://otto.example/webhooks/callrail/t-1","twilio":"https://otto.example/webhooks/twilio/t-1"}}"#
        )
    }
}

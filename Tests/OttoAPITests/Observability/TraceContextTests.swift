import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OttoCalls
import OttoTasks
import Testing

@testable import OttoAPI

/// The adapter around swift-w3c-trace-context: what W3C Trace Context asks of a receiver beyond
/// the library's version-00 parser (later versions, tracestate list members and limits).
@Suite("Trace context")
struct TraceContextTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentID = "00f067aa0ba902b7"
    static let valid = "00-\(traceID)-\(parentID)-01"

    @Test("a later version is read by its version-00 fields; ff, a short header or no dash after the flags is refused")
    func laterVersions() throws {
        let fields = "\(Self.traceID)-\(Self.parentID)-01"
        for accepted in ["01-\(fields)", "cc-\(fields)", "01-\(fields)-what-the-future-holds", "fe-\(fields)-"] {
            let parsed = try #require(TraceContext.parse(accepted), "\(accepted)")
            #expect(parsed.traceID == Self.traceID && parsed.spanID == Self.parentID && parsed.flags == "01")
            let continued = TraceContext.continuing(accepted)
            #expect(continued.traceID == Self.traceID)
            #expect(continued.traceparent.hasPrefix("00-\(Self.traceID)-"), "sent on as version 00")
        }
        for refused in [
            "ff-\(fields)", "01-\(fields)x", "01-\(fields)extra", "01-\(String(fields.dropLast()))", "0g-\(fields)",
            "FF-\(fields)", "01-\(fields.uppercased())", "00-\(fields)-", "00-\(fields)-extra", "",
            "01-\(String(repeating: "0", count: 32))-\(Self.parentID)-01-x",
        ] {
            #expect(TraceContext.parse(refused) == nil, "\(refused)")
            #expect(TraceContext.continuing(refused).traceID != Self.traceID, "\(refused)")
        }
    }

    @Test("new traces and spans: 32 and 16 lower-case hex digits, sampled, and parse back to themselves")
    func fresh() throws {
        let fresh = TraceContext.start()
        #expect(fresh.traceparent.utf8.count == 55 && fresh.flags == "01" && fresh.tracestate == nil)
        #expect(TraceContext.parse(fresh.traceparent) == fresh)
        let continued = TraceContext.continuing(Self.valid)
        #expect(continued.spanID != Self.parentID && continued.spanID.utf8.count == 16)
    }

    @Test("tracestate: members kept in order without white space or empty members; invalid ones dropped")
    func traceState() {
        func state(_ header: String, parent: String = Self.valid) -> String? {
            TraceContext.continuing(parent, tracestate: header).tracestate
        }
        #expect(state("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7") == "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7")
        #expect(state(" congo=t61rcWkgMzE ,\t, rojo=00f067aa0ba902b7\t,") == "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7")
        #expect(state("tenant@system=1") == "tenant@system=1")
        #expect(state("") == nil && state(" , ") == nil)
        #expect(state("Congo=upper-case-key") == nil, "keys are lower case")
        #expect(state("congo") == nil, "a member needs a value")
        #expect(state("congo=t61rcWkgMzE", parent: "garbage") == nil, "no tracestate without a valid traceparent")
    }

    @Test("tracestate: more than 32 members discard it; past 512 characters long members go first, then the last")
    func traceStateLimits() throws {
        let members = (0..<32).map { "k\($0)=v" }
        #expect(TraceContext.traceStateMembers(members.joined(separator: ",")) == members)
        #expect(TraceContext.traceStateMembers((members + ["k32=v"]).joined(separator: ",")) == nil)
        #expect(
            TraceContext.continuing(Self.valid, tracestate: (members + ["k32=v"]).joined(separator: ",")).tracestate
                == nil)

        let long = "long=" + String(repeating: "x", count: 200)
        let medium = (0..<4).map { "m\($0)=" + String(repeating: "y", count: 100) }  // 103 characters each
        let truncated = try #require(
            TraceContext.traceStateMembers(([medium[0], long] + medium[1...]).joined(separator: ",")))
        #expect(truncated == medium, "the member over 128 characters goes first")
        let many = (0..<6).map { "m\($0)=" + String(repeating: "y", count: 100) }
        #expect(TraceContext.traceStateMembers(many.joined(separator: ",")) == Array(many.prefix(4)))
        let state = TraceContext.continuing(Self.valid, tracestate: many.joined(separator: ",")).tracestate
        #expect(state == many.prefix(4).joined(separator: ", "))
    }

    @Test("a request's tracestate comes back with its continued traceparent, and only then")
    func overHTTP() async throws {
        try await TestApp.run(environment: try TestApp.guardedEnvironment("trace")) { client, _, _ in
            let traceparent = HTTPField.Name("traceparent")!
            let tracestate = HTTPField.Name("tracestate")!
            var headers: HTTPFields = [traceparent: Self.valid]
            headers.append(HTTPField(name: tracestate, value: "congo=t61rcWkgMzE"))
            headers.append(HTTPField(name: tracestate, value: "rojo=00f067aa0ba902b7"))
            try await client.execute(uri: "/health", method: .get, headers: headers) { response in
                #expect(response.headers[traceparent]?.hasPrefix("00-\(Self.traceID)-") == true)
                #expect(response.headers[tracestate] == "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7")
            }
            try await client.execute(
                uri: "/health", method: .get, headers: [traceparent: "garbage", tracestate: "congo=t61rcWkgMzE"]
            ) { response in
                #expect(response.headers[tracestate] == nil)
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.headers[tracestate] == nil)
            }
        }
    }
}

import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTestSupport
import Testing

/// Issue 10 item 7: with PUBLIC_BASE_URL unset, the signed URL is built from the request's Host
/// header, which a stranger chooses; no value of it may abort otto-api.
@Suite("Webhook Host header", .serialized)
struct HostHeaderTests {
    @Test("a webhook with Host: @ (and other odd authorities) is refused, and otto-api still answers /health")
    func oddHostDoesNotCrash() async throws {
        let port = FreePort.pick()
        let api = ChildProcess(
            binary: "otto-api",
            environment: [
                "APP_ENV": "test", "PORT": "\(port)", "HOST": "127.0.0.1",
                "DATABASE_URL": try TestServices.databaseURL(),
                "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef",
            ])
        try api.start()
        let base = "http://127.0.0.1:\(port)"
        let up = await eventually(timeout: .seconds(30)) { await ProcessProbe.httpStatus("\(base)/health") == 200 }
        #expect(up, "\(api.output)")
        let tenant = UUID().uuidString.lowercased()
        for host in ["@", "@@", "a@", "@:80", "u@:80", "@[", ":"] {
            let form = await CurlRequest.send(
                "\(base)/webhooks/twilio/\(tenant)",
                headers: [
                    "Host": host, "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "AAAA",
                ],
                body: "CallSid=CA1&CallStatus=ringing")
            let json = await CurlRequest.send(
                "\(base)/webhooks/twilio/\(tenant)?bodySHA256=\(WebhookDigest.sha256Hex(Array("{}".utf8)))",
                headers: ["Host": host, "Content-Type": "application/json", "X-Twilio-Signature": "AAAA"],
                body: "{}")
            // 403 (forged) or 400 (a Host the HTTP parser refuses); never a dropped connection.
            #expect([400, 403].contains(form.status), "Host \(host): form \(form.status)")
            #expect([400, 403].contains(json.status), "Host \(host): json \(json.status)")
            #expect(api.process.isRunning, "otto-api died on Host: \(host)\n\(api.output)")
        }
        #expect(await ProcessProbe.httpStatus("\(base)/health") == 200)
        api.signal(SIGTERM)
        #expect(await api.waitForExit(timeout: .seconds(15)) == 0)
    }
}

import HTTPTypes
import OttoTasks
import Testing

@testable import OttoAPI

/// The dashboard's parts that need no server: the hour's ring, the argument mask, the form
/// parser and the session cookie with its CSRF token.
@Suite("Dashboard parts")
struct DashboardPartsTests {
    @Test("the ring keeps an hour of minutes, drops older ones, and bounds queues and wait samples")
    func ringBounds() {
        var ring = DashboardRing()
        let start = 1_800_000_000.0
        // Two hours of samples every 5 s on one queue: only the last hour stays.
        var time = start
        while time < start + 7200 {
            ring.record(time: time, queue: "default", succeeded: 1, failed: 0, wait: 2)
            time += 5
        }
        #expect(ring.buckets.count == DashboardRing.minutes)
        for bucket in ring.buckets {
            #expect((bucket.queues["default"]?.waits.count ?? 0) <= DashboardRing.waitSamplesPerMinute)
        }
        let summary = ring.summaries(time: time - 5)["default"]
        #expect(summary?.succeededPerMinute.count == 60)
        #expect(summary?.succeededLastMinute == 12)
        #expect(summary?.succeededHour == 60 * 12)
        // Queues beyond the bound in one minute are dropped, not kept.
        for index in 0..<(DashboardRing.maxQueues + 10) {
            ring.record(time: time, queue: "q\(index)", succeeded: 1, failed: 0, wait: nil)
        }
        #expect(ring.buckets.last!.queues.count <= DashboardRing.maxQueues)
        // A gap longer than the hour leaves no stale minute behind.
        ring.record(time: time + 4 * 3600, queue: "default", succeeded: 0, failed: 1, wait: nil)
        #expect(ring.buckets.count == 1)
        #expect(ring.summaries(time: time + 4 * 3600)["default"]?.succeededHour == 0)
    }

    @Test("wait percentiles are nearest-rank over the hour's samples")
    func percentiles() {
        var ring = DashboardRing()
        let start = 1_800_000_000.0
        for index in 0..<100 {
            ring.record(
                time: start + Double(index) * 30, queue: "default", succeeded: 0, failed: 0, wait: Double(index + 1))
        }
        let summary = ring.summaries(time: start + 99 * 30)["default"]
        #expect(summary?.waitP50 == 50)
        #expect(summary?.waitP95 == 95)
        #expect(summary?.waitP99 == 99)
        #expect(DashboardRing.percentile([], 0.5) == nil)
    }

    @Test("secret-looking argument values are masked at any depth, other values kept")
    func mask() {
        let masked = ArgumentMask.mask(
            #"{"api_key":"k1","Authorization":"Bearer x","list":[{"client_secret":"s"}],"nested":{"PASSWORD":"p","keep":"yes"},"tokens":3,"n":1}"#
        )
        for secret in ["k1", "Bearer x", "\"s\"", "\"p\"", ":3"] {
            #expect(!masked.contains(secret), "\(secret) in \(masked)")
        }
        #expect(masked.contains(#""keep":"yes""#))
        #expect(masked.contains(#""n":1"#))
        #expect(masked.contains(#""api_key":"***""#))
        #expect(ArgumentMask.mask("not json, token=abc") == "(not JSON: hidden)")
    }

    @Test("form fields decode + and %XX, keep malformed escapes, and take the last repeated name")
    func formFields() {
        let fields = FormFields.parse("token=a+b%2Fc%3D&queue=default&id=&x=%zz&queue=low")
        #expect(fields["token"] == "a b/c=")
        #expect(fields["id"] == "")
        #expect(fields["x"] == "%zz")
        #expect(fields["queue"] == "low")
        #expect(FormFields.parse("") == [:])
        #expect(FormFields.parse("a=%4")["a"] == "%4")
    }

    @Test("a session is valid until it expires and only under its key; its CSRF token fits it alone")
    func sessions() {
        let sessions = DashboardSessions(internalToken: "secret-token")
        let now = 1_800_000_000.0
        let session = sessions.issue(now: now)
        #expect(sessions.isValid(session, now: now + 10))
        #expect(!sessions.isValid(session, now: now + Double(DashboardSessions.lifetime) + 1))
        #expect(!DashboardSessions(internalToken: "other-token").isValid(session, now: now))
        // A later expiry written into the cookie breaks its signature.
        let parts = session.split(separator: ".")
        let extended = "v1.\(Int(parts[1])! + 3600).\(parts[2]).\(parts[3])"
        #expect(!sessions.isValid(extended, now: now))
        let other = sessions.issue(now: now)
        #expect(sessions.isCSRFToken(sessions.csrfToken(session: session), session: session))
        #expect(!sessions.isCSRFToken(sessions.csrfToken(session: other), session: session))
        #expect(!sessions.isCSRFToken("", session: session))
        #expect(sessions.isInternalToken("secret-token"))
        #expect(!sessions.isInternalToken("secret-toke"))
        #expect(!DashboardSessions(internalToken: nil).isInternalToken(""))
    }

    @Test("the session cookie is read from any Cookie header among others")
    func cookieParsing() {
        var headers = HTTPFields()
        headers[.cookie] = "a=1; otto_dashboard=v1.2.3.4; b=2"
        #expect(DashboardSessions.session(in: headers) == "v1.2.3.4")
        headers[.cookie] = "otto_dashboardx=1"
        #expect(DashboardSessions.session(in: headers) == nil)
    }

    @Test("the page template renders escaped text and parses at start-up")
    func templates() {
        struct View { var error: String? }
        let html = DashboardTemplates.render("signin", View(error: "<script>x</script>"))
        #expect(html.contains("&lt;script&gt;x&lt;/script&gt;"))
        #expect(!html.contains("<script>x"))
        #expect(!DashboardTemplates.render("signin", View(error: nil)).contains("signin-error"))
        #expect(DashboardTemplates.templates.count == 2)
    }

    @Test("templates: escaped variables, lists, present and absent values, inverted sections, outer names")
    func templateSyntax() throws {
        struct Row { var name: String; var note: String? }
        struct View { var title: String; var rows: [Row]; var empty: [Row]; var flag: Bool; var csrf: String }
        let template = try HTMLTemplate(
            "<h1>{{title}}</h1>{{#rows}}<p>{{name}}/{{csrf}}{{#note}} ({{note}}){{/note}}</p>{{/rows}}"
                + "{{^empty}}none{{/empty}}{{#flag}}on{{/flag}}{{^flag}}off{{/flag}}{{missing}}")
        let html = template.render(
            View(
                title: "a&b\"'", rows: [Row(name: "<x>", note: nil), Row(name: "y", note: "n")], empty: [], flag: false,
                csrf: "t"))
        #expect(html == "<h1>a&amp;b&quot;&#39;</h1><p>&lt;x&gt;/t</p><p>y/t (n)</p>noneoff")
        #expect(try HTMLTemplate("{{#a}}{{.}},{{/a}}").render(["a": ["1", "2"]]) == "1,2,")
        for broken in ["{{#a}}", "{{/a}}", "{{a", "{{{a}}}", "{{&a}}", "{{#a}}{{/b}}", "{{}}"] {
            #expect(throws: HTMLTemplate.ParseError.self, "\(broken)") { try HTMLTemplate(broken) }
        }
    }
}

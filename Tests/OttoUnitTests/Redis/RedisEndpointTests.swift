import OttoCalls
import OttoRedis
import OttoTasks
import Testing

@Suite("RedisEndpoint URL parsing")
struct RedisEndpointTests {
    @Test("a full URL yields every part, percent-decoded")
    func parsesFullURL() throws {
        let endpoint = try RedisEndpoint(
            url: "rediss://otto%40app:p%40ss%3Aw0rd@cache.example.com:6380/5")
        #expect(endpoint.host == "cache.example.com")
        #expect(endpoint.port == 6380)
        #expect(endpoint.useTLS)
        #expect(endpoint.username == "otto@app")
        #expect(endpoint.password == "p@ss:w0rd")
        #expect(endpoint.database == 5)
        #expect(endpoint.tlsCAFile == nil)
    }

    @Test("defaults: port 6379, database 0, no credentials, plain TCP")
    func appliesDefaults() throws {
        let endpoint = try RedisEndpoint(url: "redis://localhost")
        #expect(endpoint == RedisEndpoint(host: "localhost"))
        #expect(try RedisEndpoint(url: "REDIS://localhost/").database == 0)
    }

    @Test("password only (Redis before ACLs) and username only")
    func parsesPartialCredentials() throws {
        let passwordOnly = try RedisEndpoint(url: "redis://:secret@localhost")
        #expect(passwordOnly.username == nil)
        #expect(passwordOnly.password == "secret")
        let userOnly = try RedisEndpoint(url: "redis://worker@localhost")
        #expect(userOnly.username == "worker")
        #expect(userOnly.password == nil)
    }

    @Test("an unencoded @ or / in the password still parses (the last @ ends the credentials)")
    func lastAtSignEndsCredentials() throws {
        let endpoint = try RedisEndpoint(url: "redis://default:a@b/c?d@host:1234/2")
        #expect(endpoint.password == "a@b/c?d")
        #expect(endpoint.host == "host")
        #expect(endpoint.port == 1234)
        #expect(endpoint.database == 2)
    }

    @Test("IPv6 hosts in brackets")
    func parsesIPv6() throws {
        let endpoint = try RedisEndpoint(url: "redis://[::1]:7000/1")
        #expect(endpoint.host == "::1")
        #expect(endpoint.port == 7000)
        #expect(endpoint.description == "redis://[::1]:7000/1")
    }

    @Test("the CA file is carried over")
    func keepsCAFile() throws {
        let endpoint = try RedisEndpoint(url: "rediss://h:1/0", tlsCAFile: "/etc/ca.pem")
        #expect(endpoint.tlsCAFile == "/etc/ca.pem")
    }

    @Test("every bad part is reported at once, and the password never appears")
    func reportsEveryProblem() {
        let secret = "hunter2%zz"
        do {
            _ = try RedisEndpoint(url: "http://user:\(secret)@:99999/-1")
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.count == 5)
            #expect(error.problems.contains("scheme must be redis:// or rediss://"))
            #expect(error.problems.contains("password has malformed percent-encoding"))
            #expect(error.problems.contains("host is missing"))
            #expect(error.problems.contains("port must be a number from 1 to 65535"))
            #expect(
                error.problems.contains("database (the path /N) must be a number from 0 to 2147483647"))
            let text = "\(error) \(error.problems)"
            #expect(!text.contains("hunter2"))
            #expect(!text.contains("http://"))
        }
    }

    @Test(
        "each malformed URL is rejected with its own problem",
        arguments: [
            ("localhost:6379", "URL must start with redis:// or rediss://"),
            ("redis://host:abc", "port must be a number from 1 to 65535"),
            ("redis://host:0", "port must be a number from 1 to 65535"),
            ("redis://host:", "port must be a number from 1 to 65535"),
            ("redis://host/db1", "database (the path /N) must be a number from 0 to 2147483647"),
            ("redis://host/-1", "database (the path /N) must be a number from 0 to 2147483647"),
            ("redis://host/2147483648", "database (the path /N) must be a number from 0 to 2147483647"),
            ("redis://host/0/1", "database (the path /N) must be a number from 0 to 2147483647"),
            ("redis://ho st", "host contains characters that are not allowed"),
            ("redis://[::1", "IPv6 host is missing its closing bracket"),
            ("redis://us%4:pw@host", "username has malformed percent-encoding"),
            ("redis://:%FF%FE@host", "password is not valid UTF-8 after percent-decoding"),
        ]
    )
    func rejects(url: String, problem: String) {
        #expect(throws: RedisEndpointError(problems: [problem])) {
            try RedisEndpoint(url: url)
        }
    }

    @Test("the largest database number is accepted")
    func acceptsInt32MaxDatabase() throws {
        #expect(try RedisEndpoint(url: "redis://h/2147483647").database == 2_147_483_647)
    }

    @Test("description and debugDescription mask the password")
    func descriptionsHidePassword() throws {
        let endpoint = try RedisEndpoint(url: "rediss://default:s3cr3t-value@h.example:6390/3")
        #expect(endpoint.description == "rediss://default:***@h.example:6390/3")
        #expect(!endpoint.debugDescription.contains("s3cr3t"))
        #expect(endpoint.debugDescription.contains("<redacted>"))
        #expect(!"\(endpoint)".contains("s3cr3t"))
        #expect(!String(reflecting: endpoint).contains("s3cr3t"))
    }
}

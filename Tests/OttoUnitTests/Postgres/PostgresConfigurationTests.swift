import OttoCalls
import OttoPostgres
import OttoTasks
import Testing

@Suite("PostgresConfiguration")
struct PostgresConfigurationTests {
    @Test(
        "accepts URLs that libpq accepts",
        arguments: [
            "postgres://otto:otto@127.0.0.1:25432/otto_test",
            "postgresql://localhost/otto",
            "postgres://user@[::1]:5432/db?sslmode=require",
            "postgresql://h1:5432,h2:5433/db?connect_timeout=10&application_name=x",
            "postgres:///db?host=/var/run/postgresql",
            "postgres://u:p%40ss@db.internal:5432/app?sslmode=verify-full",
        ]
    )
    func acceptsGoodURLs(url: String) {
        #expect(PostgresConfiguration.problems(inURL: url) == [])
    }

    @Test("refuses other schemes")
    func refusesOtherSchemes() {
        #expect(
            PostgresConfiguration.problems(inURL: "mysql://u@h/db") == ["must start with postgres:// or postgresql://"])
        #expect(
            PostgresConfiguration.problems(inURL: "host=localhost dbname=x") == [
                "must start with postgres:// or postgresql://"
            ])
        #expect(PostgresConfiguration.problems(inURL: "") == ["is empty"])
    }

    @Test(
        "refuses ports that libpq's parser lets through",
        arguments: [
            "postgres://h:notaport/db", "postgres://h:70000/db", "postgres://h:0/db", "postgres://h/db?port=-1",
        ]
    )
    func refusesBadPorts(url: String) {
        #expect(PostgresConfiguration.problems(inURL: url) == ["has a port that is not a number from 1 to 65535"])
    }

    @Test("refuses an unknown sslmode")
    func refusesBadSSLMode() {
        let problems = PostgresConfiguration.problems(inURL: "postgres://h/db?sslmode=bogus")
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("has an sslmode that is not one of") == true)
    }

    @Test("refuses a broken IPv6 host")
    func refusesBrokenIPv6Host() {
        #expect(
            PostgresConfiguration.problems(inURL: "postgres://u:pw@[::1/db") == ["has a malformed IPv6 host address"])
    }

    @Test("reports every problem at once without quoting the URL or its password")
    func reportsEveryProblemWithoutSecrets() {
        let secret = "s3cretPassw0rd"
        let url = "mysql://admin:\(secret)@db.example:notaport/app?sslmode=bogus&connect_timeout=soon"
        let problems = PostgresConfiguration.problems(inURL: url)
        #expect(
            problems == [
                "must start with postgres:// or postgresql://",
                "has a port that is not a number from 1 to 65535",
                "has an sslmode that is not one of disable, allow, prefer, require, verify-ca, verify-full",
                "has a connect_timeout that is not a whole number from 0 to 2147483647",
            ]
        )
        for problem in problems {
            #expect(!problem.contains(secret))
            #expect(!problem.contains("db.example"))
        }
    }

    @Test("never echoes libpq's parser message, which quotes the input")
    func hidesParserMessages() {
        let secret = "hunter2hunter2"
        for url in [
            "postgres://u:\(secret)@h/db?\(secret)=1", "postgres://u:\(secret)@h/db?x=%zz",
            "postgres://u:\(secret)@[]/db",
        ] {
            let problems = PostgresConfiguration.problems(inURL: url)
            #expect(!problems.isEmpty, "\(problems)")
            #expect(problems.allSatisfy { !$0.contains(secret) })
        }
    }

    @Test("description never shows the password")
    func descriptionHidesPassword() {
        let secret = "n0tInLogs"
        for url in [
            "postgres://otto:\(secret)@db.internal:5432/otto",
            "postgres://otto@db.internal/otto?password=\(secret)",
            "postgres://otto:\(secret)@db.internal:notaport/otto",
            "mysql://otto:\(secret)@db.internal/otto",
        ] {
            let description = PostgresConfiguration(url: url).description
            #expect(!description.contains(secret), "\(description)")
        }
        let description = PostgresConfiguration(url: "postgres://otto:\(secret)@db.internal:5432/otto").description
        #expect(description.contains("host: db.internal"))
        #expect(description.contains("password: <redacted>"))
    }
}

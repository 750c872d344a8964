import ArgumentParser
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport

/// `otto-api tenants usage [--from D] [--to D] [--tenant ID] [--json]`: what each tenant's
/// pipeline spent per UTC day (audio seconds, transcriptions, tokens, analyses), with totals,
/// read across tenants from the usage ledger. The range is the API's (`GET /v1/usage`): by
/// default the last 30 days up to today, at most 366.
struct TenantsUsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage", abstract: "Print each tenant's pipeline usage per UTC day, with totals.")

    @Option(help: "The first UTC day (YYYY-MM-DD); default 29 days before --to.")
    var from: String?

    @Option(help: "The last UTC day (YYYY-MM-DD); default today.")
    var to: String?

    @Option(help: "Only this tenant (its id).")
    var tenant: String?

    @Flag(help: "Print one JSON document: {\"from\", \"to\", \"tenants\": [{\"id\", \"name\", \"days\", \"totals\"}]}.")
    var json = false

    /// The `--json` document.
    struct Output: Encodable {
        struct Tenant: Encodable {
            var id: String
            var name: String
            var days: [UsageDay]
            var totals: UsageTotals
        }

        var from: String
        var to: String
        var tenants: [Tenant]
    }

    func validate() throws {
        do {
            _ = try range()
        } catch {
            throw ValidationError("\(error)")
        }
        if let tenant, !UUIDText.isValid(tenant) { throw ValidationError("--tenant must be a tenant id (a UUID)") }
    }

    func range() throws(UsageRange.Problem) -> UsageRange {
        try UsageRange(from: from, to: to, today: CalendarDay(unixSeconds: UnixTime.now()))
    }

    func run() async throws {
        let range = try range()
        let tenant = tenant?.lowercased()
        let usage = try await TenantDatabase.runWithPipeline { _, _, pipeline in
            try await pipeline.usageOfAllTenants(range: range, tenantID: tenant)
        }
        if let tenant, usage.isEmpty {
            StandardError.write("otto-api tenants usage: no tenant \(tenant)\n")
            throw ExitCode.failure
        }
        if json {
            let output = Output(
                from: range.from.description, to: range.to.description,
                tenants: usage.map { .init(id: $0.tenantID, name: $0.name, days: $0.days, totals: $0.totals) })
            print(try OttoJSON.string(output))
        } else {
            print(Self.table(usage, range: range))
        }
    }

    /// One block per tenant: its id and name, a row per day with usage, and the totals.
    static func table(_ usage: [TenantUsage], range: UsageRange) -> String {
        let header = ["day", "audio_seconds", "transcriptions", "prompt_tokens", "completion_tokens", "analyses"]
        func cells(_ label: String, _ totals: UsageTotals) -> [String] {
            [
                label, seconds(totals.audioSeconds), String(totals.transcriptions), String(totals.promptTokens),
                String(totals.completionTokens), String(totals.analyses),
            ]
        }
        var lines = ["usage from \(range.from) to \(range.to) (UTC days)"]
        if usage.isEmpty { lines.append("no tenants") }
        for tenant in usage {
            var rows = [header]
            rows += tenant.days.map { cells($0.day, UsageTotals([$0])) }
            rows.append(cells("total", tenant.totals))
            let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            lines.append("")
            lines.append("\(tenant.tenantID)  \(tenant.name)")
            for row in rows {
                let padded = row.enumerated().map { column, cell in
                    let padding = String(repeating: " ", count: widths[column] - cell.count)
                    return column == 0 ? cell + padding : padding + cell
                }
                lines.append("  " + padded.joined(separator: "  "))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Seconds with one decimal (`125.4`).
    static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

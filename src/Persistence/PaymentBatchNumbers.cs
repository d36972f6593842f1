using Microsoft.EntityFrameworkCore;

namespace OneCard.Persistence;

/// <summary>The last batch number given for a year, region and agent bank.</summary>
public sealed class PaymentBatchCounter
{
    public int Year { get; init; }
    public required string RegionCode { get; init; }
    public required string AgentBankCode { get; init; }
    public int Last { get; set; }
}

/// <summary>
/// Numbers payment batches uniquely: <c>PB-{year}-{region}-{bank}-{seq:0000}</c>, one sequence per year, region and
/// agent bank. The counter row is taken by one upsert that returns the new value, so the row stays locked until the
/// caller's transaction ends: concurrent batches get consecutive numbers, and a rolled-back batch gives its number back.
/// </summary>
public static class PaymentBatchNumbers
{
    public static async Task<string> NextAsync(OneCardDbContext db, int year, string regionCode, string agentBankCode, CancellationToken ct)
    {
        // Both PostgreSQL and SQLite (3.35+) take INSERT … ON CONFLICT … RETURNING.
        var next = await db.Database.SqlQuery<int>($"""
            INSERT INTO "PaymentBatchCounters" ("Year", "RegionCode", "AgentBankCode", "Last") VALUES ({year}, {regionCode}, {agentBankCode}, 1)
            ON CONFLICT ("Year", "RegionCode", "AgentBankCode") DO UPDATE SET "Last" = "PaymentBatchCounters"."Last" + 1
            RETURNING "Last" AS "Value"
            """).ToListAsync(ct);
        return Format(year, regionCode, agentBankCode, next.Single());
    }

    public static string Format(int year, string regionCode, string agentBankCode, int seq) => $"PB-{year}-{regionCode}-{agentBankCode}-{seq:0000}";
}

// SLA query benchmark (issue 6, item 11): seeds N tasks (default 1,000,000) on PostgreSQL in set-based SQL, then times the
// supervisor view's queries — the whole overview (backlog by region, step and policy; on-time rate; percentiles) and the
// first page of the overdue list — at province level and at one county, as the median of 3 runs after a warm-up.
//
// Usage: bench/run.sh sla [tasks=1000000]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Host.Supervision;
using OneCard.Testing;

namespace OneCard.Bench;

public static class SlaBench
{
    public static async Task RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        Console.WriteLine($"OneCard SLA query benchmark: {count:N0} tasks on PostgreSQL; median of 3 runs after one warm-up run.");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs (shared; figures are noisy).");
        await using var app = await OneCardApp.StartAsync();
        var now = app.Clock.GetUtcNow();

        var seed = Stopwatch.StartNew();
        await SeedAsync(app.ConnectionString, count, now);
        Console.WriteLine($"seeded {count:N0} tasks (and as many instances) in {seed.Elapsed.TotalSeconds:F1} s (INSERT … SELECT generate_series, then VACUUM ANALYZE)");

        var province = new CurrentUser("bench-admin", "admin", "管理员", Roles.Administrator, "210000", null);
        var city = new CurrentUser("bench-city", "supervisor", "监管", Roles.Supervisor, "210100", null);
        await MeasureAsync(app, "province 辽宁省 (by city)", province, new SlaFilter());
        await MeasureAsync(app, "county 法库县 (by township)", city, new SlaFilter(Region: "210124"));
        await MeasureAsync(app, "province, filtered to one step", province, new SlaFilter(Step: "CountyReview"));
    }

    private static async Task MeasureAsync(OneCardApp app, string label, CurrentUser user, SlaFilter filter)
    {
        SlaOverview.Overview? overview = null;
        OverdueTasks.Page? overdue = null;
        var overviewTimes = new List<double>();
        var overdueTimes = new List<double>();
        for (var run = 0; run < 4; run++)
        {
            var watch = Stopwatch.StartNew();
            overview = await app.AsUserAsync(user, sp => sp.GetRequiredService<SlaOverview.Handler>().GetAsync(filter, default));
            var overviewMs = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            overdue = await app.AsUserAsync(user, sp => sp.GetRequiredService<OverdueTasks.Handler>().ListAsync(filter, 1, 20, default));
            var overdueMs = watch.Elapsed.TotalMilliseconds;
            if (run == 0) continue; // warm-up: JIT, plan cache, buffer cache
            overviewTimes.Add(overviewMs);
            overdueTimes.Add(overdueMs);
        }
        var t = overview!.Total;
        Console.WriteLine();
        Console.WriteLine($"{label}: open {t.Open:N0}, due soon {t.DueSoon:N0}, overdue {t.Overdue:N0}, escalated {t.Escalated:N0}, " +
            $"completed in period {t.Completed:N0}, on time {t.OnTimeRate:P1}; {overview.Regions.Count} region rows, {overview.Steps.Count} steps");
        foreach (var s in overview.Steps)
            Console.WriteLine($"    {s.Step,-16} completed {s.Figures.Completed,9:N0}  median {s.MedianHours,7:F1} h  P90 {s.P90Hours,7:F1} h  on time {s.Figures.OnTimeRate:P1}");
        Console.WriteLine($"  overview (7 grouped queries)   median {Median(overviewTimes),8:F0} ms   runs {string.Join(", ", overviewTimes.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"  overdue list, page 1 of {overdue!.Total:N0}  median {Median(overdueTimes),8:F0} ms   runs {string.Join(", ", overdueTimes.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))}");
    }

    /// <summary>
    /// A realistic spread: every township of Liaoning, four human steps, three policies; 12 % open (a quarter of those
    /// overdue, a third of the overdue escalated), 85 % completed over the last 60 days (about a fifth late), 3 % cancelled.
    /// </summary>
    private static async Task SeedAsync(string connectionString, int count, DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        const string sql = """
            CREATE TEMP TABLE bench_seed AS
            WITH towns AS (SELECT array_agg("Code" ORDER BY "Code") AS codes FROM "Regions" WHERE length("Code") = 9)
            SELECT i, gen_random_uuid() AS instance_id, gen_random_uuid() AS subject_id,
                   towns.codes[(1 + (i::bigint * 7919) % array_length(towns.codes, 1))::int] AS region,
                   (ARRAY['TownshipReview','CountyReview','SampleCheck','FinanceRecheck'])[1 + i % 4] AS step,
                   (ARRAY['arable-land-protection','forest-ecology','elderly-allowance'])[1 + (i / 4) % 3] AS policy,
                   CASE WHEN i % 100 < 12 THEN 'Open' WHEN i % 100 < 15 THEN 'Cancelled' ELSE 'Completed' END AS status
            FROM generate_series(1, @count) AS i CROSS JOIN towns;
            INSERT INTO "WorkflowInstances" ("Id", "SubjectKind", "SubjectId", "Reference", "PolicyCode", "RegionCode", "DefinitionId",
                "DefinitionVersion", "Step", "StepEnteredAt", "IsFinal", "Revision")
            SELECT instance_id, 'Application', subject_id, 'BENCH-' || i, policy, region, 'standard-subsidy', 2, step, @now, false, 0 FROM bench_seed;
            INSERT INTO "Tasks" ("Id", "SubjectKind", "SubjectId", "PolicyCode", "InstanceId", "RegionCode", "Step", "Role", "CreatedAt", "DueAt",
                "DueAtIsProvisional", "Status", "CompletedAt", "OverdueAt", "EscalatedAt", "EscalatedToRole")
            SELECT gen_random_uuid(), 'Application', subject_id, policy, instance_id, region, step, 'TownshipClerk', created, due, false, status,
                   completed, CASE WHEN status = 'Open' AND due <= @now THEN due END,
                   CASE WHEN status = 'Open' AND due <= @now AND i % 3 = 0 THEN due + interval '2 days' END,
                   CASE WHEN status = 'Open' AND due <= @now AND i % 3 = 0 THEN 'Supervisor' END
            FROM (
                SELECT s.*, c.created, c.created + interval '72 hours' AS due, c.completed
                FROM bench_seed s
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN s.status = 'Open' THEN @now - ((i % 240) * interval '1 hour') + interval '12 hours'
                                ELSE @now - ((i % 1440) * interval '1 hour') - ((1 + (i * 31) % 90) * interval '1 hour') END AS created,
                           CASE WHEN s.status = 'Completed' THEN @now - ((i % 1440) * interval '1 hour') END AS completed
                ) c
            ) x;
            """;
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 1800 };
        command.Parameters.AddWithValue("count", count);
        command.Parameters.AddWithValue("now", now.ToUniversalTime());
        await command.ExecuteNonQueryAsync();
        // As autovacuum would after a load: statistics for the planner, and the visibility map for index-only scans.
        // One statement per command: VACUUM cannot run inside the implicit transaction of a multi-statement batch.
        foreach (var table in new[] { "Tasks", "WorkflowInstances" })
        {
            await using var vacuum = new NpgsqlCommand($"VACUUM ANALYZE \"{table}\"", connection) { CommandTimeout = 1800 };
            await vacuum.ExecuteNonQueryAsync();
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

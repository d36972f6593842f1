using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OneCard.Persistence;

namespace OneCard.Host.Supervision;

/// <summary>
/// Per step, over tasks completed in the period: how many, how many before their due time, and the median and 90th
/// percentile of time in the step (CompletedAt − CreatedAt). PostgreSQL computes all of it in one GROUP BY with
/// <c>percentile_cont</c>. SQLite has no percentile function: the embedded mode counts in SQL and sorts the durations
/// of at most <see cref="SqliteDurationCap"/> completed tasks per request in memory (two columns, not task rows) —
/// the embedded mode serves a demo or a small county.
/// </summary>
public static class StepTimes
{
    public const int SqliteDurationCap = 200_000;

    public sealed record Row(string Step, int Completed, int OnTime, double? MedianHours, double? P90Hours);

    public static Task<Dictionary<string, Row>> ForAsync(OneCardDbContext db, SlaScope scope, CancellationToken ct) =>
        db.IsPostgres ? PostgresAsync(db, scope, ct) : SqliteAsync(db, scope, ct);

    private sealed record PgRow(string Step, int Completed, int OnTime, double? MedianSeconds, double? P90Seconds);

    private static async Task<Dictionary<string, Row>> PostgresAsync(OneCardDbContext db, SlaScope scope, CancellationToken ct)
    {
        // Raw SQL does not pass through the query filters: the region's code range is the scope, and SlaScope.Resolve has
        // already refused a region outside the user's own; the department is added below.
        var sql = new StringBuilder("""
            SELECT t."Step" AS "Step", count(*)::int AS "Completed",
                   count(*) FILTER (WHERE t."DueAt" IS NULL OR t."CompletedAt" < t."DueAt")::int AS "OnTime",
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t."CompletedAt" - t."CreatedAt"))::float8 AS "MedianSeconds",
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t."CompletedAt" - t."CreatedAt"))::float8 AS "P90Seconds"
            FROM "Tasks" t
            WHERE t."Status" = 'Completed' AND t."CompletedAt" >= @from AND t."CompletedAt" < @to AND t."RegionCode" >= @low AND t."RegionCode" < @high
            """);
        var parameters = new List<NpgsqlParameter>
        {
            new("from", scope.From.ToUniversalTime()), new("to", scope.To.ToUniversalTime()), new("low", scope.Region.CodeRange.Low), new("high", scope.Region.CodeRange.High),
        };
        // Departments: the query filters' rule, by hand (a department-bound user's figures count their policies' tasks only).
        if (scope.Department is { } department)
        {
            sql.Append(""" AND (t."PolicyCode" IS NULL OR EXISTS (SELECT 1 FROM "Policies" p WHERE p."Code" = t."PolicyCode" AND p."DepartmentCode" = @department))""");
            parameters.Add(new("department", department));
        }
        var f = scope.Filter;
        if (f.Policy is { Length: > 0 }) { sql.Append(""" AND t."PolicyCode" = @policy"""); parameters.Add(new("policy", f.Policy)); }
        if (f.Step is { Length: > 0 }) { sql.Append(""" AND t."Step" = @step"""); parameters.Add(new("step", f.Step)); }
        if (f.Definition is { Length: > 0 })
        {
            sql.Append(""" AND EXISTS (SELECT 1 FROM "WorkflowInstances" i WHERE i."Id" = t."InstanceId" AND i."DefinitionId" = @definition)""");
            parameters.Add(new("definition", f.Definition));
        }
        sql.Append(""" GROUP BY t."Step" """);
        var rows = await db.Database.SqlQueryRaw<PgRow>(sql.ToString(), parameters.ToArray<object>()).ToListAsync(ct);
        return rows.ToDictionary(r => r.Step, r => new Row(r.Step, r.Completed, r.OnTime, Hours(r.MedianSeconds), Hours(r.P90Seconds)), StringComparer.Ordinal);
    }

    private static async Task<Dictionary<string, Row>> SqliteAsync(OneCardDbContext db, SlaScope scope, CancellationToken ct)
    {
        var counts = await scope.Completed(db).GroupBy(t => t.Step).Select(g => new
        {
            Step = g.Key,
            Completed = g.Count(),
            OnTime = g.Sum(t => t.DueAt == null || t.CompletedAt < t.DueAt ? 1 : 0),
        }).ToListAsync(ct);
        var durations = (await scope.Completed(db).OrderBy(t => t.CompletedAt).Take(SqliteDurationCap)
                .Select(t => new { t.Step, t.CreatedAt, t.CompletedAt }).ToListAsync(ct))
            .ToLookup(d => d.Step, d => (d.CompletedAt!.Value - d.CreatedAt).TotalSeconds);
        return counts.ToDictionary(c => c.Step, c =>
        {
            var sorted = durations[c.Step].Order().ToArray();
            return new Row(c.Step, c.Completed, c.OnTime, Hours(PercentileCont(sorted, 0.5)), Hours(PercentileCont(sorted, 0.9)));
        }, StringComparer.Ordinal);
    }

    /// <summary>PostgreSQL's <c>percentile_cont</c>: linear interpolation between the two nearest ranks of a sorted set.</summary>
    public static double? PercentileCont(IReadOnlyList<double> sorted, double fraction)
    {
        if (sorted.Count == 0) return null;
        var rank = fraction * (sorted.Count - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
    }

    private static double? Hours(double? seconds) => seconds is { } s ? Math.Round(s / 3600, 2) : null;
}

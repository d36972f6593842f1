using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OneCard.Domain.Applications;
using OneCard.Domain.Registry;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.Registry;

/// <summary>
/// The cross-checks (大数据比对) of one application, set-based: per configured check ONE <c>INSERT … SELECT</c> over the
/// application's open lines joined to <c>Beneficiaries</c> (the ID number's blind index) and the CURRENT reference snapshots
/// (<c>ReplacedBy IS NULL</c>) covering the line (the snapshot's region code is a prefix of the line's), each hit written once
/// per line and check (<c>ON CONFLICT ("ClaimLineId","Check") DO NOTHING</c>), with its reason in Chinese and English naming
/// the source, the snapshot's as-of date and row, or the other claim line and its application number.
/// </summary>
/// <remarks>
/// Which lines: those still payable or not yet decided — outcome Eligible or Faulted (a faulted line may still be paid once its
/// rule is mended; an Ineligible or Rejected line will never be paid, so flagging it would only ask a pointless decision).
/// The period (<see cref="PeriodRange"/>): <c>2026</c> is the year, <c>2026-05</c> the month; any other text is taken as the
/// day the check runs (China time). The same SQL runs on PostgreSQL and SQLite; the provider differs only in how a new id, a
/// typed null and an instant are written, and in how the count of matches is read (a data-modifying CTE on PostgreSQL).
/// </remarks>
public sealed class CrossChecks(IRuleSets ruleSets, AuditWriter audit, TimeProvider time, CrossCheckFacts facts)
{
    /// <summary>Runs at submission (inside the submission's transaction; the lines are stored).</summary>
    public const string Submission = nameof(Submission);

    /// <summary>Runs when a reviewer asks for it (重新比对).</summary>
    public const string OnDemand = nameof(OnDemand);

    /// <summary>
    /// Runs the checks the application's pinned rule set configures, in the caller's transaction, and records a
    /// <see cref="CrossCheckRun"/> (saved). A rule set without checks still records a run of none, so the case shows it was asked.
    /// </summary>
    public async Task<CrossCheckRun> RunAsync(OneCardDbContext db, Guid applicationId, string trigger, string actorId, CancellationToken ct)
    {
        var application = await db.Applications.AsNoTracking().IgnoreQueryFilters().SingleAsync(a => a.Id == applicationId, ct);
        var (policy, version) = RuleSetVersionKey.Parse(application.RuleSetKey);
        var ruleSet = ruleSets.Get(policy, version);
        var checks = ruleSet.CrossChecks;
        var now = time.GetUtcNow();
        var period = PeriodRange.Of(application.Period, DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(8)).DateTime));

        var kinds = checks.SelectMany(KindsRead).Distinct().ToList();
        var snapshots = await db.ReferenceSnapshots.AsNoTracking()
            .Where(s => s.ReplacedBy == null && kinds.Contains(s.Kind))
            .Select(s => new { s.Id, s.Kind, s.RegionCode })
            .ToListAsync(ct);
        // Recipients of other policies are read province-wide (another region's payment is the point); the rest where they cover
        // the case's region or lie within it (a county's case, a township's snapshot) — each line is then tested for its own region.
        var readable = snapshots.Where(s => s.Kind == ReferenceKind.PolicyRecipients || Overlaps(application.RegionCode, CrossCheckSql.Prefix(s.RegionCode))).ToList();
        var read = readable.Select(s => s.Id).Order().ToList();

        var run = new CrossCheckRun
        {
            Id = Guid.CreateVersion7(), ApplicationId = applicationId, RegionCode = application.RegionCode, Trigger = trigger, StartedBy = actorId,
            StartedAt = now, ChecksJson = JsonSerializer.Serialize(checks.Select(c => new { check = c.Check.ToString(), c.Policies })),
            SnapshotsJson = JsonSerializer.Serialize(read),
        };
        db.CrossCheckRuns.Add(run);
        await db.SaveChangesAsync(ct);

        run.LinesChecked = await db.ClaimLines.IgnoreQueryFilters()
            .CountAsync(l => l.ApplicationId == applicationId && (l.Outcome == LineOutcome.Eligible || l.Outcome == LineOutcome.Faulted), ct);
        var sql = new CrossCheckSql(db.IsPostgres, readable.GroupBy(s => s.Kind)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Guid>)g.Select(s => s.Id).Order().ToList()));
        var parameters = new Dictionary<string, object>
        {
            ["app"] = sql.Id(applicationId), ["run"] = sql.Id(run.Id), ["now"] = sql.Instant(now), ["township"] = application.RegionCode,
            ["first"] = sql.Date(period.First), ["last"] = sql.Date(period.Last),
        };
        foreach (var (name, value) in sql.SnapshotParameters()) parameters[name] = value;
        if (checks.Count > 0 && sql.GatherLines is { } gather)
            await ExecuteAsync(db, gather, parameters, ct);
        foreach (var check in checks)
        {
            var (found, added) = await ExecuteAsync(db, sql.Insert(check), sql.Count(check), Parameters(parameters, check), ct);
            run.Hits += found;
            run.NewHits += added;
        }

        // A check the rule set reads as a fact (crossCheck.<Kind>): its hit lines are evaluated again with it true, the hits settled by the rule.
        var changed = await facts.ApplyAsync(db, applicationId, ruleSet, actorId, ct);
        run.FinishedAt = time.GetUtcNow();
        // At submission the run row is the record (the submission has its own audit entry); a run asked for is audited.
        if (trigger != Submission)
            await audit.AppendAsync(db, actorId, "CrossChecksRun", "Application", applicationId.ToString(), application.RegionCode,
                new { run = run.Id, trigger, checks = checks.Select(c => c.Check.ToString()), run.LinesChecked, run.Hits, run.NewHits, snapshots = read, linesChangedByRule = changed.Count,
                      period = new { first = period.First, last = period.Last } }, ct);
        await db.SaveChangesAsync(ct);
        return run;
    }

    // A case's region and a snapshot's region prefix overlap when either lies within the other.
    private static bool Overlaps(string region, string prefix) =>
        region.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(CrossCheckSql.Prefix(region), StringComparison.Ordinal);

    private static Dictionary<string, object> Parameters(Dictionary<string, object> common, CrossCheckConfig check)
    {
        var all = new Dictionary<string, object>(common);
        for (var i = 0; i < check.Policies.Count; i++) all[$"p{i}"] = check.Policies[i];
        return all;
    }

    /// <summary>The reference kinds a check reads.</summary>
    public static IEnumerable<ReferenceKind> KindsRead(CrossCheckConfig check) => check.Check switch
    {
        CrossCheckKind.Deceased => [ReferenceKind.Deaths, ReferenceKind.HouseholdRegistry],
        CrossCheckKind.NotResident => [ReferenceKind.HouseholdRegistry],
        CrossCheckKind.ClaimedElsewhere or CrossCheckKind.ExclusivePolicy => [ReferenceKind.PolicyRecipients],
        CrossCheckKind.StateFunded => [ReferenceKind.StateFunded],
        CrossCheckKind.AccountHolderMismatch => [ReferenceKind.AccountHolders],
        _ => [],
    };

    private static async Task ExecuteAsync(OneCardDbContext db, string statements, IReadOnlyDictionary<string, object> parameters, CancellationToken ct)
    {
        await using var command = await CommandAsync(db, statements, parameters, ct);
        await command.ExecuteNonQueryAsync(ct);
    }

    // One statement on PostgreSQL (the insert and its count of matches); on SQLite the count, then the insert.
    private static async Task<(int Found, int Added)> ExecuteAsync(OneCardDbContext db, string insert, string? count,
        IReadOnlyDictionary<string, object> parameters, CancellationToken ct)
    {
        if (count is null)
        {
            await using var both = await CommandAsync(db, insert, parameters, ct);
            await using var reader = await both.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return (Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture));
        }

        await using var counting = await CommandAsync(db, count, parameters, ct);
        var found = Convert.ToInt32(await counting.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        await using var inserting = await CommandAsync(db, insert, parameters, ct);
        var added = await inserting.ExecuteNonQueryAsync(ct);
        return (found, added);
    }

    /// <summary>A command on the context's connection, in its transaction, with the run's parameters.</summary>
    private static async Task<DbCommand> CommandAsync(OneCardDbContext db, string text, IReadOnlyDictionary<string, object> parameters, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(ct);
        var command = connection.CreateCommand();
        command.CommandText = text;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        // A province-wide roster is a million lines against millions of rows: no 30-second default.
        command.CommandTimeout = 600;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }
        return command;
    }
}

/// <summary>
/// The days a period covers: <c>2026</c> → 2026-01-01..2026-12-31, <c>2026-05</c> → 2026-05-01..2026-05-31; any other text
/// → the one day <paramref name="today"/> (the checks then ask "dead by today", "employed today").
/// </summary>
public readonly record struct PeriodRange(DateOnly First, DateOnly Last)
{
    public static PeriodRange Of(string period, DateOnly today)
    {
        var text = period.Trim();
        if (text.Length == 4 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1900 and <= 2999)
            return new(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));
        if (DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) && text.Length == 7)
            return new(month, month.AddMonths(1).AddDays(-1));
        return new(today, today);
    }
}

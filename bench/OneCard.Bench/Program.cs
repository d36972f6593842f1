// Roster store benchmark: the roster use case (validate + evaluate + protect + store by COPY) against a raw binary COPY
// of the same rows, and the EF SaveChanges store for reference — all on PostgreSQL, each repetition on a fresh database.
//
// Stopwatch, not BenchmarkDotNet: one measurement is a 100,000-line submission that writes ~200,000 rows and takes
// seconds; each needs a fresh database (migrations, seed), which BenchmarkDotNet's per-invocation setup cannot hold
// out of the figures without distorting them, and its statistics need dozens of iterations we cannot afford. Here
// JIT warm-up is one small submission per mode, noise is shown as median and min over a few repetitions.
//
// Usage: bench/run.sh [lines=100000] [repetitions=3]; bench/run.sh engine … runs the case engine benchmark (EngineBench.cs).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OneCard.Domain.Applications;
using OneCard.Domain.Beneficiaries;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Demo;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Testing;

// `bench/run.sh rules [lines] [rulesEngineLines]`: the rules benchmark (RulesBench.cs); no database.
if (args is ["rules", ..]) { Environment.ExitCode = OneCard.Bench.RulesBench.Run(args[1..]); return; }
if (args.Length > 0 && args[0] == "engine")
{
    await EngineBench.RunAsync(args[1..]);
    return;
}
// `bench/run.sh sla [tasks]`: the supervisor view's query benchmark (SlaBench.cs).
if (args is ["sla", ..]) { await OneCard.Bench.SlaBench.RunAsync(args[1..]); return; }
// `bench/run.sh payments [lines=1000000]`: the bank file and result import benchmark (PaymentsBench.cs, bench/PAYMENTS.md).
if (args is ["payments", ..]) { await OneCard.Bench.PaymentsBench.RunAsync(args[1..]); return; }
if (args is ["crosschecks", ..]) { await OneCard.Bench.CrossCheckBench.RunAsync(args[1..]); return; }

var lineCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var repetitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
const int WarmUpLines = 5_000;

Console.WriteLine($"OneCard roster store benchmark: {lineCount:N0} lines, {repetitions} repetitions per mode after a {WarmUpLines:N0}-line warm-up.");
Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs (shared; figures are noisy).");
var roster = DemoData.Roster(seed: 2026, count: lineCount);
var warmUp = DemoData.Roster(seed: 7, count: WarmUpLines);

using var phases = new PhaseRecorder();
var results = new Dictionary<string, List<Run>> { ["a"] = [], ["b"] = [], ["c"] = [] };
StoredRoster? rows = null;

Console.WriteLine("warm-up…");
await Modes.SubmitAsync(warmUp, bulkCopy: true, phases, capture: false);
await Modes.SubmitAsync(warmUp, bulkCopy: false, phases, capture: false);
var (_, warmRows) = await Modes.SubmitAsync(warmUp, bulkCopy: true, phases, capture: true);
await Modes.RawCopyAsync(warmRows!);

// Interleaved (a, b, c per repetition) so that drift in the machine's load spreads over all modes alike.
for (var rep = 1; rep <= repetitions; rep++)
{
    var (a, captured) = await Modes.SubmitAsync(roster, bulkCopy: true, phases, capture: rows is null);
    rows ??= captured;
    results["a"].Add(a);
    Console.WriteLine($"  rep {rep} (a) roster path, COPY store   {a.Seconds,8:F2} s");
    var b = await Modes.RawCopyAsync(rows!);
    results["b"].Add(b);
    Console.WriteLine($"  rep {rep} (b) raw binary COPY           {b.Seconds,8:F2} s");
    var c = await Modes.SubmitAsync(roster, bulkCopy: false, phases, capture: false);
    results["c"].Add(c.Run);
    Console.WriteLine($"  rep {rep} (c) roster path, EF store     {c.Run.Seconds,8:F2} s");
}

Console.WriteLine();
Console.WriteLine($"rows = claim lines; each line also writes its beneficiary, so every mode writes {2 * lineCount:N0} table rows.");
Console.WriteLine($"{"mode",-42} {"rows",9} {"median s",9} {"min s",8} {"rows/s (median)",16} {"rows/s (max)",13}");
var names = new Dictionary<string, string>
{
    ["a"] = "(a) roster path: validate+rules+COPY store",
    ["b"] = "(b) raw binary COPY (baseline)",
    ["c"] = "(c) roster path: validate+rules+EF store",
};
foreach (var (mode, runs) in results)
{
    var median = Median(runs.Select(r => r.Seconds));
    var min = runs.Min(r => r.Seconds);
    Console.WriteLine($"{names[mode],-42} {lineCount,9:N0} {median,9:F2} {min,8:F2} {lineCount / median,16:N0} {lineCount / min,13:N0}");
}
var bMedian = Median(results["b"].Select(r => r.Seconds));
Console.WriteLine($"(a)/(b) time, medians: {Median(results["a"].Select(r => r.Seconds)) / bMedian:F2}x   mins: {results["a"].Min(r => r.Seconds) / results["b"].Min(r => r.Seconds):F2}x");
Console.WriteLine($"(c)/(b) time, medians: {Median(results["c"].Select(r => r.Seconds)) / bMedian:F2}x   mins: {results["c"].Min(r => r.Seconds) / results["b"].Min(r => r.Seconds):F2}x");

foreach (var mode in new[] { "a", "c" })
{
    Console.WriteLine();
    Console.WriteLine($"phase split of {names[mode]} (median over repetitions, seconds):");
    var runs = results[mode];
    foreach (var phase in PhaseRecorder.Names)
    {
        var median = Median(runs.Select(r => r.Phases.GetValueOrDefault(phase)));
        Console.WriteLine($"  {phase,-22} {median,8:F2}  {median / Median(runs.Select(r => r.Seconds)),6:P0}");
    }
    var other = Median(runs.Select(r => r.Seconds - PhaseRecorder.Names.Sum(p => r.Phases.GetValueOrDefault(p))));
    Console.WriteLine($"  {"other (policy, setup)",-22} {other,8:F2}");
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

internal sealed record Run(double Seconds, IReadOnlyDictionary<string, double> Phases);

/// <summary>What one submission stored, read back, for the raw COPY baseline.</summary>
internal sealed record StoredRoster(Application Application, List<Beneficiary> Beneficiaries, List<ClaimLine> Lines);

internal static class Modes
{
    private static readonly CurrentUser Clerk = new("u-clerk", "clerk", "王经办（大孤家子镇）", Roles.TownshipClerk, DemoData.Township, null);

    private static Dictionary<string, string?> Settings(bool bulkCopy) => new()
    {
        ["Database:BulkCopy"] = bulkCopy ? "true" : "false",
        ["Serilog:MinimumLevel:Default"] = "Warning",
        // A fresh database makes EF log the missing migrations table as an error, and the bench host has no wwwroot.
        ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Fatal",
        ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Error",
    };

    /// <summary>(a) or (c): the whole use case through the host's DI container, on a fresh database.</summary>
    public static async Task<(Run Run, StoredRoster? Rows)> SubmitAsync(IReadOnlyList<ClaimInput> roster, bool bulkCopy, PhaseRecorder phases, bool capture)
    {
        await using var app = await OneCardApp.StartAsync(settings: Settings(bulkCopy));
        var submitted = Guid.Empty;
        phases.Reset();
        var watch = Stopwatch.StartNew();
        await app.AsUserAsync(Clerk, async sp =>
        {
            var outcome = await sp.GetRequiredService<SubmitApplication.Handler>()
                .SubmitAsync(DemoData.PolicyCode, "2026", ApplicationSource.Roster, roster, CancellationToken.None);
            if (outcome.Errors.Count > 0) throw new InvalidOperationException($"The generated roster has errors: {outcome.Errors[0]}");
            if (outcome.Result!.LineCount != roster.Count) throw new InvalidOperationException("Not every line was stored.");
            submitted = outcome.Result.Id;
            return 0;
        });
        watch.Stop();
        var run = new Run(watch.Elapsed.TotalSeconds, phases.Snapshot());
        if (!capture) return (run, null);
        var rows = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return new StoredRoster(
                await db.Applications.AsNoTracking().SingleAsync(a => a.Id == submitted),
                await db.Beneficiaries.AsNoTracking().ToListAsync(),
                await db.ClaimLines.AsNoTracking().Where(l => l.ApplicationId == submitted).OrderBy(l => l.LineNo).ToListAsync());
        });
        return (run, rows);
    }

    /// <summary>
    /// (b) the baseline: the rows (a) stored — encrypted, hashed, serialised beforehand — written by plain binary COPY
    /// straight into the same tables (same indexes and foreign keys) of a fresh database, in one transaction.
    /// </summary>
    public static async Task<Run> RawCopyAsync(StoredRoster rows)
    {
        await using var app = await OneCardApp.StartAsync(settings: Settings(bulkCopy: true));
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            db.Applications.Add(rows.Application);
            return await db.SaveChangesAsync();
        });
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();

        var watch = Stopwatch.StartNew();
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using (var writer = await connection.BeginBinaryImportAsync(
                """COPY "Beneficiaries" ("Id", "IdNumberHash", "IdNumberCipher", "IdNumberMasked", "Name", "BirthDate", "IsMale", "RegionCode", "BankAccountCipher", "BankAccountMasked", "BankName", "CreatedAt", "UpdatedAt") FROM STDIN (FORMAT BINARY)"""))
            {
                foreach (var b in rows.Beneficiaries)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(b.Id, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(b.IdNumberHash, NpgsqlDbType.Text);
                    await writer.WriteAsync(b.IdNumberCipher, NpgsqlDbType.Text);
                    await writer.WriteAsync(b.IdNumberMasked, NpgsqlDbType.Text);
                    await writer.WriteAsync(b.Name, NpgsqlDbType.Text);
                    await writer.WriteAsync(b.BirthDate, NpgsqlDbType.Date);
                    await writer.WriteAsync(b.IsMale, NpgsqlDbType.Boolean);
                    await writer.WriteAsync(b.RegionCode, NpgsqlDbType.Text);
                    await writer.WriteAsync(b.BankAccountCipher, NpgsqlDbType.Text);
                    await writer.WriteAsync(b.BankAccountMasked, NpgsqlDbType.Text);
                    await writer.WriteAsync(b.BankName, NpgsqlDbType.Text);
                    await writer.WriteAsync(b.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(b.UpdatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                }
                await writer.CompleteAsync();
            }
            await using (var writer = await connection.BeginBinaryImportAsync(
                """COPY "ClaimLines" ("Id", "ApplicationId", "LineNo", "BeneficiaryId", "RegionCode", "PolicyCode", "Period", "Name", "IdNumberMasked", "FactsJson", "Amount", "Outcome", "ReasonZh", "ReasonEn", "RuleResultsJson", "RuleSetKey", "WarningsJson", "Sampled", "SampleResult", "SampleNote", "SampleCheckedBy", "SampleCheckedAt") FROM STDIN (FORMAT BINARY)"""))
            {
                foreach (var l in rows.Lines)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(l.Id, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(l.ApplicationId, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(l.LineNo, NpgsqlDbType.Integer);
                    await writer.WriteAsync(l.BeneficiaryId, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(l.RegionCode, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.PolicyCode, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.Period, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.Name, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.IdNumberMasked, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.FactsJson, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.Amount, NpgsqlDbType.Numeric);
                    await writer.WriteAsync(l.Outcome.ToString(), NpgsqlDbType.Varchar);
                    await writer.WriteAsync(l.ReasonZh, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.ReasonEn, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.RuleResultsJson, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.RuleSetKey, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.WarningsJson, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.Sampled, NpgsqlDbType.Boolean);
                    await writer.WriteAsync(l.SampleResult?.ToString(), NpgsqlDbType.Varchar);
                    await writer.WriteAsync(l.SampleNote, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.SampleCheckedBy, NpgsqlDbType.Text);
                    await writer.WriteAsync(l.SampleCheckedAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                }
                await writer.CompleteAsync();
            }
            await tx.CommitAsync();
        }
        watch.Stop();
        return new Run(watch.Elapsed.TotalSeconds, new Dictionary<string, double>());
    }
}

/// <summary>Sums the durations of the submission's phase activities (see SubmitApplication.Phases).</summary>
internal sealed class PhaseRecorder : IDisposable
{
    public static readonly string[] Names = ["Validate", "Evaluate", "Protect", "StoreBeneficiaries", "StoreAccounts", "BuildLines", "StoreCase"];

    private readonly ConcurrentDictionary<string, double> _seconds = new(StringComparer.Ordinal);
    private readonly ActivityListener _listener;

    public PhaseRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SubmitApplication.PhasesSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => _seconds.AddOrUpdate(activity.OperationName["SubmitApplication.".Length..],
                activity.Duration.TotalSeconds, (_, sum) => sum + activity.Duration.TotalSeconds),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Reset() => _seconds.Clear();

    public IReadOnlyDictionary<string, double> Snapshot() => new Dictionary<string, double>(_seconds);

    public void Dispose() => _listener.Dispose();
}

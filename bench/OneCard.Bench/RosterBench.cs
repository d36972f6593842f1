// Roster benchmark (issue 9 item 6, first figure): a roster CSV from file to validated, evaluated and stored — the one-pass
// chunked pipeline of SubmitApplication — against raw binary COPY of the very rows it stored into the same tables
// (beneficiaries, one-card accounts, claim lines) of a fresh database, measured in the same run.
//
// Setup (not timed): the CSV is written line by line to disk; after (a) the stored tables are exported by
// COPY … TO STDOUT (FORMAT BINARY) to files. (b) is COPY … FROM STDIN (FORMAT BINARY) of those files, in one transaction, on
// a fresh database with the same migrations (indexes, foreign keys): the physical limit of storing these rows, with no
// client-side work at all. (a) includes everything else: reading and parsing, validation, rules, SM3 blind indexes, SM4
// encryption of ID and account, JSON of facts and rule results, the beneficiary upsert and the case's own rows.
//
// Usage: bench/run.sh roster [lines=1000000] [chunk=SubmitApplication.Handler.DefaultChunkSize]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OneCard.Domain.Applications;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Demo;
using OneCard.Host.Platform;
using OneCard.Testing;

namespace OneCard.Bench;

public static class RosterBench
{
    private static readonly CurrentUser Clerk = new("u-clerk", "clerk", "王经办（大孤家子镇）", Roles.TownshipClerk, DemoData.Township, null);

    /// <summary>The tables the roster writes in bulk, in foreign-key order.</summary>
    private static readonly string[] Tables = ["Beneficiaries", "BeneficiaryAccounts", "ClaimLines"];

    internal static Dictionary<string, string?> Settings(bool bulkCopy = true) => new()
    {
        ["Database:BulkCopy"] = bulkCopy ? "true" : "false",
        ["Serilog:MinimumLevel:Default"] = "Warning",
        // A fresh database makes EF log the missing migrations table as an error, and the bench host has no wwwroot.
        ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Fatal",
        ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Error",
    };

    public static async Task RunAsync(string[] args)
    {
        var lines = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var chunk = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : SubmitApplication.Handler.DefaultChunkSize;
        Console.WriteLine($"OneCard roster benchmark: {lines:N0} lines, chunks of {chunk:N0}; pipeline vs raw binary COPY of the same rows.");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs (shared; compare within one run).");
        var folder = Directory.CreateTempSubdirectory("onecard-roster-bench-").FullName;
        try
        {
            var csv = Path.Combine(folder, "roster.csv");
            RosterCsv.WriteArable(csv, lines);
            Console.WriteLine($"roster file: {new FileInfo(csv).Length / 1024d / 1024d:F1} MB (written to disk, not timed)");

            // Warm-up: JIT of the whole path on a small roster, its own database.
            var warm = Path.Combine(folder, "warm.csv");
            RosterCsv.WriteArable(warm, 5_000, seed: 7);
            await using (var app = await OneCardApp.StartAsync(settings: Settings()))
                await SubmitAsync(app, warm, chunk, null);

            using var phases = new PhaseRecorder();
            double pipelineSeconds;
            string pipelineCpu;
            var exported = new Dictionary<string, string>();
            await using (var app = await OneCardApp.StartAsync(settings: Settings()))
            {
                RosterCsv.ResetPeakWorkingSet();
                var cpu = new CpuMeter();
                var watch = Stopwatch.StartNew();
                var outcome = await SubmitAsync(app, csv, chunk, phases);
                pipelineSeconds = watch.Elapsed.TotalSeconds;
                pipelineCpu = $"{cpu.Report()}; the store's PostgreSQL backend (the busiest): {cpu.BusiestBackend() ?? "no schedstat"}";
                if (outcome.Result?.LineCount != lines) throw new InvalidOperationException($"Not every line was stored: {(outcome.Errors.Count > 0 ? outcome.Errors[0] : null)}");
                Console.WriteLine($"(a) pipeline: {pipelineSeconds:F2} s, peak working set during it {RosterCsv.Mib(RosterCsv.PeakWorkingSet())}");
                await using var connection = new NpgsqlConnection(app.ConnectionString);
                await connection.OpenAsync();
                await PrintSizesAsync(connection);
                foreach (var table in new[] { "Applications" }.Concat(Tables))
                {
                    var file = Path.Combine(folder, table + ".bin");
                    await using var target = File.Create(file);
                    await using (var raw = await connection.BeginRawBinaryCopyAsync($"COPY \"{table}\" TO STDOUT (FORMAT BINARY)"))
                        await raw.CopyToAsync(target);
                    exported[table] = file;
                }
            }

            double copySeconds;
            await using (var app = await OneCardApp.StartAsync(settings: Settings()))
            {
                await using var connection = new NpgsqlConnection(app.ConnectionString);
                await connection.OpenAsync();
                await CopyInAsync(connection, "Applications", exported["Applications"]); // the one case row, not timed
                var cpu = new CpuMeter();
                var watch = Stopwatch.StartNew();
                await using (var tx = await connection.BeginTransactionAsync())
                {
                    foreach (var table in Tables) await CopyInAsync(connection, table, exported[table]);
                    await tx.CommitAsync();
                }
                copySeconds = watch.Elapsed.TotalSeconds;
                Console.WriteLine($"(b) raw binary COPY of the same rows: {copySeconds:F2} s");
                Console.WriteLine($"CPU during (a): {pipelineCpu}");
                Console.WriteLine($"CPU during (b): {cpu.Report()}; the busiest backend: {cpu.BusiestBackend() ?? "no schedstat"} ({Environment.ProcessorCount} cores)");
            }

            Console.WriteLine();
            Console.WriteLine($"{"mode",-58} {"lines",10} {"s",8} {"lines/s",10}");
            Console.WriteLine($"{"(a) pipeline: file → validate, rules, encrypt, store",-58} {lines,10:N0} {pipelineSeconds,8:F2} {lines / pipelineSeconds,10:N0}");
            Console.WriteLine($"{"(b) raw binary COPY: beneficiaries, accounts, lines",-58} {lines,10:N0} {copySeconds,8:F2} {lines / copySeconds,10:N0}");
            Console.WriteLine($"throughput (a)/(b): {copySeconds / pipelineSeconds:F2}x (target ≥ 0.5x: {(copySeconds / pipelineSeconds >= 0.5 ? "met" : "NOT met")})");
            Console.WriteLine();
            Console.WriteLine("phase sums of (a) (CPU phases run on the preparing task while the storing task stores: they overlap):");
            foreach (var (phase, seconds) in phases.Snapshot().OrderByDescending(p => p.Value))
                Console.WriteLine($"  {phase,-22} {seconds,8:F2} s");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Task<SubmitApplication.Outcome> SubmitAsync(OneCardApp app, string csv, int chunk, PhaseRecorder? phases)
    {
        phases?.Reset();
        return app.AsUserAsync(Clerk, async sp =>
        {
            using var roster = RosterReader.OpenFile(csv, "roster.csv");
            return await sp.GetRequiredService<SubmitApplication.Handler>().SubmitRosterAsync(DemoData.PolicyCode, "2026", roster,
                new SubmitApplication.RosterOptions(RosterImportMode.RefuseWhole, ChunkSize: chunk), CancellationToken.None);
        });
    }

    /// <summary>
    /// What (a) wrote, table by table: heap, indexes and TOAST on disk, and the mean stored width of a row and of each column
    /// (what the server had to write; the lever for a store bound by the server is fewer or narrower rows and indexes).
    /// </summary>
    private static async Task PrintSizesAsync(NpgsqlConnection connection)
    {
        Console.WriteLine("stored by (a): table (rows) heap + indexes + TOAST; mean width of a row and of its widest columns");
        foreach (var table in Tables)
        {
            var columns = new List<string>();
            await using (var names = new NpgsqlCommand(
                $"SELECT attname FROM pg_attribute WHERE attrelid = '\"{table}\"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum", connection))
            await using (var r = await names.ExecuteReaderAsync())
                while (await r.ReadAsync()) columns.Add(r.GetString(0));
            // One scan of the table: its rows, the mean width of a row and of each column; the sizes from the catalogue.
            await using var sizes = new NpgsqlCommand(
                $"""
                SELECT pg_relation_size('"{table}"'), pg_indexes_size('"{table}"'),
                       (SELECT coalesce(pg_total_relation_size(reltoastrelid), 0) FROM pg_class WHERE oid = '"{table}"'::regclass),
                       count(*), coalesce(avg(pg_column_size(t.*)), 0),
                       {string.Join(", ", columns.Select(c => $"coalesce(avg(pg_column_size(t.\"{c}\")), 0)"))}
                FROM "{table}" t
                """, connection);
            await using var w = await sizes.ExecuteReaderAsync();
            await w.ReadAsync();
            Console.WriteLine($"  {table} ({w.GetInt64(3):N0}): {RosterCsv.Mib(w.GetInt64(0))} + {RosterCsv.Mib(w.GetInt64(1))} + {RosterCsv.Mib(w.GetInt64(2))}; " +
                $"row {w.GetDecimal(4):F0} B");
            var widest = columns.Select((c, i) => (Column: c, Width: w.GetDecimal(5 + i))).OrderByDescending(c => c.Width).Take(8);
            Console.WriteLine("    " + string.Join(", ", widest.Select(c => $"{c.Column} {c.Width:F0} B")));
        }
    }

    private static async Task CopyInAsync(NpgsqlConnection connection, string table, string file)
    {
        await using var source = File.OpenRead(file);
        await using var raw = await connection.BeginRawBinaryCopyAsync($"COPY \"{table}\" FROM STDIN (FORMAT BINARY)");
        await source.CopyToAsync(raw);
    }
}

/// <summary>Sums the durations of the submission's phase activities (see SubmitApplication.Phases).</summary>
internal sealed class PhaseRecorder : IDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, double> seconds = new(StringComparer.Ordinal);
    private readonly ActivityListener listener;

    public PhaseRecorder()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SubmitApplication.PhasesSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => seconds.AddOrUpdate(activity.OperationName["SubmitApplication.".Length..],
                activity.Duration.TotalSeconds, (_, sum) => sum + activity.Duration.TotalSeconds),
        };
        ActivitySource.AddActivityListener(listener);
    }

    public void Reset() => seconds.Clear();

    public IReadOnlyDictionary<string, double> Snapshot() => new Dictionary<string, double>(seconds);

    public void Dispose() => listener.Dispose();
}

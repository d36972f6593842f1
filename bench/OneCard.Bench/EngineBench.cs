// Case engine benchmark (issue 6 item 11): advance N cases one step (TownshipReview --Approve--> CountyReview) through the
// engine's bulk path — runner per case, history event, task closed and opened, one chained Transition audit entry per case —
// and compare with a plain set-based SQL UPDATE of the same instance rows, measured in the same run.
//
// Usage: bench/run.sh engine [cases=100000] [repetitions=3] [batch=2000]
// Each repetition seeds N fresh cases by INSERT … SELECT generate_series (not the roster path), times the plain UPDATE on
// them, puts them back (untimed), then times the bulk path on the same rows. Hangfire job scheduling is replaced by a
// counter: the due-time job per human step is what item 3 removes (the sweep covers human deadlines).
// Batches run two at a time on their own connections (CaseEngine.DefaultBulkParallelism); the phase split sums both workers.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Demo;
using OneCard.Host.Platform;
using OneCard.Testing;

internal static class EngineBench
{
    private static readonly CurrentUser Reviewer = new("u-clerk.review", "clerk.review", "钱审核（大孤家子镇）", Roles.TownshipClerk, DemoData.Township, null);
    private static readonly string[] Phases = ["Bulk.Read", "Bulk.Run", "Bulk.OpenTasks", "Bulk.Write", "Bulk.Commit", "Bulk.Schedule"];
    private static readonly string[] WriteParts = ["Bulk.Write.CloseTasks", "Bulk.Write.Instances", "Bulk.Write.Events", "Bulk.Write.NewTasks", "Bulk.Write.Audit"];

    public static async Task RunAsync(string[] args)
    {
        var cases = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var repetitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var batch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2_000;
        Console.WriteLine($"OneCard case engine benchmark: {cases:N0} cases one step, {repetitions} repetitions after a warm-up, {batch:N0} cases per transaction.");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs (shared; figures are noisy).");

        await using var root = await OneCardApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Fatal",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Error",
        });
        var jobs = new CountingJobs();
        await using var host = root.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IBackgroundJobClient>(jobs)));
        var app = host.Services;
        using var phases = new Recorder();

        Console.WriteLine("warm-up…");
        await OnceAsync(app, root.ConnectionString, "W", Math.Min(cases, 5_000), batch, phases);
        var runs = new List<(double Sql, double Bulk, IReadOnlyDictionary<string, double> Phases)>();
        for (var rep = 1; rep <= repetitions; rep++)
        {
            var run = await OnceAsync(app, root.ConnectionString, "R" + rep, cases, batch, phases);
            runs.Add(run);
            Console.WriteLine($"  rep {rep}: plain UPDATE {run.Sql,7:F2} s   bulk path {run.Bulk,7:F2} s   {cases / run.Bulk,9:N0} cases/s");
        }

        var bulk = Median(runs.Select(r => r.Bulk));
        var sql = Median(runs.Select(r => r.Sql));
        Console.WriteLine();
        Console.WriteLine($"{"mode",-44} {"cases",9} {"median s",9} {"min s",8} {"cases/s (median)",17}");
        Console.WriteLine($"{"(a) engine bulk path (events, tasks, audit)",-44} {cases,9:N0} {bulk,9:F2} {runs.Min(r => r.Bulk),8:F2} {cases / bulk,17:N0}");
        Console.WriteLine($"{"(b) plain set-based SQL UPDATE (baseline)",-44} {cases,9:N0} {sql,9:F2} {runs.Min(r => r.Sql),8:F2} {cases / sql,17:N0}");
        Console.WriteLine($"(a)/(b) time, medians: {bulk / sql:F1}x");
        Console.WriteLine($"timer jobs the engine asked for (not written; see header): {jobs.Count:N0}");
        // Batches run on CaseEngine.DefaultBulkParallelism workers at once, so phase times are worker-seconds: their sum
        // exceeds the wall clock by up to that factor, and the shares below are of the summed time.
        var workers = CaseEngine.DefaultBulkParallelism;
        var medians = Phases.ToDictionary(p => p, p => Median(runs.Select(r => r.Phases.GetValueOrDefault(p))));
        var total = medians.Values.Sum();
        Console.WriteLine($"phase split of (a), summed over {workers} parallel batch workers (median over repetitions, worker-seconds; wall clock {bulk:F2} s):");
        foreach (var p in Phases)
            Console.WriteLine($"  {p,-16} {medians[p],8:F2}  {medians[p] / total,6:P0}");
        foreach (var p in WriteParts)
            Console.WriteLine($"    of which {p["Bulk.Write.".Length..],-12} {Median(runs.Select(r => r.Phases.GetValueOrDefault(p))),8:F2}");
        Console.WriteLine($"  {"sum",-16} {total,8:F2}  ({total / bulk:F2} workers busy on average)");
    }

    private static async Task<(double Sql, double Bulk, IReadOnlyDictionary<string, double> Phases)> OnceAsync(
        IServiceProvider app, string connectionString, string tag, int cases, int batch, Recorder phases)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await SeedAsync(connection, tag, cases);

        // (b) the same rows, one plain UPDATE; then put back, untimed.
        var watch = Stopwatch.StartNew();
        var updated = await ExecuteAsync(connection, $"""
            UPDATE "WorkflowInstances" SET "Step" = 'CountyReview', "StepEnteredAt" = now(), "Revision" = "Revision" + 1
            WHERE "Reference" LIKE '{tag}-%' AND "Step" = 'TownshipReview'
            """);
        var sql = watch.Elapsed.TotalSeconds;
        if (updated != cases) throw new InvalidOperationException($"The baseline updated {updated} rows, not {cases}.");
        await ExecuteAsync(connection, $"""UPDATE "WorkflowInstances" SET "Step" = 'TownshipReview', "Revision" = 0 WHERE "Reference" LIKE '{tag}-%'""");
        await ExecuteAsync(connection, "VACUUM ANALYZE \"WorkflowInstances\"");

        var taskIds = new List<Guid>(cases);
        await using (var read = new NpgsqlCommand($"""SELECT t."Id" FROM "Tasks" t JOIN "WorkflowInstances" i ON i."Id" = t."InstanceId" WHERE i."Reference" LIKE '{tag}-%' AND t."Status" = 'Open'""", connection))
        await using (var reader = await read.ExecuteReaderAsync())
            while (await reader.ReadAsync()) taskIds.Add(reader.GetGuid(0));

        phases.Reset();
        watch.Restart();
        IReadOnlyList<CaseEngine.BulkOutcome> outcomes;
        await using (var scope = app.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<UserContext>().SetUser(Reviewer);
            outcomes = await scope.ServiceProvider.GetRequiredService<CaseEngine>().BulkActAsync(taskIds, "Approve", null, CancellationToken.None, batch);
        }
        var seconds = watch.Elapsed.TotalSeconds;
        if (outcomes.FirstOrDefault(o => !o.Succeeded) is { } failed) throw new InvalidOperationException($"Bulk refused a case: {failed.Code} {failed.ReasonZh}");
        var moved = await ExecuteScalarAsync(connection, $"""SELECT count(*) FROM "WorkflowInstances" WHERE "Reference" LIKE '{tag}-%' AND "Step" = 'CountyReview'""");
        var audits = await ExecuteScalarAsync(connection, """SELECT count(*) FROM "AuditLog" WHERE "Action" = 'Transition'""");
        if (moved != cases) throw new InvalidOperationException($"{moved} cases moved, not {cases}.");
        Console.WriteLine($"    {tag}: {moved:N0} cases moved, {audits:N0} Transition audit entries in the log so far");
        return (sql, seconds, phases.Snapshot());
    }

    /// <summary>N cases resting in TownshipReview, submitted by clerk: instance, submit event and open task, set-based.</summary>
    private static async Task SeedAsync(NpgsqlConnection connection, string tag, int cases)
    {
        var now = OneCardApp.DefaultStart.ToUniversalTime();
        var due = now.AddDays(7);
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO "WorkflowInstances" ("Id", "SubjectKind", "SubjectId", "Reference", "PolicyCode", "RegionCode", "DefinitionId", "DefinitionVersion",
                "Step", "StepEnteredAt", "StepDueAt", "IsFinal", "Revision")
            SELECT gen_random_uuid(), 'Application', gen_random_uuid(), '{tag}-' || g, 'arable-land-protection', '210124101', 'standard-subsidy', 2,
                'TownshipReview', @now, @due, false, 0
            FROM generate_series(1, @n) g;
            INSERT INTO "WorkflowEvents" ("Id", "InstanceId", "Seq", "FromStep", "Action", "ToStep", "ActorId", "At")
            SELECT gen_random_uuid(), i."Id", 1, '', 'Submit', 'TownshipReview', 'u-clerk', @now FROM "WorkflowInstances" i WHERE i."Reference" LIKE '{tag}-%';
            INSERT INTO "Tasks" ("Id", "SubjectKind", "SubjectId", "PolicyCode", "InstanceId", "RegionCode", "Step", "Role", "CreatedAt", "DueAt",
                "DueAtIsProvisional", "Status")
            SELECT gen_random_uuid(), i."SubjectKind", i."SubjectId", i."PolicyCode", i."Id", i."RegionCode", 'TownshipReview', 'TownshipClerk', @now, @due, false, 'Open'
            FROM "WorkflowInstances" i WHERE i."Reference" LIKE '{tag}-%';
            ANALYZE;
            """, connection);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("due", due);
        cmd.Parameters.AddWithValue("n", cases);
        cmd.CommandTimeout = 600;
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<long> ExecuteScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Counts the jobs the engine would schedule instead of writing them to Hangfire's storage.</summary>
    private sealed class CountingJobs : IBackgroundJobClient
    {
        private int count;
        public int Count => count;
        public string Create(Job job, IState state)
        {
            Interlocked.Increment(ref count);
            return count.ToString(CultureInfo.InvariantCulture);
        }
        public bool ChangeState(string jobId, IState state, string expectedState) => true;
    }

    private sealed class Recorder : IDisposable
    {
        private readonly ConcurrentDictionary<string, double> seconds = new(StringComparer.Ordinal);
        private readonly ActivityListener listener;

        public Recorder()
        {
            listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == CaseEngine.BulkPhasesSourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStopped = a => seconds.AddOrUpdate(a.OperationName, a.Duration.TotalSeconds, (_, s) => s + a.Duration.TotalSeconds),
            };
            ActivitySource.AddActivityListener(listener);
        }

        public void Reset() => seconds.Clear();
        public IReadOnlyDictionary<string, double> Snapshot() => new Dictionary<string, double>(seconds);
        public void Dispose() => listener.Dispose();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using OneCard.Host.IntegrationTests.TwoHosts;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.IntegrationTests.Crash;

/// <summary>
/// Proof under faults (issue 8, item 9). The host runs as a real process on PostgreSQL; for every seed, finance approves
/// cases (their payment batches are created) and imports the bank's results, each request sent twice at once, and the
/// process is killed with SIGKILL at a moment the seed draws. The host is started again, the interrupted work is retried as
/// a user would retry it, a deadline sweep and a payment correction sweep run to the end, and the money invariants are
/// checked in SQL (<see cref="CrashLedger"/>): nobody paid twice, no approved line left without a final state or a pending
/// instruction, every batch balancing and running as its case, every request's effect once. Result files are replayed after
/// recovery.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(3);
    /// <summary>At least 50 seeded runs (issue 8); <c>ONECARD_CRASH_SEEDS</c> runs more (or fewer, while developing).</summary>
    private static readonly int Seeds = int.TryParse(Environment.GetEnvironmentVariable("ONECARD_CRASH_SEEDS"), CultureInfo.InvariantCulture, out var n) ? n : 50;
    private const int CasesPerSeed = 2;
    /// <summary>Lanes of seeds run side by side, each on its own copy of the database (<c>ONECARD_CRASH_LANES</c>, default 2: a start is mostly one core's work).</summary>
    private static readonly int Lanes = int.TryParse(Environment.GetEnvironmentVariable("ONECARD_CRASH_LANES"), CultureInfo.InvariantCulture, out var l) && l > 0 ? l : 2;
    /// <summary>
    /// The kill comes at a seeded fraction of a window after the requests go out. The window starts at this many milliseconds
    /// and follows the work: when a seed's requests all answer before its kill, the lane's window narrows to 1.2 times the
    /// time they took, so that on a fast machine (or after a faster import) the kills still land while requests are in flight.
    /// </summary>
    private const int KillWithinMs = 1500;

    private sealed record SeedOutcome(int Seed, int KillAfterMs, int Answered, int CutOff, bool FinishedFirst, int RetriedApprovals, int RetriedImports,
        int LeftToSweep, string Note);

    [Fact]
    public async Task PaymentsKeepTheirInvariants_WhenTheHostIsKilledAtSeededMomentsWhileCreatingBatchesAndImportingResults()
    {
        var watch = Stopwatch.StartNew();
        var template = await TestPostgres.CreateDatabaseAsync("crash");
        var lanes = new List<string>();
        var clockFile = Path.Combine(Path.GetTempPath(), $"onecard-clock-{Guid.NewGuid():N}");
        var auditKey = RandomNumberGenerator.GetBytes(32);
        // One deployment: the in-process host that prepares the cases and every restarted process hold the same keys.
        var keys = new Dictionary<string, string>
        {
            ["Keys:PersonalDataEncryption"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            ["Keys:PersonalDataLookup"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Keys:AuditChain"] = Convert.ToBase64String(auditKey),
        };
        try
        {
            // Cases up front, once: the in-process host drives them to finance's recheck with its fake clock.
            List<Guid> cases;
            DateTimeOffset preparedAt;
            await using (var app = await OneCardApp.StartAsync(database: template, settings: keys.ToDictionary(k => k.Key, k => (string?)k.Value)))
            {
                cases = await CrashDriver.PrepareAtFinanceRecheckAsync(app, Seeds * CasesPerSeed);
                preparedAt = app.Clock.GetUtcNow();
            }
            // Each lane works on its own copy of the prepared database (a restart costs the most; lanes restart side by side).
            for (var lane = 0; lane < Math.Min(Lanes, Seeds); lane++) lanes.Add(await CopyDatabaseAsync(template, $"crash{lane}"));
            output.WriteLine($"{cases.Count} cases at FinanceRecheck, {lanes.Count} lanes, in {watch.Elapsed.TotalSeconds:0.0} s");
            // Every process reads "now" as where the preparing host's clock stopped, moving on in real time.
            OffsetFileClock.Write(clockFile, preparedAt - DateTimeOffset.UtcNow);
            var settings = new Dictionary<string, string>(keys)
            {
                ["Database:Provider"] = "Postgres",
                ["Jobs:RunServer"] = "true",
                ["Jobs:Workers"] = "2",
                ["Demo:Seed"] = "false",
                [OffsetFileClock.Setting] = clockFile,
                ["RateLimits:SignIn:PermitLimit"] = "100000",
                ["RateLimits:Public:PermitLimit"] = "100000",
            };
            // Seed s runs in lane (s - 1) % lanes on cases of its own: what a seed does does not depend on the lane count.
            var results = await Task.WhenAll(lanes.Select((database, lane) => RunLaneAsync(lane, database,
                new Dictionary<string, string>(settings) { ["Database:ConnectionString"] = database },
                [.. Enumerable.Range(1, Seeds).Where(s => (s - 1) % lanes.Count == lane)], cases)));
            var outcomes = results.SelectMany(r => r.Outcomes).OrderBy(o => o.Seed).ToList();
            var violations = results.SelectMany(r => r.Violations).ToList();
            foreach (var (database, lane) in lanes.Select((d, i) => (d, i)))
                if (await VerifyAuditChainAsync(database, auditKey) is { } broken) violations.Add($"lane {lane}: the audit chain breaks at seq {broken}");

            var cutOff = outcomes.Count(o => o.CutOff > 0);
            // Mid-work: the kill came before every request had answered — in flight, or between a case's approval and its import.
            var midWork = outcomes.Count(o => !o.FinishedFirst);
            var totals = await Task.WhenAll(lanes.Select(d => new CrashLedger(d).TotalsAsync()));
            output.WriteLine($"crash test: {outcomes.Count} seeds, {midWork} killed mid-work ({cutOff} with requests in flight), {outcomes.Sum(o => o.RetriedApprovals)} approvals "
                             + $"and {outcomes.Sum(o => o.RetriedImports)} imports retried after restart, {outcomes.Sum(o => o.LeftToSweep)} cases published by the correction sweep, "
                             + $"{outcomes.Count(o => o.Note == "VIOLATED")} violated; "
                             + $"{string.Join(" | ", totals)}; {watch.Elapsed.TotalSeconds:0} s");
            Assert.Equal(Seeds, outcomes.Count);
            Assert.True(violations.Count == 0, "Invariants broken under kills:\n" + string.Join('\n', violations));
            Assert.True(Seeds < 10 || midWork >= Seeds / 2, $"Only {midWork} of {Seeds} kills came before the work was done: the kill window misses the work.");
        }
        finally
        {
            File.Delete(clockFile);
            foreach (var database in lanes) await TestPostgres.DropDatabaseAsync(database);
            await TestPostgres.DropDatabaseAsync(template);
        }
    }

    /// <summary>
    /// One lane's seeds in turn on its database: the host is started, the seed's work sent, the host killed at the seed's
    /// moment and started again; the restarted process recovers the seed, is checked, and serves the next seed's work.
    /// </summary>
    private async Task<(List<SeedOutcome> Outcomes, List<string> Violations)> RunLaneAsync(int lane, string database, Dictionary<string, string> settings,
        List<int> seeds, List<Guid> cases)
    {
        var ledger = new CrashLedger(database);
        var jobs = new TwoHostLedger(database);
        var outcomes = new List<SeedOutcome>();
        var violations = new List<string>();
        var phases = new Stopwatch();
        var window = KillWithinMs;
        HostProcess? host = null;
        try
        {
            host = await HostProcess.StartAsync($"lane{lane}", settings, StartTimeout);
            foreach (var seed in seeds)
            {
                var random = new Random(seed);
                var mine = cases.Skip((seed - 1) * CasesPerSeed).Take(CasesPerSeed).ToList();
                // The bank fails line 1, line 2 or none of a case's batch, the same way on every try.
                var failSeq = mine.ToDictionary(id => id, _ => random.Next(0, 3));
                var killAfter = (int)(random.NextDouble() * window);

                await host.As("finance"); // signed in before the clock of the kill starts
                var answers = new List<(string What, CrashDriver.Answer? Answer)>();
                var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var running = host;
                var work = mine.Select(id => Task.Run(async () =>
                {
                    await gate.Task;
                    await InFlightAsync(running, id, failSeq[id], answers);
                })).ToList();
                var sent = Stopwatch.StartNew();
                gate.SetResult();
                var all = Task.WhenAll(work);
                var finishedFirst = await Task.WhenAny(all, Task.Delay(killAfter)) == all;
                if (finishedFirst) window = Math.Max(20, (int)(sent.ElapsedMilliseconds * 1.2));
                await host.KillAsync();
                // A request the kill cut off fails however it was cut: before its answer (HttpRequestException), while a JSON body
                // was being read from the stream (an IOException: HttpIOException), or as an error status (InvalidOperationException).
                try { await all.WaitAsync(TimeSpan.FromMinutes(1)); } catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidOperationException) { }
                await host.DisposeAsync();
                host = null;

                // What answered before the kill must already be one effect each: never two approvals, never two applying imports.
                List<(string What, CrashDriver.Answer? Answer)> seen;
                lock (answers) seen = [.. answers];
                foreach (var group in seen.Where(a => a.Answer is not null).GroupBy(a => a.What))
                {
                    if (group.Key.StartsWith("approve", StringComparison.Ordinal) && group.Count(a => a.Answer!.Ok) > 1)
                        violations.Add($"seed {seed}: {group.Key} answered 200 twice");
                    if (group.Key.StartsWith("import", StringComparison.Ordinal) && group.Count(a => a.Answer!.Applied > 0) > 1)
                        violations.Add($"seed {seed}: {group.Key} applied twice");
                    if (group.Any(a => a.Answer!.Status >= 500))
                        violations.Add($"seed {seed}: {group.Key} answered {string.Join(", ", group.Select(a => $"{a.Answer!.Status} {a.Answer.Body}"))}");
                }

                // Restart (this process also serves the lane's next seed), let a sweep run, retry what the kill interrupted,
                // replay the result files and run a correction sweep; then the invariants.
                phases.Restart();
                host = await HostProcess.StartAsync($"lane{lane}-after-seed{seed}", settings, StartTimeout);
                var started = phases.Elapsed;
                var sweep = jobs.EnqueueSweep();
                var (approvals, imports) = await RecoverAsync(host, ledger, mine, failSeq, violations, seed);
                // Then the system's safety net for what no retry redoes: an import that committed before the kill, whose
                // application's publication (its own transaction) did not, is published by the correction sweep. Every
                // case must be published after it, and not before (the minutely sweep may come first).
                var leftToSweep = (await ledger.StepsAsync(mine)).Count(s => s.Value != "Publicized");
                var corrections = jobs.EnqueueCorrectionSweep();
                await WaitForJobAsync(jobs, sweep);
                await WaitForJobAsync(jobs, corrections);
                var found = await ledger.ViolationsAsync();
                found.AddRange((await ledger.StepsAsync(mine)).Where(s => s.Value != "Publicized").Select(s => $"{s.Key} is in {s.Value} after recovery, not Publicized"));
                violations.AddRange(found.Select(v => $"seed {seed}: {v}"));

                var outcome = new SeedOutcome(seed, killAfter, seen.Count(a => a.Answer is not null), seen.Count(a => a.Answer is null), finishedFirst, approvals, imports,
                    leftToSweep, found.Count > 0 ? "VIOLATED" : finishedFirst ? "all answered before the kill; invariants hold" : "invariants hold");
                outcomes.Add(outcome);
                output.WriteLine($"seed {outcome.Seed,2} (lane {lane}): killed after {outcome.KillAfterMs,4} ms, {outcome.Answered} answered [{Summary(seen)}], {outcome.CutOff} cut off; "
                                 + $"after restart ({started.TotalSeconds:0.0} s) {outcome.RetriedApprovals} approvals and {outcome.RetriedImports} imports retried, "
                                 + $"{outcome.LeftToSweep} cases left to publish by the correction sweep, sweep and checks done in {(phases.Elapsed - started).TotalSeconds:0.0} s; {outcome.Note}");
            }
        }
        catch (Exception e)
        {
            if (host is not null) output.WriteLine(host.Log);
            try { output.WriteLine(await jobs.JobReportAsync()); } catch (NpgsqlException) { }
            // Last, so that a report cut to its tail still says why the lane stopped (the message may carry a host's whole log).
            var why = e.ToString();
            output.WriteLine($"lane {lane} stopped after {outcomes.Count} seeds: {(why.Length > 3000 ? why[..3000] + " …" : why)}");
            throw;
        }
        finally
        {
            if (host is not null) await host.DisposeAsync();
        }
        return (outcomes, violations);
    }

    /// <summary>A copy of the prepared database (PostgreSQL's template copy: no connection to it may be open).</summary>
    private static async Task<string> CopyDatabaseAsync(string template, string prefix)
    {
        NpgsqlConnection.ClearAllPools();
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(TestPostgres.ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{new NpgsqlConnectionStringBuilder(template).Database}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(template) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// One case's work while the kill may come: finance approves twice at once (the batch is created once), then for each
    /// ready batch downloads its file and imports the bank's results twice at once (applied once). A request the kill cuts
    /// off is recorded without an answer.
    /// </summary>
    private static async Task InFlightAsync(HostProcess host, Guid id, int failSeq, List<(string, CrashDriver.Answer?)> answers)
    {
        async Task<CrashDriver.Answer?> Send(string what, Func<Task<CrashDriver.Answer>> request)
        {
            CrashDriver.Answer? answer = null;
            try { answer = await request(); }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException) { }
            lock (answers) answers.Add((what, answer));
            return answer;
        }
        var approvals = await Task.WhenAll(Send($"approve {id}", () => CrashDriver.ApproveAsync(host, id)), Send($"approve {id}", () => CrashDriver.ApproveAsync(host, id)));
        if (!approvals.Any(a => a?.Ok == true)) return;
        foreach (var batchId in await CrashDriver.ReadyBatchesAsync(host, id))
        {
            var results = await CrashDriver.ResultFileAsync(host, await CrashDriver.BankFileAsync(host, batchId), failSeq);
            await Task.WhenAll(Send($"import {batchId}", () => CrashDriver.ImportAsync(host, batchId, results)),
                Send($"import {batchId}", () => CrashDriver.ImportAsync(host, batchId, results)));
        }
    }

    /// <summary>
    /// After the restart, finishes each case as a user would: approve again what is still at the recheck, import the results
    /// of every batch still waiting, then replays each result file, which must change nothing. Returns how many approvals and
    /// imports had to be retried.
    /// </summary>
    private static async Task<(int Approvals, int Imports)> RecoverAsync(HostProcess host, CrashLedger ledger, List<Guid> mine, Dictionary<Guid, int> failSeq, List<string> violations, int seed)
    {
        var (approvals, imports) = (0, 0);
        foreach (var id in mine)
        {
            if ((await ledger.StepsAsync([id]))[id] == "FinanceRecheck")
            {
                approvals++;
                var answer = await CrashDriver.ApproveAsync(host, id);
                if (!answer.Ok) violations.Add($"seed {seed}: approval of {id} after restart answered {answer.Status} {answer.Body}");
            }
            foreach (var batchId in await CrashDriver.ReadyBatchesAsync(host, id))
            {
                imports++;
                var results = await CrashDriver.ResultFileAsync(host, await CrashDriver.BankFileAsync(host, batchId), failSeq[id]);
                var answer = await CrashDriver.ImportAsync(host, batchId, results);
                if (!answer.Ok) violations.Add($"seed {seed}: import of {batchId} after restart answered {answer.Status} {answer.Body}");
                var replay = await CrashDriver.ImportAsync(host, batchId, results);
                if (!replay.Ok || replay.Applied != 0) violations.Add($"seed {seed}: replay of {batchId}'s result file answered {replay.Status} {replay.Body}");
            }
        }
        return (approvals, imports);
    }

    /// <summary>What answered before the kill, e.g. "approve 200, approve 409, import applied 2, import applied 0".</summary>
    private static string Summary(IEnumerable<(string What, CrashDriver.Answer? Answer)> seen) => string.Join(", ", seen.Where(a => a.Answer is not null)
        .Select(a => a.What.StartsWith("import", StringComparison.Ordinal) && a.Answer!.Ok ? $"import applied {a.Answer.Applied}" : $"{a.What.Split(' ')[0]} {a.Answer!.Status}"));

    /// <summary>Waits (bounded) until the running host's Hangfire server has run the job to the end.</summary>
    private static async Task WaitForJobAsync(TwoHostLedger jobs, string id)
    {
        var deadline = DateTime.UtcNow + SettleTimeout;
        while (true)
        {
            var unfinished = await jobs.UnfinishedJobsAsync([id]);
            if (unfinished.Count == 0) return;
            if (unfinished.Any(j => j.State == "Failed")) throw new InvalidOperationException($"Job {id} failed:\n{await jobs.JobReportAsync()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Job {id} did not finish within {SettleTimeout}.\n{await jobs.JobReportAsync()}");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private static async Task<long?> VerifyAuditChainAsync(string database, byte[] auditKey)
    {
        await using var db = DatabaseSetup.CreateContext(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = database });
        return await new AuditWriter(auditKey, TimeProvider.System).VerifyAsync(db);
    }
}

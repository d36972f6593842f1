using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.IntegrationTests.TwoHosts;

/// <summary>
/// Two OneCard host processes on one PostgreSQL database, each with its own Hangfire server: actions
/// arrive through both at once, both servers race the timers and the sweep, and every step still
/// happens exactly once. The hosts share a clock file (Clock:OffsetFile) that the test moves.
/// </summary>
public sealed class TwoHostTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(6);
    private const int Runners = 4; // cases driven to the end
    private const int Idlers = 2;  // cases left in township review until overdue

    [Fact]
    public async Task EveryStepHappensOnce_WhenTwoHostProcessesShareOneDatabase()
    {
        var database = await TestPostgres.CreateDatabaseAsync("twohost");
        var clockFile = Path.Combine(Path.GetTempPath(), $"onecard-clock-{Guid.NewGuid():N}");
        // Both hosts read "now" as Monday 2026-03-02 09:00 in China, moving on in real time from there.
        var offset = OneCardApp.DefaultStart - DateTimeOffset.UtcNow;
        OffsetFileClock.Write(clockFile, offset);
        var auditKey = RandomNumberGenerator.GetBytes(32);
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = database,
            ["Jobs:RunServer"] = "true",
            ["Jobs:Workers"] = "2",
            ["Demo:Seed"] = "false",
            [OffsetFileClock.Setting] = clockFile,
            // One deployment: both hosts hold the same keys, or neither could read the other's audit chain and personal data.
            ["Keys:PersonalDataEncryption"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            ["Keys:PersonalDataLookup"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Keys:AuditChain"] = Convert.ToBase64String(auditKey),
            ["RateLimits:SignIn:PermitLimit"] = "100000",
            ["RateLimits:Public:PermitLimit"] = "100000",
        };
        var ledger = new TwoHostLedger(database);
        HostProcess? a = null, b = null;
        try
        {
            // Both start at once on the empty database: one migrates, seeds and registers the definitions, the other waits its turn.
            var startA = HostProcess.StartAsync("A", settings, StartTimeout);
            var startB = HostProcess.StartAsync("B", settings, StartTimeout);
            try
            {
                await Task.WhenAll(startA, startB);
                a = await startA;
                b = await startB;
            }
            catch
            {
                // Whichever started is stopped below, also when the other did not.
                if (startA.IsCompletedSuccessfully) a = await startA;
                if (startB.IsCompletedSuccessfully) b = await startB;
                throw;
            }
            await SeedUsersAsync(database);
            output.WriteLine($"host A pid {a.ProcessId} at {a.Address}, host B pid {b.ProcessId} at {b.Address}");

            var (runners, idlers) = await DriveToPublicityAsync(a, b, ledger);

            // Ten days on for both hosts: publicity (7 calendar days) is over, the idle township reviews are past due.
            OffsetFileClock.Write(clockFile, offset + TimeSpan.FromDays(10));
            a.ForgetSignIns();
            b.ForgetSignIns();
            var jobs = new List<string>();
            foreach (var id in runners)
                for (var copy = 0; copy < 3; copy++) jobs.Add(ledger.EnqueuePublicityTimer(id));
            jobs.Add(ledger.EnqueueSweep());
            jobs.Add(ledger.EnqueueSweep());
            var pids = new HashSet<int>();
            await WaitUntilAsync("publicity ended for every runner and the idle tasks are marked, by jobs on both hosts", ledger, async () =>
            {
                var unfinished = await ledger.UnfinishedJobsAsync(jobs);
                if (unfinished.Any(j => j.State == "Failed")) throw new InvalidOperationException($"A job failed:\n{await ledger.JobReportAsync()}");
                pids = await ledger.ProcessingPidsAsync(jobs);
                var bothRan = pids.Contains(a.ProcessId) && pids.Contains(b.ProcessId);
                // One server drained the whole round: give both another round of the same (idempotent) sweep to race for.
                if (unfinished.Count == 0 && !bothRan) jobs.Add(ledger.EnqueueSweep());
                var steps = await ledger.StepsAsync(runners);
                var marks = await Task.WhenAll(idlers.Select(ledger.OpenTaskMarksAsync));
                return unfinished.Count == 0 && bothRan
                    && runners.All(r => steps[r] == "FinanceRecheck") && marks.All(m => m == (1, 1, 1));
            });
            output.WriteLine($"{jobs.Count} enqueued jobs, processed by pids {string.Join(", ", pids)}");

            await SignInAsync([a, b], "finance");
            await Task.WhenAll(runners.Select(id => RaceAsync(a, b, id, "finance", "Approve")));
            await Task.WhenAll(runners.Select(id => ImportBankResultsThroughBothAsync(a, b, id, settings)));
            var final = await ledger.StepsAsync(runners);
            Assert.All(runners, r => Assert.Equal("Publicized", final[r]));

            await AssertEveryStepOnceAsync(ledger, runners, idlers);
            var broken = await VerifyAuditChainAsync(database, auditKey);
            Assert.True(broken is null, $"The audit chain breaks at seq {broken}.");
        }
        catch
        {
            foreach (var host in new[] { a, b }.OfType<HostProcess>()) output.WriteLine(host.Log);
            try { output.WriteLine(await ledger.JobReportAsync()); } catch (Npgsql.NpgsqlException) { }
            throw;
        }
        finally
        {
            if (a is not null) await a.DisposeAsync();
            if (b is not null) await b.DisposeAsync();
            File.Delete(clockFile);
            await TestPostgres.DropDatabaseAsync(database);
        }
    }

    /// <summary>Submits the cases through both hosts and drives the runners to publicity, racing each action through both.</summary>
    private static async Task<(List<Guid> Runners, List<Guid> Idlers)> DriveToPublicityAsync(HostProcess a, HostProcess b, TwoHostLedger ledger)
    {
        await SignInAsync([a, b], "clerk", "clerk.review", "reviewer", "inspector");
        var ids = new List<Guid>();
        for (var c = 0; c < Runners + Idlers; c++) ids.Add(await SubmitAsync(c % 2 == 0 ? a : b, c));
        var runners = ids.Take(Runners).ToList();
        await Task.WhenAll(runners.Select(id => RaceAsync(a, b, id, "clerk.review", "Approve")));
        await Task.WhenAll(runners.Select(id => RaceAsync(b, a, id, "reviewer", "Approve")));
        await Task.WhenAll(runners.Select((id, i) => RecordSampleResultsAsync(i % 2 == 0 ? b : a, id)));
        await Task.WhenAll(runners.Select(id => RaceAsync(a, b, id, "inspector", "Complete")));
        var steps = await ledger.StepsAsync(runners);
        Assert.All(runners, r => Assert.Equal("Publicity", steps[r]));
        return (runners, ids.Skip(Runners).ToList());
    }

    /// <summary>The counts that prove each step happened once, read from the database.</summary>
    private static async Task AssertEveryStepOnceAsync(TwoHostLedger ledger, List<Guid> runners, List<Guid> idlers)
    {
        string[] path = ["Submit", "Approve", "Approve", "Complete", "PublicityEnded", "Approve", "BankResultsReconciled"];
        foreach (var id in runners)
        {
            var events = await ledger.EventsAsync(id);
            Assert.Equal(path, events.Select(e => e.Action));
            Assert.Equal(Enumerable.Range(1, path.Length), events.Select(e => e.Seq));
            Assert.Equal(1, await ledger.AuditCountAsync(id, "WorkflowStarted"));
            Assert.Equal(path.Length - 1, await ledger.AuditCountAsync(id, "Transition"));
            Assert.Equal(1, await ledger.PaymentBatchCountAsync(id));
            Assert.Equal(0, await ledger.AuditCountAsync(id, "TaskOverdue"));
            Assert.Equal((0L, 0L, 0L), await ledger.OpenTaskMarksAsync(id));
        }
        foreach (var id in idlers)
        {
            Assert.Equal(["Submit"], (await ledger.EventsAsync(id)).Select(e => e.Action));
            Assert.Equal((1L, 1L, 1L), await ledger.OpenTaskMarksAsync(id));
            Assert.Equal(1, await ledger.AuditCountAsync(id, "TaskOverdue"));
            Assert.Equal(1, await ledger.AuditCountAsync(id, "TaskReminded"));
        }
    }

    /// <summary>The same action on the same case through both hosts at once: exactly one moves the case, the other is told 409.</summary>
    private static async Task RaceAsync(HostProcess first, HostProcess second, Guid id, string user, string action)
    {
        var clients = new[] { await first.As(user), await second.As(user) };
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = clients.Select(async client =>
        {
            await go.Task;
            var response = await client.PostAsJsonAsync($"/api/applications/{id}/actions/{action}", new { comment = (string?)null });
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }).ToArray();
        go.SetResult();
        var results = await Task.WhenAll(calls);
        var statuses = results.Select(r => r.Item1).Order().ToArray();
        Assert.True(statuses is [200, 409],
            $"{action} by {user} on {id} through both hosts answered {string.Join(" and ", results.Select(r => $"{r.Item1} {r.Item2}"))}; expected one 200 and one 409.");
    }

    private static async Task<Guid> SubmitAsync(HostProcess host, int c)
    {
        // Distinct people per case: the same beneficiary twice in one policy period is refused.
        object Line(string name, string birth, int l, decimal area) => Claims.Line(name, Claims.Id($"210124{birth}{c:D2}{l}"), area);
        var lines = new[] { Line("张三", "19800101", 1, 12.5m), Line("王五", "19660303", 2, 8.25m), Line("欧阳秀英", "19591111", 3, 20m) };
        var response = await (await host.As("clerk")).PostAsJsonAsync("/api/applications", new { policyCode = "arable-land-protection", period = "2026", lines });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Submit through host {host.Name} failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    private static async Task RecordSampleResultsAsync(HostProcess host, Guid id)
    {
        var inspector = await host.As("inspector");
        var application = await inspector.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        foreach (var line in application.GetProperty("lines").EnumerateArray())
        {
            var response = await inspector.PostAsJsonAsync($"/api/applications/{id}/lines/{line.GetProperty("lineNo").GetInt32()}/sample-result", new { passed = true, note = "一致" });
            Assert.True(response.IsSuccessStatusCode, $"Sample result on {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The bank's result file arrives through both hosts at once; the case is reconciled and published once.</summary>
    private static async Task ImportBankResultsThroughBothAsync(HostProcess a, HostProcess b, Guid id, IReadOnlyDictionary<string, string> settings)
    {
        // Finance allocates the batch to a budget indicator and releases it (through host A) before the bank file exists.
        var batchId = (await OneCard.Testing.BatchRelease.ReadyAsync(await a.As("finance"), id)).Single().GetProperty("id").GetGuid();
        var bankFile = await (await b.As("finance")).GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");
        // The demo bank opens the file with the agreement's keys, unsealed by the deployment's protector (both hosts hold the same keys).
        var protector = Domain.Privacy.PersonalDataProtector.FromBase64(settings["Keys:PersonalDataEncryption"], settings["Keys:PersonalDataLookup"]);
        await using var keysDb = DatabaseSetup.CreateContext(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = settings["Database:ConnectionString"] });
        var formats = Domain.Payments.BankFormatCatalog.LoadFromDirectory(Path.Combine(AppContext.BaseDirectory, "bankformats"));
        var results = await Demo.DemoBank.RespondAsync(keysDb, protector, formats, bankFile, []);
        var imports = await Task.WhenAll(new[] { a, b }.Select(async host =>
        {
            using var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(results) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "results.csv" },
            };
            var response = await (await host.As("finance")).PostAsync($"/api/payments/batches/{batchId}/results", form);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        // The second import finds every line applied (200, nothing changed) or the case moved on (409); never a second effect.
        Assert.True(imports.Any(i => i.Item1 == 200) && imports.All(i => i.Item1 is 200 or 409),
            $"Bank results for {id}: {string.Join(" and ", imports.Select(i => $"{i.Item1} {i.Item2}"))}");
    }

    private static async Task SignInAsync(HostProcess[] hosts, params string[] users)
    {
        foreach (var host in hosts)
            foreach (var user in users) await host.As(user);
    }

    /// <summary>The demo users, written as the in-process test host seeds them (OneCardApp).</summary>
    private static async Task SeedUsersAsync(string database)
    {
        await using var db = DatabaseSetup.CreateContext(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = database });
        await Demo.DemoData.EnsureDemoUsersAsync(db, new PasswordHasher<User>());
    }

    private static async Task<long?> VerifyAuditChainAsync(string database, byte[] auditKey)
    {
        await using var db = DatabaseSetup.CreateContext(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = database });
        return await new AuditWriter(auditKey, TimeProvider.System).VerifyAsync(db);
    }

    /// <summary>Polls the database until <paramref name="done"/> holds; a bounded wait on the database's own signal, not a timing assertion.</summary>
    private static async Task WaitUntilAsync(string what, TwoHostLedger ledger, Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow + SettleTimeout;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not within {SettleTimeout}: {what}.\n{await ledger.JobReportAsync()}");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}

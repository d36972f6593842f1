using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Host.IntegrationTests.TwoHosts;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Crash;

/// <summary>
/// Every step of the payment flow the crash test takes, in one place: prepare cases up to finance's recheck (in process,
/// fake clock), approve (the batches are created), get the batches ready for the bank, download the bank file, write the
/// bank's result file, import it. The steps other work changes — allocation before release, the signed file envelope, the
/// bank simulator — are adapted here only; the test and its SQL checks do not know the file format or the release path.
/// Each HTTP step returns what the host answered and never asserts: the test decides what an answer means under a kill.
/// </summary>
public sealed class CrashDriver
{
    public const string PolicyCode = "arable-land-protection";
    public const string Period = "2026";

    /// <summary>An HTTP answer as the test judges it: status and body.</summary>
    public sealed record Answer(int Status, string Body)
    {
        public bool Ok => Status is >= 200 and < 300;
        /// <summary>How many results the import applied (0 for a replay or a file that only repeats recorded results).</summary>
        public int Applied => Ok && JsonDocument.Parse(Body).RootElement.TryGetProperty("applied", out var a) ? a.GetInt32() : 0;
    }

    /// <summary>
    /// Drives <paramref name="count"/> new applications of two lines each to FinanceRecheck through the API of an in-process
    /// host on <paramref name="app"/>'s database; the publicity of all ends at once by moving the fake clock 8 days. Returns
    /// the application ids in order. Lines are distinct people (the same person twice in one period is refused).
    /// </summary>
    public static async Task<List<Guid>> PrepareAtFinanceRecheckAsync(OneCardApp app, int count)
    {
        var clients = new Dictionary<string, HttpClient>();
        foreach (var user in new[] { "clerk", "clerk.review", "reviewer", "inspector" }) clients[user] = await app.SignInAsync(user);
        async Task Act(string user, Guid id, string action)
        {
            var r = await clients[user].PostAsJsonAsync($"/api/applications/{id}/actions/{action}", new { comment = (string?)null });
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{action} by {user} on {id}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        }
        var ids = new Guid[count];
        // A few at a time: the requests wait on the database as much as on the two cores.
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, ct) =>
        {
            var birth = new DateOnly(1950, 1, 1).AddDays(c);
            object Line(int l, decimal area) => Claims.Line(l == 1 ? "张三" : "欧阳秀英", Claims.Id($"210124{birth:yyyyMMdd}{l:D3}"), area);
            var submitted = await clients["clerk"].PostAsJsonAsync("/api/applications", new { policyCode = PolicyCode, period = Period, lines = new[] { Line(1, 12.5m), Line(2, 8.25m + c % 7) } }, ct);
            var body = await submitted.Content.ReadAsStringAsync(ct);
            if (!submitted.IsSuccessStatusCode) throw new InvalidOperationException($"Submit {c}: {(int)submitted.StatusCode} {body}");
            var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
            await Act("clerk.review", id, "Approve");
            await Act("reviewer", id, "Approve");
            var detail = await clients["inspector"].GetFromJsonAsync<JsonElement>($"/api/applications/{id}", ct);
            foreach (var line in detail.GetProperty("lines").EnumerateArray())
            {
                var r = await clients["inspector"].PostAsJsonAsync($"/api/applications/{id}/lines/{line.GetProperty("lineNo").GetInt32()}/sample-result", new { passed = true, note = "一致" }, ct);
                if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"Sample result on {id}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync(ct)}");
            }
            await Act("inspector", id, "Complete");
            ids[c] = id;
        });
        app.Clock.Advance(TimeSpan.FromDays(8));
        foreach (var id in ids)
            await app.AsSystemAsync(async sp =>
            {
                await sp.GetRequiredService<StepTimerJob>().RunAsync(SubjectKinds.Application, id, "Publicity", default);
                return 0;
            });
        foreach (var client in clients.Values) client.Dispose();
        return [.. ids];
    }

    /// <summary>Finance approves the recheck: the case enters Payment and its batches are created (CreatePaymentBatch).</summary>
    public static async Task<Answer> ApproveAsync(HostProcess host, Guid applicationId) =>
        await AnswerOf(await (await host.As("finance")).PostAsJsonAsync($"/api/applications/{applicationId}/actions/Approve", new { comment = (string?)null }));

    /// <summary>
    /// The application's batches that wait for the bank's results, after what makes them ready for their bank file: each
    /// batch still allocating is allocated in full to a budget indicator and released (idempotent: an allocation already
    /// written is written again as no change, a released batch is left alone). A batch already reconciled is left out.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> ReadyBatchesAsync(HostProcess host, Guid applicationId)
    {
        var batches = await BatchRelease.ReadyAsync(await host.As("finance"), applicationId);
        return [.. batches.Where(b => b.GetProperty("status").GetString() == "Instructed").Select(b => b.GetProperty("id").GetGuid())];
    }

    /// <summary>The bank file of a ready batch, as finance downloads it.</summary>
    public static async Task<byte[]> BankFileAsync(HostProcess host, Guid batchId)
    {
        var response = await (await host.As("finance")).GetAsync($"/api/payments/batches/{batchId}/bank-file");
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Bank file of {batchId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>
    /// The bank's result file for <paramref name="bankFile"/>, failing line <paramref name="failSeq"/> (0 = none): the demo
    /// bank opens the envelope with the agreement's keys, unsealed by the deployment's protector (the host's own settings).
    /// A retried import after a kill sends a new file (a fresh IV) with the same results: it applies nothing.
    /// </summary>
    public static async Task<byte[]> ResultFileAsync(HostProcess host, byte[] bankFile, int failSeq)
    {
        var settings = host.Settings;
        var protector = Domain.Privacy.PersonalDataProtector.FromBase64(settings["Keys:PersonalDataEncryption"], settings["Keys:PersonalDataLookup"]);
        await using var db = DatabaseSetup.CreateContext(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = settings["Database:ConnectionString"] });
        var formats = Domain.Payments.BankFormatCatalog.LoadFromDirectory(Path.Combine(AppContext.BaseDirectory, "bankformats"));
        return await Demo.DemoBank.RespondAsync(db, protector, formats, bankFile, failSeq == 0 ? [] : [failSeq]);
    }

    /// <summary>Finance uploads the bank's result file.</summary>
    public static async Task<Answer> ImportAsync(HostProcess host, Guid batchId, byte[] results)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(results) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "results.bank" },
        };
        return await AnswerOf(await (await host.As("finance")).PostAsync($"/api/payments/batches/{batchId}/results", form));
    }

    private static async Task<Answer> AnswerOf(HttpResponseMessage response) => new((int)response.StatusCode, await response.Content.ReadAsStringAsync());
}

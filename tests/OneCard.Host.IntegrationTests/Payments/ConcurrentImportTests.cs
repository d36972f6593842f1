using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Payments;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Payments;

/// <summary>
/// Issue 5, finding 1: bank result imports racing on PostgreSQL. Each finance user posts through a
/// separate signed-in client; a gate releases every post at once so they really overlap.
/// </summary>
public sealed class ConcurrentImportTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<(Guid ApplicationId, Guid BatchId, byte[] BankFile)> PaymentCaseAsync()
    {
        var id = await driver.DriveToAsync("Payment");
        var batchId = (await driver.BatchAsync(id)).GetProperty("id").GetGuid();
        var file = await (await driver.As("finance")).GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");
        return (id, batchId, file);
    }

    /// <summary>The demo bank's signed result file: every line paid but <paramref name="failSeq"/>.</summary>
    private Task<byte[]> ResultsFor(byte[] bankFile, int failSeq) => Host.Demo.DemoBank.RespondAsync(app.Services, bankFile, [failSeq]);

    /// <summary>Posts every file at the same instant, each from its own signed-in finance client.</summary>
    private async Task<HttpResponseMessage[]> RaceAsync(Guid batchId, IReadOnlyList<byte[]> files)
    {
        var clients = new List<HttpClient>();
        foreach (var _ in files) clients.Add(await app.SignInAsync("finance"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posts = files.Select((csv, i) => Task.Run(async () =>
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(csv) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "results.bank" } };
            await gate.Task;
            return await clients[i].PostAsync($"/api/payments/batches/{batchId}/results", form);
        })).ToList();
        gate.SetResult();
        return await Task.WhenAll(posts).WaitAsync(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Import_AppliesOnce_WhenEightIdenticalFilesArriveConcurrently()
    {
        var (id, batchId, file) = await PaymentCaseAsync();
        var csv = await ResultsFor(file, failSeq: 2);

        var responses = await RaceAsync(batchId, Enumerable.Repeat(csv, 8).ToList());

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var summaries = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<JsonElement>()));
        var applied = summaries.Select(s => s.GetProperty("applied").GetInt32()).OrderDescending().ToList();
        Assert.Equal([4, 0, 0, 0, 0, 0, 0, 0], applied);
        // The seven replays are recognised as the same file and answer with the first import's result.
        Assert.Equal(7, summaries.Count(s => s.GetProperty("unchanged").GetInt32() == 4 && s.GetProperty("firstImportedAt").ValueKind == JsonValueKind.String));

        var (audits, imports) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.AuditLog.CountAsync(a => a.Action == "BankResultsImported" && a.EntityId == batchId.ToString()),
                await db.BankResultImports.CountAsync(i => i.BatchId == batchId));
        });
        Assert.Equal(1, audits);
        Assert.Equal(1, imports);
        Assert.Equal("Publicized", await driver.StepAsync(id));
        await AssertInstructionsAndLinesAgreeAsync(batchId, expectedFailedSeq: 2);
    }

    [Fact]
    public async Task Import_AppliesOneOfTwoContradictingFiles_AndRefusesTheOther_WhenTheyArriveConcurrently()
    {
        var (id, batchId, file) = await PaymentCaseAsync();

        var responses = await RaceAsync(batchId, [await ResultsFor(file, failSeq: 1), await ResultsFor(file, failSeq: 2)]);

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(responses, r => r.StatusCode != HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, loser.StatusCode);
        var codes = (await loser.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToList();
        Assert.Equal(["ResultConflict", "ResultConflict"], codes);
        Assert.Equal(4, (await winner.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applied").GetInt32());

        var winnerFailedSeq = Array.IndexOf(responses, winner) + 1;
        await AssertInstructionsAndLinesAgreeAsync(batchId, winnerFailedSeq);
        var audits = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog
            .CountAsync(a => a.Action == "BankResultsImported" && a.EntityId == batchId.ToString()));
        Assert.Equal(1, audits);
        Assert.Equal("Publicized", await driver.StepAsync(id));
    }

    /// <summary>Every instruction's status, bank message and claim-line outcome tell the same story, from one file.</summary>
    private async Task AssertInstructionsAndLinesAgreeAsync(Guid batchId, int expectedFailedSeq)
    {
        var rows = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return await db.PaymentInstructions.AsNoTracking().Where(i => i.BatchId == batchId)
                .Join(db.ClaimLines.AsNoTracking(), i => i.ClaimLineId, l => l.Id, (i, l) => new { i.Seq, i.Status, i.BankMessage, l.Outcome, l.ReasonZh })
                .OrderBy(x => x.Seq).ToListAsync();
        });
        Assert.Equal(4, rows.Count);
        foreach (var row in rows)
        {
            if (row.Seq == expectedFailedSeq)
            {
                Assert.Equal(PaymentStatus.Failed, row.Status);
                Assert.Equal("账户已销户", row.BankMessage);
                Assert.Equal(LineOutcome.Failed, row.Outcome);
                Assert.Contains("账户已销户", row.ReasonZh);
            }
            else
            {
                Assert.Equal(PaymentStatus.Succeeded, row.Status);
                Assert.Null(row.BankMessage);
                Assert.Equal(LineOutcome.Paid, row.Outcome);
            }
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using OneCard.Domain.Publications;
using OneCard.Host.Payments;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Payments;

/// <summary>
/// The application's publication (公开) runs after the import that reconciled its payments has committed, in a transaction of
/// its own: at once for an ordinary case, as a job for one above <c>Payments:PublishInlineUpTo</c> lines (0 here, so every case
/// counts as large). A lost job is made good by the sweep, or by the import's replay; each publishes once.
/// </summary>
public sealed class PublicationTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync()
    {
        app = await OneCardApp.StartAsync(settings: new Dictionary<string, string?> { ["Payments:PublishInlineUpTo"] = "0" });
        driver = new CaseDriver(app);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>Drives a case to Payment and imports its bank's results (one line failed); the answer's body.</summary>
    private async Task<(Guid Application, JsonElement Summary, byte[] Results, Guid Batch)> ImportAsync(object[]? lines = null)
    {
        var id = await driver.DriveToAsync("Payment", lines);
        var batchId = (await driver.BatchAsync(id)).GetProperty("id").GetGuid();
        var finance = await driver.As("finance");
        var bankFile = await finance.GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");
        var results = await Host.Demo.DemoBank.RespondAsync(app.Services, bankFile, [2]);
        return (id, await PostAsync(batchId, results), results, batchId);
    }

    private async Task<JsonElement> PostAsync(Guid batchId, byte[] results)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(results) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "results.bank" } };
        var response = await (await driver.As("finance")).PostAsync($"/api/payments/batches/{batchId}/results", form);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<int> PublicationsAsync(Guid applicationId) => app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().PublicNotices
        .CountAsync(n => n.ApplicationId == applicationId && n.Kind == NoticeKind.Publication));

    [Fact]
    public async Task ALargeCase_IsReconciledByTheImport_AndPublishedByItsJob_Once()
    {
        var (id, summary, _, batchId) = await ImportAsync();

        // The import committed the results and the batch's reconciliation; the case waits for its publication, which is queued.
        Assert.Equal("Reconciled", summary.GetProperty("batchStatus").GetString());
        Assert.True(summary.GetProperty("publicationQueued").GetBoolean());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("step").ValueKind);
        Assert.Equal("Payment", await driver.StepAsync(id));
        Assert.Equal(0, await PublicationsAsync(id));
        var queued = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 100);
        Assert.Contains(queued, j => j.Value.Job.Type == typeof(Publication) && (Guid)j.Value.Job.Args[0] == id);
        // The batch's page (its API) says so from the state, for anyone who opens it until the job is done.
        Assert.True(await PublicationWaitingAsync(batchId));

        // The job publishes; run again (Hangfire delivers at least once) it does nothing.
        var publication = app.Services.GetRequiredService<Publication>();
        Assert.Equal("Publicized", await publication.RunAsync(id, CancellationToken.None));
        Assert.Null(await publication.RunAsync(id, CancellationToken.None));
        Assert.Equal("Publicized", await driver.StepAsync(id));
        Assert.Equal(1, await PublicationsAsync(id));
        var lines = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().PublicNoticeLines
            .CountAsync(l => sp.GetRequiredService<OneCardDbContext>().PublicNotices.Any(n => n.Id == l.NoticeId && n.ApplicationId == id && n.Kind == NoticeKind.Publication)));
        Assert.Equal(3, lines); // four eligible lines, one returned by the bank
        Assert.False(await PublicationWaitingAsync(batchId));
    }

    private async Task<bool> PublicationWaitingAsync(Guid batchId) =>
        (await (await driver.As("finance")).GetFromJsonAsync<JsonElement>($"/api/payments/batches/{batchId}")).GetProperty("publicationWaiting").GetBoolean();

    [Fact]
    public async Task ALostPublication_IsMadeGoodByTheSweep_Once()
    {
        var (id, _, _, _) = await ImportAsync();
        var sweep = app.Services.GetRequiredService<CorrectionSweep>();

        // The job was lost (no server runs it here): the sweep finds the case, reconciled and still at Payment, and publishes it.
        Assert.Equal([id], await app.Services.GetRequiredService<Publication>().WaitingAsync(CancellationToken.None));
        Assert.Equal(1, (await sweep.RunAsync(CancellationToken.None)).Published);
        Assert.Equal("Publicized", await driver.StepAsync(id));
        Assert.Equal(0, (await sweep.RunAsync(CancellationToken.None)).Published);
        Assert.Empty(await app.Services.GetRequiredService<Publication>().WaitingAsync(CancellationToken.None));
        Assert.Equal(1, await PublicationsAsync(id));
    }

    [Fact]
    public async Task AReplayedImport_PublishesACaseWhosePublicationWasLost()
    {
        var (id, _, results, batchId) = await ImportAsync();
        Assert.Equal("Payment", await driver.StepAsync(id));

        // As if the host had died between the import's commit and the publication's: the finance officer uploads the file again.
        // The case is ordinary-sized again for this host, so the replay publishes at once and says so.
        app.Services.GetRequiredService<IConfiguration>()["Payments:PublishInlineUpTo"] = "20000";
        var replay = await PostAsync(batchId, results);
        Assert.Equal(0, replay.GetProperty("applied").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, replay.GetProperty("firstImportedAt").ValueKind);
        Assert.Equal("Publicized", replay.GetProperty("step").GetString());
        Assert.Equal("Publicized", await driver.StepAsync(id));

        // Replayed once more, nothing moves and nothing is queued.
        var again = await PostAsync(batchId, results);
        Assert.Equal(JsonValueKind.Null, again.GetProperty("step").ValueKind);
        Assert.False(again.GetProperty("publicationQueued").GetBoolean());
        Assert.Equal(1, await PublicationsAsync(id));
    }

    [Fact]
    public async Task TheSweep_PublishesAndNotifiesEveryOtherCase_WhenOneCasesPublicationAndOneNoticeFail_AndTheirsOnceTheyCan()
    {
        // Two large cases of their own people (four eligible lines each, line 2 returned by the bank), both waiting for the sweep.
        object[] Lines(int n) => [.. Enumerable.Range(1, 4).Select(i => CaseDriver.Line($"公开{n}{i}", CaseDriver.Id($"21012419900101{n}{i}3"), 10m))];
        var (a, _, _, batchA) = await ImportAsync(Lines(1));
        var (b, _, _, _) = await ImportAsync(Lines(2));
        Assert.Equal([a, b], await app.Services.GetRequiredService<Publication>().WaitingAsync(CancellationToken.None)); // a comes first
        var noticeOfA = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().PaymentInstructions
            .Where(i => i.BatchId == batchA && i.Status == Domain.Payments.PaymentStatus.Succeeded).OrderBy(i => i.Id).Select(i => i.Id).FirstAsync());

        // Faults of those items alone: a's publication and the payment notice of one of a's paid lines cannot be written.
        var sweep = app.Services.GetRequiredService<CorrectionSweep>();
        await using (await RowFault.RefuseAsync(app.ConnectionString, "PublicNotices", $"NEW.\"ApplicationId\" = '{a}'"))
        await using (await RowFault.RefuseAsync(app.ConnectionString, "PaymentNotices", $"NEW.\"InstructionId\" = '{noticeOfA}'"))
        {
            // Everything else is done: both returned lines get their correction, five of six paid lines their notice, b is published.
            Assert.Equal(new CorrectionSweep.Outcome(Opened: 2, Moved: 0, Notices: 5, Published: 1, Failed: 2), await sweep.RunAsync(CancellationToken.None));
            Assert.Equal(("Payment", "Publicized"), (await driver.StepAsync(a), await driver.StepAsync(b)));
            // As the recurring job, a run with failed items ends as a failed job (after doing the rest), so that it shows.
            var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => sweep.RunJobAsync(CancellationToken.None));
            Assert.Contains("2 item(s) failed", failed.Message, StringComparison.Ordinal);
        }

        // Once they can be written, the next run does them, once.
        Assert.Equal(new CorrectionSweep.Outcome(Opened: 0, Moved: 0, Notices: 1, Published: 1, Failed: 0), await sweep.RunAsync(CancellationToken.None));
        Assert.Equal("Publicized", await driver.StepAsync(a));
        Assert.Equal((1, 1), (await PublicationsAsync(a), await PublicationsAsync(b)));
        Assert.Equal(6, await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().PaymentNotices.CountAsync()));
        Assert.Equal(new CorrectionSweep.Outcome(0, 0, 0, 0, 0), await sweep.RunAsync(CancellationToken.None));
    }
}

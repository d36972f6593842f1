using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Applications;
using OneCard.Host.Applications;
using OneCard.Host.Demo;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>
/// Issue 9 item 5: <see cref="RosterImportSweep"/> queues again an import whose enqueue was lost (Queued, never run, older than
/// the timeout), once per timeout, and leaves alone the fresh, the running and the finished.
/// </summary>
public sealed class RosterImportSweepTests : IAsyncLifetime
{
    private readonly string spool = Path.Combine(Path.GetTempPath(), "onecard-sweep-tests", Guid.NewGuid().ToString("N"));
    private OneCardApp app = null!;

    public async Task InitializeAsync() =>
        app = await OneCardApp.StartAsync(settings: new Dictionary<string, string?> { ["Rosters:SpoolDirectory"] = spool });

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        if (Directory.Exists(spool)) Directory.Delete(spool, recursive: true);
    }

    private async Task<Guid> QueueAsync()
    {
        var client = await app.SignInAsync("clerk");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(DemoRosterFile.Bytes(5)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "花名册.csv" },
            { new StringContent(DemoData.PolicyCode), "policyCode" },
            { new StringContent("2026"), "period" },
        };
        var response = await client.PostAsync("/api/roster-imports", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
    }

    private Task<IReadOnlyList<Guid>> SweepAsync() => app.Services.GetRequiredService<RosterImportSweep>().RunAsync(CancellationToken.None);

    private long Enqueued() => app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedCount("default");

    [Fact]
    public async Task Sweep_RequeuesAnImportLeftQueuedWithoutARun_OncePerTimeout_AndTheJobThenRunsIt()
    {
        var lost = await QueueAsync();
        var enqueuedAtUpload = Enqueued();

        Assert.Empty(await SweepAsync()); // fresh: its job may simply not have started yet

        app.Clock.Advance(RosterImportSweep.EnqueueTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal([lost], await SweepAsync());
        Assert.Equal(enqueuedAtUpload + 1, Enqueued());
        Assert.Empty(await SweepAsync()); // re-entrant: the same sweep again does not enqueue it twice
        Assert.Equal(enqueuedAtUpload + 1, Enqueued());

        app.Clock.Advance(RosterImportSweep.EnqueueTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal([lost], await SweepAsync()); // still never run: once more per timeout

        await app.Services.GetRequiredService<RosterImportJob>().RunAsync(lost, CancellationToken.None);
        app.Clock.Advance(RosterImportSweep.EnqueueTimeout + TimeSpan.FromSeconds(1));
        Assert.Empty(await SweepAsync());
        var import = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().RosterImports.AsNoTracking().SingleAsync(i => i.Id == lost));
        Assert.Equal(RosterImportStatus.Succeeded, import.Status);
    }

    [Fact]
    public async Task Sweep_LeavesAloneRunningImportsAndThoseAwaitingHangfiresRetry()
    {
        var running = await QueueAsync();
        var retrying = await QueueAsync();
        await app.AsSystemAsync(async sp =>
        {
            var imports = sp.GetRequiredService<OneCardDbContext>().RosterImports;
            await imports.Where(i => i.Id == running).ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, RosterImportStatus.Running).SetProperty(i => i.Attempts, 1));
            // A failed attempt puts the import back to Queued for Hangfire's own retry.
            return await imports.Where(i => i.Id == retrying).ExecuteUpdateAsync(u => u.SetProperty(i => i.Attempts, 1));
        });
        app.Clock.Advance(RosterImportSweep.EnqueueTimeout + TimeSpan.FromMinutes(10));

        Assert.Empty(await SweepAsync());
    }
}

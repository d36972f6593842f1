using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Persistence;
using OneCard.Testing;
using OneCard.Workflows;
using Xunit.Abstractions;

namespace OneCard.Host.IntegrationTests.Public;

/// <summary>
/// Issue 10 item 10 (README's promise): the seeded demo has a case resting at every step of the standard workflow in 大孤家子镇, and
/// 退回修改, 异议处理 (with an open objection), 已驳回 and 已撤回 in both demo townships and in 康平县; clerk2 and reviewer.kangping have work.
/// </summary>
public sealed class DemoEveryStepTests(ITestOutputHelper output) : IAsyncLifetime
{
    // The demo replays the clock (SeedableClock), so it runs on the host's real clock, as `dotnet run` does: embedded SQLite.
    private EmbeddedDemoHost host = null!;
    private TimeSpan seeding;

    public Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();
        host = EmbeddedDemoHost.Start(runJobs: false);
        seeding = watch.Elapsed;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task<T> AsSystemAsync<T>(Func<IServiceProvider, Task<T>> work) => host.AsSystemAsync(work);

    private Task<HttpClient> SignInAsync(string userName) => host.SignInAsync(userName);

    private static readonly (string Name, string RegionPrefix)[] Places = [("大孤家子镇", "210124101"), ("三面船镇", "210124102"), ("康平县", "210123")];

    [Fact]
    public async Task Demo_HasACaseAtEveryStandardStep_AndTheNamedStepsInEveryPlace_AndWorkForClerk2AndReviewerKangping()
    {
        output.WriteLine($"host start with demo seeding: {seeding.TotalSeconds:0.0} s");
        var standard = host.App.Services.GetRequiredService<WorkflowCatalog>().Latest("standard-subsidy");
        var cases = await AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().WorkflowInstances.AsNoTracking()
            .Where(w => w.DefinitionId == "standard-subsidy").Select(w => new { w.SubjectId, w.RegionCode, w.Step }).ToListAsync());
        foreach (var c in cases.GroupBy(c => (c.RegionCode, c.Step)).OrderBy(g => g.Key)) output.WriteLine($"{c.Key.RegionCode} {c.Key.Step}: {c.Count()}");

        var missing = standard.Steps.Select(s => s.Name).Where(step => !cases.Any(c => c.RegionCode.StartsWith("210124101", StringComparison.Ordinal) && c.Step == step)).ToList();
        Assert.True(missing.Count == 0, "大孤家子镇 has no demo case at: " + string.Join("、", missing));

        foreach (var (name, prefix) in Places)
            foreach (var step in new[] { "Returned", "ObjectionReview", "Rejected", "Withdrawn" })
                Assert.True(cases.Any(c => c.RegionCode.StartsWith(prefix, StringComparison.Ordinal) && c.Step == step), $"{name} has no demo case at {step}");

        // Every case in 异议处理 waits on an open objection.
        var inObjectionReview = cases.Where(c => c.Step == "ObjectionReview").Select(c => c.SubjectId).ToList();
        var withOpen = await AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Objections.AsNoTracking()
            .Where(o => o.Status == ObjectionStatus.Open && inObjectionReview.Contains(o.ApplicationId)).Select(o => o.ApplicationId).Distinct().CountAsync());
        Assert.Equal(inObjectionReview.Count, withOpen);

        foreach (var user in new[] { "clerk2", "clerk2.review", "reviewer.kangping", "clerk.kangping" })
        {
            var tasks = await (await SignInAsync(user)).GetFromJsonAsync<JsonElement>("/api/tasks");
            Assert.True(tasks.GetArrayLength() > 0, $"{user} has nothing in the inbox");
        }
    }

    [Fact]
    public async Task Demo_HasTheCountysSnapshots_AndADrawnPostPaymentCampaign_WhoseItemsWaitForTheInspector()
    {
        var admin = await SignInAsync("admin");
        var current = (await admin.GetFromJsonAsync<JsonElement>("/api/registry/snapshots?region=210124&current=true")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["户籍", "死亡火化", "财政供养人员"], current.Select(s => s.GetProperty("kindZh").GetString()!).Order(StringComparer.Ordinal).ToArray());
        Assert.All(current, s => Assert.Equal("210124", s.GetProperty("regionCode").GetString()));
        Assert.Equal(1, current.Single(s => s.GetProperty("kindZh").GetString() == "死亡火化").GetProperty("rowCount").GetInt32());
        // 户籍 lists every person of the seven main rosters once (twelve lines each).
        Assert.True(current.Single(s => s.GetProperty("kindZh").GetString() == "户籍").GetProperty("rowCount").GetInt32() > 12);

        var supervisor = await SignInAsync("supervisor");
        var campaign = (await supervisor.GetFromJsonAsync<JsonElement>("/api/inspections/campaigns")).EnumerateArray().Single();
        Assert.Equal(("PostPayment", Host.Demo.DemoRegistry.CampaignSeed), (campaign.GetProperty("kind").GetString(),
            (await supervisor.GetFromJsonAsync<JsonElement>($"/api/inspections/campaigns/{campaign.GetProperty("id").GetGuid()}")).GetProperty("seed").GetInt64()));
        var sampled = campaign.GetProperty("sampleCount").GetInt32();
        Assert.True(sampled > 0, "the demo campaign drew nothing");
        var reproduction = await supervisor.GetFromJsonAsync<JsonElement>($"/api/inspections/campaigns/{campaign.GetProperty("id").GetGuid()}/reproduce");
        Assert.True(reproduction.GetProperty("consistent").GetBoolean(), reproduction.ToString());

        var tasks = (await (await SignInAsync("inspector")).GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray()
            .Count(t => t.GetProperty("subjectKind").GetString() == "InspectionItem");
        Assert.Equal(sampled, tasks);
    }

    [Fact]
    public async Task Demo_SeedingAgain_AddsNothing()
    {
        int Count(OneCardDbContext db) => db.Applications.Count();
        var before = await AsSystemAsync(sp => Task.FromResult(Count(sp.GetRequiredService<OneCardDbContext>())));
        await Host.Demo.DemoData.EnsureDemoCasesAsync(host.App.Services);
        Assert.Equal(before, await AsSystemAsync(sp => Task.FromResult(Count(sp.GetRequiredService<OneCardDbContext>()))));
    }
}

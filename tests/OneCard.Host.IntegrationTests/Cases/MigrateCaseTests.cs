using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Cases;

/// <summary>
/// Issue 6, item 8: moving a running case to a newer definition version is explicit and audited, refused where a step
/// would be lost, and never re-runs a completed step.
/// </summary>
public sealed class MigrateCaseTests : IDisposable
{
    private readonly TestWorkflows renamed = new TestWorkflows().Variant("standard-subsidy.v2.json", 90, json => TestWorkflows.Rename(json,
        ("SampleCheck", "OnSiteCheck"), ("Payment", "Disbursement")));

    public void Dispose() => renamed.Dispose();

    /// <summary>Pins the case to an older version, as a case started before the newer version shipped is.</summary>
    private static async Task PinAsync(OneCardApp app, Guid id, int version) =>
        await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().WorkflowInstances
            .Where(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == id).ExecuteUpdateAsync(u => u.SetProperty(i => i.DefinitionVersion, version)));

    private static async Task<HttpResponseMessage> MigrateAsync(CaseDriver driver, Guid id, int toVersion, object stepMap, string user = "supervisor") =>
        await (await driver.As(user)).PostAsJsonAsync($"/api/cases/Application/{id}/migrate", new { toVersion, stepMap });

    [Fact]
    public async Task MigratedCase_DoesNotRepeatACompletedStep_KeepsItsTask_AndIsAudited()
    {
        await using var app = await OneCardApp.StartAsync();
        var driver = new CaseDriver(app);
        var id = await driver.DriveToAsync("FinanceRecheck");
        await PinAsync(app, id, 1);
        var before = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Tasks.SingleAsync(t => t.SubjectId == id && t.Status == CaseTaskStatus.Open));

        Assert.Equal(HttpStatusCode.Forbidden, (await MigrateAsync(driver, id, 2, new { }, user: "clerk")).StatusCode);
        var response = await MigrateAsync(driver, id, 2, new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (instance, tasks, draws, sampled, migrated) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.WorkflowInstances.SingleAsync(i => i.SubjectId == id), await db.Tasks.Where(t => t.SubjectId == id).ToListAsync(),
                await db.SampleDraws.CountAsync(d => d.ApplicationId == id), await db.ClaimLines.CountAsync(l => l.ApplicationId == id && l.Sampled),
                await db.AuditLog.Where(e => e.Action == "CaseMigrated" && e.EntityId == id.ToString()).ToListAsync());
        });
        Assert.Equal((2, "FinanceRecheck"), (instance.DefinitionVersion, instance.Step));
        Assert.Equal(1, draws); // no new sample was drawn
        Assert.True(sampled >= 1);
        var open = Assert.Single(tasks, t => t.Status == CaseTaskStatus.Open);
        Assert.Equal((before.Id, "FinanceRecheck", before.DueAt), (open.Id, open.Step, open.DueAt));
        Assert.Single(tasks, t => t.Step == "SampleCheck"); // the check was not reopened
        var entry = Assert.Single(migrated);
        Assert.Contains("standard-subsidy@1", entry.DataJson, StringComparison.Ordinal);
        Assert.Contains("standard-subsidy@2", entry.DataJson, StringComparison.Ordinal);
        Assert.Equal("Migrate", (await driver.GetAsync(id)).GetProperty("history").EnumerateArray().Last().GetProperty("action").GetString());
    }

    [Fact]
    public async Task Migration_IsRefused_WhenAReachableStepWouldBeLost_AndAppliesWithTheMapping()
    {
        await using var app = await OneCardApp.StartAsync(settings: renamed.Settings);
        var driver = new CaseDriver(app);
        var id = await driver.DriveToAsync("CountyReview");
        await PinAsync(app, id, 2);

        var refused = await MigrateAsync(driver, id, 90, new { });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("迁移会丢失环节", problem, StringComparison.Ordinal);
        Assert.Contains("stepMap.SampleCheck", problem, StringComparison.Ordinal);
        Assert.Contains("stepMap.Payment", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await MigrateAsync(driver, id, 90, new Dictionary<string, string> { ["SampleCheck"] = "OnSiteCheck", ["Payment"] = "Paymnt" })).StatusCode);
        Assert.Equal(2, await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().WorkflowInstances.Where(i => i.SubjectId == id).Select(i => i.DefinitionVersion).SingleAsync()));

        var applied = await MigrateAsync(driver, id, 90, new Dictionary<string, string> { ["SampleCheck"] = "OnSiteCheck", ["Payment"] = "Disbursement" });

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var result = await applied.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("OnSiteCheck", result.GetProperty("mapping").GetProperty("SampleCheck").GetString());
        await driver.ActAsync(id, "reviewer", "Approve");
        Assert.Equal("OnSiteCheck", await driver.StepAsync(id));
    }
}

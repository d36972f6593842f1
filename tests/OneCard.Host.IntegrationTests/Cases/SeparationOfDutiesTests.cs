using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Cases;

/// <summary>Separation of duties (职责分离) as standard-subsidy@2 declares it: the preparer cannot take the step that checks it.</summary>
public sealed class SeparationOfDutiesTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static IEnumerable<string?> Permitted(JsonElement detail) =>
        detail.GetProperty("permittedActions").EnumerateArray().Select(a => a.GetString());

    private async Task<HttpResponseMessage> PostAction(string user, Guid id, string action, string? comment = null) =>
        await (await driver.As(user)).PostAsJsonAsync($"/api/applications/{id}/actions/{action}", new { comment });

    [Fact]
    public async Task TownshipReview_IsRefusedToTheSubmittingClerk_AndTakenByTheSecondClerk()
    {
        var id = await driver.SubmitAsync();

        // The submitter gets neither the task nor the buttons, and a direct post is refused.
        Assert.Empty(Permitted(await driver.GetAsync(id, "clerk")));
        Assert.Empty((await (await driver.As("clerk")).GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray());
        foreach (var (action, comment) in new[] { ("Approve", (string?)null), ("Return", "请补充材料") })
        {
            var refused = await PostAction("clerk", id, action, comment);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("SeparationOfDuties", problem.GetProperty("code").GetString());
            Assert.Equal("您已办理本案件的“申报提交”环节，按职责分离规定不能办理本环节", problem.GetProperty("title").GetString());
        }
        Assert.Equal("TownshipReview", await driver.StepAsync(id));

        // The township's second clerk sees the task and the buttons, and approves.
        Assert.Single((await (await driver.As("clerk.review")).GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray());
        Assert.Equal(["Approve", "Return", "Reject"], Permitted(await driver.GetAsync(id, "clerk.review")));
        await driver.ActAsync(id, "clerk.review", "Approve");
        Assert.Equal("CountyReview", await driver.StepAsync(id));
    }

    [Fact]
    public async Task LineRejection_AtTownshipReview_IsRefusedToTheSubmittingClerk_AndOfferedToTheSecondClerk()
    {
        var id = await driver.SubmitAsync();

        Assert.Empty((await driver.GetAsync(id, "clerk")).GetProperty("lineActions").EnumerateArray());
        var refused = await (await driver.As("clerk")).PostAsJsonAsync($"/api/applications/{id}/lines/reject", new { lineNos = new[] { 1 }, reason = "自审自驳" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("SeparationOfDuties", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var line = (await driver.GetAsync(id, "clerk.review")).GetProperty("lines").EnumerateArray().First(l => l.GetProperty("lineNo").GetInt32() == 1);
        Assert.NotEqual("Rejected", line.GetProperty("outcome").GetString());

        Assert.Contains("RejectLines", (await driver.GetAsync(id, "clerk.review")).GetProperty("lineActions").EnumerateArray().Select(a => a.GetString()));
        var taken = await (await driver.As("clerk.review")).PostAsJsonAsync($"/api/applications/{id}/lines/reject", new { lineNos = new[] { 1 }, reason = "面积与确权数据不符" });
        Assert.Equal(HttpStatusCode.NoContent, taken.StatusCode);
    }

    [Fact]
    public async Task TownshipReview_IsRefusedToWhoeverResubmittedAReturnedCase()
    {
        var id = await driver.SubmitAsync();
        await driver.ActAsync(id, "clerk.review", "Return", "第2行面积有误");
        await driver.ActAsync(id, "clerk.review", "Resubmit");

        var problem = await (await PostAction("clerk.review", id, "Approve")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("SeparationOfDuties", problem.GetProperty("code").GetString());
        Assert.Contains("退回修改", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal("TownshipReview", await driver.StepAsync(id));
    }

    [Fact]
    public async Task FinanceRecheck_IsRefusedToAUserWhoActedAtCountyReview()
    {
        // The demo's finance reviewer never holds the county role, so the history says they acted at county review,
        // which is what a user who changed posts (or holds both duties in a small county) would leave behind.
        var id = await driver.DriveToAsync("FinanceRecheck");
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var instance = await db.WorkflowInstances.SingleAsync(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == id);
            var seq = await db.WorkflowEvents.CountAsync(e => e.InstanceId == instance.Id);
            db.WorkflowEvents.Add(new WorkflowEvent
            {
                Id = Guid.CreateVersion7(), InstanceId = instance.Id, Seq = seq + 1, FromStep = "CountyReview", Action = "Return",
                ToStep = "TownshipReview", ActorId = "u-finance", At = app.Clock.GetUtcNow(), Comment = "测试：曾在县级审核环节办理",
            });
            return await db.SaveChangesAsync();
        });

        Assert.Empty(Permitted(await driver.GetAsync(id, "finance")));
        var refused = await PostAction("finance", id, "Approve");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("SeparationOfDuties", problem.GetProperty("code").GetString());
        Assert.Contains("县级主管部门审核", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal("FinanceRecheck", await driver.StepAsync(id));
    }

    [Fact]
    public async Task CasePinnedToVersion1_KeepsVersion1Semantics_SoItsSubmitterMayStillApprove()
    {
        var id = await driver.SubmitAsync();
        var pinned = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var started = await db.WorkflowInstances.Where(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == id).Select(i => i.DefinitionVersion).SingleAsync();
            // A case started before version 2 was published.
            await db.WorkflowInstances.Where(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == id).ExecuteUpdateAsync(u => u.SetProperty(i => i.DefinitionVersion, 1));
            return started;
        });
        Assert.True(pinned >= 2, $"New cases start under the latest version (≥ 2), not {pinned}.");

        Assert.Contains("Approve", Permitted(await driver.GetAsync(id, "clerk")));
        await driver.ActAsync(id, "clerk", "Approve");
        Assert.Equal("CountyReview", await driver.StepAsync(id));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Registry;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Registry;

/// <summary>
/// Issue 9, item 3: the reviewer's decision on a hit — only by the role of the current step where it may reject lines, not by
/// the submitter; Rejected rejects the line with the hit's reason, Kept needs a comment; once only (409); one audit entry each —
/// and Approve refused while a hit is pending (<c>CrossCheckHitsPending</c>), on the single and the bulk path, allowed after.
/// </summary>
public sealed class CrossCheckDecisionTests : IAsyncLifetime
{
    private CrossCheckFixture f = null!;

    public async Task InitializeAsync() => f = await CrossCheckFixture.StartAsync(sqlite: false);

    public async Task DisposeAsync() => await f.DisposeAsync();

    /// <summary>A hit on a line of an application, written as a run would (for the approval tests on 耕地地力保护补贴, whose lines are Eligible).</summary>
    private Task<Guid> PendingHitAsync(Guid applicationId, int lineNo, CrossCheckKind check = CrossCheckKind.Deceased) => f.App.AsSystemAsync(async sp =>
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        var line = await db.ClaimLines.SingleAsync(l => l.ApplicationId == applicationId && l.LineNo == lineNo);
        var hit = new CrossCheckHit
        {
            Id = Guid.CreateVersion7(), ApplicationId = applicationId, ClaimLineId = line.Id, LineNo = lineNo, RegionCode = line.RegionCode,
            PolicyCode = line.PolicyCode, Period = line.Period, Check = check, ReasonZh = "死亡火化数据（辽宁省民政厅，截至2026-02-28）第3行：2026-01-02 死亡，早于期次结束",
            ReasonEn = "Deaths data row 3", RunId = Guid.CreateVersion7(), FoundAt = f.App.Clock.GetUtcNow(),
        };
        db.CrossCheckHits.Add(hit);
        await db.SaveChangesAsync();
        return hit.Id;
    });

    private async Task<HttpResponseMessage> DecideAsync(string user, Guid applicationId, Guid hitId, string decision, string? comment = null) =>
        await (await f.Driver.As(user)).PostAsJsonAsync($"/api/applications/{applicationId}/crosschecks/{hitId}/decision", new { decision, comment });

    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();

    [Fact]
    public async Task Decide_ByTheStepsReviewer_RejectsTheLineWithTheHitsReason_OnceOnly_WithOneAuditEntry()
    {
        await f.SnapshotAsync(ReferenceKind.Deaths, "21", "辽宁省民政厅", new DateOnly(2026, 2, 28),
            [new(Claims.Id("21012419400101101"), 17, EventDate: new DateOnly(2026, 3, 1)), new(Claims.Id("21012419400101202"), 18, EventDate: new DateOnly(2026, 1, 1))]);
        var id = await f.SubmitAsync("clerk.civil", "2026",
            CrossCheckFixture.Line("死亡甲", Claims.Id("21012419400101101")), CrossCheckFixture.Line("死亡乙", Claims.Id("21012419400101202")));
        var hits = await f.HitsAsync(id);
        Assert.Equal([1, 2], hits.Select(h => h.LineNo));

        // The county reviewer's step has not come; the submitter may not review their own case; an unknown decision is refused.
        var county = await DecideAsync("reviewer.civil", id, hits[0].Id, "Rejected");
        var submitter = await DecideAsync("clerk.civil", id, hits[0].Id, "Rejected");
        var unknown = await DecideAsync("clerk.civil.review", id, hits[0].Id, "Pending");
        var keptSilently = await DecideAsync("clerk.civil.review", id, hits[1].Id, "Kept", "  ");
        Assert.Equal((HttpStatusCode.Forbidden, "RoleNotPermitted"), (county.StatusCode, await CodeOf(county)));
        Assert.Equal((HttpStatusCode.Conflict, "SeparationOfDuties"), (submitter.StatusCode, await CodeOf(submitter)));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "DecisionInvalid"), (unknown.StatusCode, await CodeOf(unknown)));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "CommentRequired"), (keptSilently.StatusCode, await CodeOf(keptSilently)));

        var rejected = await DecideAsync("clerk.civil.review", id, hits[0].Id, "Rejected");
        var kept = await DecideAsync("clerk.civil.review", id, hits[1].Id, "Kept", "已核实：火化信息登记错误，本人健在（村委会证明）");
        var again = await DecideAsync("clerk.civil.review", id, hits[0].Id, "Kept", "改为保留");

        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, "HitAlreadyDecided"), (again.StatusCode, await CodeOf(again)));
        var lines = await f.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines.AsNoTracking()
            .Where(l => l.ApplicationId == id).OrderBy(l => l.LineNo).ToListAsync());
        Assert.Equal(LineOutcome.Rejected, lines[0].Outcome);
        Assert.Equal("大数据比对（死亡）：死亡火化数据（辽宁省民政厅，截至2026-02-28）第17行：2026-03-01 死亡，早于期次结束", lines[0].ReasonZh);
        Assert.NotEqual(LineOutcome.Rejected, lines[1].Outcome);
        var view = await (await f.Driver.As("clerk.civil.review")).GetFromJsonAsync<JsonElement>($"/api/applications/{id}/crosschecks");
        Assert.Equal(0, view.GetProperty("pending").GetInt32());
        Assert.Equal(["Rejected", "Kept"], view.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("decision").GetString()));
        Assert.Equal("已核实：火化信息登记错误，本人健在（村委会证明）", view.GetProperty("hits")[1].GetProperty("comment").GetString());
        var audit = await f.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.CountAsync(e => e.Action == "CrossCheckHitDecided" && e.EntityId == id.ToString()));
        Assert.Equal(2, audit);
    }

    [Fact]
    public async Task Approve_IsRefusedWhileAHitIsPending_NamingHowManyAndTheLines_AndAllowedOnceDecided()
    {
        var id = await f.Driver.SubmitAsync();
        var hit3 = await PendingHitAsync(id, 3);
        var hit5 = await PendingHitAsync(id, 5, CrossCheckKind.StateFunded);
        var reviewer = await f.Driver.As("clerk.review");

        var refused = await reviewer.PostAsJsonAsync($"/api/applications/{id}/actions/Approve", new { comment = (string?)null });
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((HttpStatusCode.Conflict, "CrossCheckHitsPending"), (refused.StatusCode, problem.GetProperty("code").GetString()));
        Assert.Equal("有2条大数据比对疑点尚未决定（第3、5行），须逐条驳回该行或填写意见保留后才能通过", problem.GetProperty("title").GetString());

        Assert.Equal(HttpStatusCode.OK, (await DecideAsync("clerk.review", id, hit3, "Rejected")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await reviewer.PostAsJsonAsync($"/api/applications/{id}/actions/Approve", new { comment = (string?)null })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync("clerk.review", id, hit5, "Kept", "已核实：系退休人员，不属在编")).StatusCode);
        await f.Driver.ActAsync(id, "clerk.review", "Approve");

        Assert.Equal("CountyReview", await f.Driver.StepAsync(id));
        var application = await f.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Applications.AsNoTracking().SingleAsync(a => a.Id == id));
        // Line 2 was ineligible; line 3 rejected by the decision: three of five remain payable.
        Assert.Equal(3, application.EligibleCount);
    }

    [Fact]
    public async Task BulkApprove_RefusesTheCaseWithAPendingHit_AndMovesTheOthers_ThenMovesItOnceDecided()
    {
        var flagged = await f.Driver.SubmitAsync();
        var clean = await f.Driver.SubmitAsync();
        var hit = await PendingHitAsync(flagged, 1);
        var reviewer = await f.Driver.As("clerk.review");
        var tasks = (await reviewer.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().ToList();
        Guid TaskOf(Guid app) => tasks.Single(t => t.GetProperty("subjectId").GetGuid() == app).GetProperty("id").GetGuid();

        var result = await (await reviewer.PostAsJsonAsync("/api/tasks/bulk", new { taskIds = new[] { TaskOf(flagged), TaskOf(clean) }, action = "Approve" }))
            .Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal((1, 1), (result.GetProperty("succeeded").GetInt32(), result.GetProperty("failed").GetInt32()));
        var refused = result.GetProperty("tasks").EnumerateArray().Single(t => !t.GetProperty("succeeded").GetBoolean());
        Assert.Equal((TaskOf(flagged), "CrossCheckHitsPending", "有1条大数据比对疑点尚未决定（第1行），须逐条驳回该行或填写意见保留后才能通过"),
            (refused.GetProperty("taskId").GetGuid(), refused.GetProperty("code").GetString(), refused.GetProperty("reasonZh").GetString()));
        Assert.Equal(("TownshipReview", "CountyReview"), (await f.Driver.StepAsync(flagged), await f.Driver.StepAsync(clean)));

        Assert.Equal(HttpStatusCode.OK, (await DecideAsync("clerk.review", flagged, hit, "Kept", "已核实无误")).StatusCode);
        var second = await (await reviewer.PostAsJsonAsync("/api/tasks/bulk", new { taskIds = new[] { TaskOf(flagged) }, action = "Approve" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, second.GetProperty("succeeded").GetInt32());
        Assert.Equal("CountyReview", await f.Driver.StepAsync(flagged));
    }
}

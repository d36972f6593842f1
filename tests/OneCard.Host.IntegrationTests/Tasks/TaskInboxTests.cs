using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Users;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Tasks;

/// <summary>The inbox (filters, paging), claim/release/assign and bulk approval (批量审批), over the HTTP API.</summary>
public sealed class TaskInboxTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync()
    {
        app = await OneCardApp.StartAsync();
        driver = new CaseDriver(app);
        // A third clerk of the township, so that two people who may both take a review can race for it.
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var template = await db.Users.Include(u => u.Roles).SingleAsync(u => u.UserName == "clerk.review");
            var second = new User
            {
                Id = "u-clerk.review2", UserName = "clerk.review2", DisplayName = "孙审核（大孤家子镇）",
                RegionCode = template.RegionCode, PasswordHash = template.PasswordHash,
            };
            foreach (var role in template.RoleNames) second.Grant(role, "test", DateTimeOffset.UnixEpoch);
            db.Users.Add(second);
            return await db.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<(List<JsonElement> Items, int Total)> InboxAsync(string user, string query = "")
    {
        var response = await (await driver.As(user)).GetAsync("/api/tasks" + query);
        response.EnsureSuccessStatusCode();
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        return (items, int.Parse(response.Headers.GetValues("X-Total-Count").Single()));
    }

    private async Task<HttpResponseMessage> PostAsync(string user, string path, object? body = null) =>
        await (await driver.As(user)).PostAsJsonAsync(path, body ?? new { });

    private Task<int> AuditCountAsync(string action) => app.AsSystemAsync(sp =>
        sp.GetRequiredService<OneCardDbContext>().AuditLog.CountAsync(e => e.Action == action));

    [Fact]
    public async Task Inbox_PagesAfterSeparationOfDuties_AndFiltersByDueState()
    {
        for (var i = 0; i < 3; i++) await driver.SubmitAsync();
        for (var i = 0; i < 2; i++) await driver.SubmitAsync(clerk: "clerk.review");

        // clerk.review may review only the three cases clerk submitted: the total and the pages count those three.
        var (first, total) = await InboxAsync("clerk.review", "?pageSize=2&page=1");
        Assert.Equal(3, total);
        Assert.Equal(2, first.Count);
        var (second, _) = await InboxAsync("clerk.review", "?pageSize=2&page=2");
        Assert.Single(second);
        Assert.Equal(2, (await InboxAsync("clerk")).Total);

        Assert.Equal(0, (await InboxAsync("clerk.review", "?due=overdue")).Total);
        Assert.Equal(3, (await InboxAsync("clerk.review", "?due=normal&region=210124101&step=TownshipReview&policy=arable-land-protection")).Total);
        Assert.Equal(0, (await InboxAsync("clerk.review", "?region=210124102")).Total);
        app.Clock.Advance(TimeSpan.FromDays(10));
        Assert.Equal(3, (await InboxAsync("clerk.review", "?due=overdue")).Total);
        Assert.All((await InboxAsync("clerk.review", "?due=overdue")).Items, t => Assert.Equal("overdue", t.GetProperty("dueState").GetString()));
    }

    [Fact]
    public async Task Claim_HasOneWinner_WhenTwoClerksClaimAtOnce_AndTheLoserCannotAct()
    {
        var id = await driver.SubmitAsync();
        var taskId = (await InboxAsync("clerk.review")).Items.Single().GetProperty("id").GetGuid();
        await driver.As("clerk.review");
        await driver.As("clerk.review2");

        var claims = await Task.WhenAll(PostAsync("clerk.review", $"/api/tasks/{taskId}/claim"), PostAsync("clerk.review2", $"/api/tasks/{taskId}/claim"));
        Assert.Single(claims, r => r.StatusCode == HttpStatusCode.OK);
        var lost = Assert.Single(claims, r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal("TaskClaimedByOther", (await lost.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(1, await AuditCountAsync("TaskClaimed"));

        var winner = claims[0].StatusCode == HttpStatusCode.OK ? "clerk.review" : "clerk.review2";
        var loser = winner == "clerk.review" ? "clerk.review2" : "clerk.review";
        var refused = await PostAsync(loser, $"/api/applications/{id}/actions/Approve", new { comment = (string?)null });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("TaskClaimedByOther", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        // The case page offers the loser no action the engine would refuse; the winner keeps them.
        Assert.Empty((await driver.GetAsync(id, loser)).GetProperty("permittedActions").EnumerateArray());
        Assert.Contains((await driver.GetAsync(id, winner)).GetProperty("permittedActions").EnumerateArray(), a => a.GetString() == "Approve");
        Assert.Equal(0, (await InboxAsync(loser, "?claim=unclaimed")).Total);
        Assert.Equal(1, (await InboxAsync(winner, "?claim=mine")).Total);

        // Release gives it back; delegating to a colleague is audited too; the submitter is not eligible.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(winner, $"/api/tasks/{taskId}/release")).StatusCode);
        Assert.Equal(1, (await InboxAsync(loser, "?claim=unclaimed")).Total);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(winner, $"/api/tasks/{taskId}/claim")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(winner, $"/api/tasks/{taskId}/assign", new { userId = "clerk" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(winner, $"/api/tasks/{taskId}/assign", new { userId = loser })).StatusCode);
        Assert.Equal(1, (await InboxAsync(loser, "?claim=mine")).Total);
        Assert.Equal((1, 2), (await AuditCountAsync("TaskReleased"), await AuditCountAsync("TaskClaimed")));
        Assert.Equal(1, await AuditCountAsync("TaskAssigned"));
        await driver.ActAsync(id, loser, "Approve");
        Assert.Equal("CountyReview", await driver.StepAsync(id));
    }

    [Fact]
    public async Task BulkApprove_MovesFiftyCases_EachWithItsOwnTransitionAudit()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 50; i++) ids.Add(await driver.SubmitAsync());
        var (tasks, total) = await InboxAsync("clerk.review", "?pageSize=100");
        Assert.Equal(50, total);
        var transitionsBefore = await AuditCountAsync("Transition");

        var response = await PostAsync("clerk.review", "/api/tasks/bulk", new { taskIds = tasks.Select(t => t.GetProperty("id").GetGuid()), action = "Approve" });
        response.EnsureSuccessStatusCode();
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(50, result.GetProperty("succeeded").GetInt32());

        var (steps, transitions, openCounty, chainBreak) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.WorkflowInstances.Where(i => ids.Contains(i.SubjectId)).Select(i => i.Step).ToListAsync(),
                await db.AuditLog.Where(e => e.Action == "Transition" && e.ActorId == "u-clerk.review").Select(e => e.EntityId).ToListAsync(),
                await db.Tasks.CountAsync(t => t.Status == CaseTaskStatus.Open && t.Step == "CountyReview"),
                await sp.GetRequiredService<AuditWriter>().VerifyAsync(db));
        });
        Assert.All(steps, s => Assert.Equal("CountyReview", s));
        Assert.Equal(50, transitions.Distinct().Count());
        Assert.Equal(transitionsBefore + 50, await AuditCountAsync("Transition"));
        Assert.Equal(50, openCounty);
        Assert.Null(chainBreak);
        Assert.Equal(0, (await InboxAsync("clerk.review")).Total);
        // Each case's history reads as if approved alone.
        Assert.Equal("CountyReview", await driver.StepAsync(ids[17]));
    }

    [Fact]
    public async Task BulkApprove_InSmallBatchesOnTwoWorkers_MovesEveryCaseOnce_AndAnswersInTheOrderAsked()
    {
        // Seven-case batches on two connections at once: the parallel path, which the 50-case test above (one batch) does not reach.
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++) ids.Add(await driver.SubmitAsync());
        var taskIds = (await InboxAsync("clerk.review", "?pageSize=100")).Items.Select(t => t.GetProperty("id").GetGuid()).ToList();
        // One task acted on already (its outcome is a refusal) and one unknown id, spread through the request.
        await driver.ActAsync(ids[0], "clerk.review", "Approve");
        var closedTask = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Tasks
            .Where(t => t.SubjectId == ids[0] && t.Step == "TownshipReview").Select(t => t.Id).SingleAsync());
        var unknown = Guid.NewGuid();
        List<Guid> asked = [.. taskIds.Where(t => t != closedTask).Take(14), unknown, closedTask, .. taskIds.Where(t => t != closedTask).Skip(14)];
        var reviewer = await app.AsSystemAsync(async sp => await sp.GetRequiredService<OneCardDbContext>().Users.Include(u => u.Roles).SingleAsync(u => u.UserName == "clerk.review"));
        var me = new OneCard.Host.Platform.CurrentUser(reviewer.Id, reviewer.UserName, reviewer.DisplayName, reviewer.RoleNames, reviewer.RegionCode, null);

        var outcomes = await app.AsUserAsync(me, sp => sp.GetRequiredService<OneCard.Host.Cases.CaseEngine>()
            .BulkActAsync(asked, "Approve", null, CancellationToken.None, batchSize: 7, parallelism: 2));

        Assert.Equal(asked, outcomes.Select(o => o.TaskId));
        Assert.Equal(29, outcomes.Count(o => o.Succeeded));
        Assert.Equal("TaskNotFound", outcomes.Single(o => o.TaskId == unknown).Code);
        Assert.Equal("TaskClosed", outcomes.Single(o => o.TaskId == closedTask).Code);
        var (steps, transitions, openCounty, chainBreak) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.WorkflowInstances.Where(i => ids.Contains(i.SubjectId)).Select(i => i.Step).ToListAsync(),
                await db.AuditLog.Where(e => e.Action == "Transition" && e.ActorId == "u-clerk.review").Select(e => e.EntityId).ToListAsync(),
                await db.Tasks.CountAsync(t => t.Status == CaseTaskStatus.Open && t.Step == "CountyReview"),
                await sp.GetRequiredService<AuditWriter>().VerifyAsync(db));
        });
        Assert.All(steps, s => Assert.Equal("CountyReview", s));
        Assert.Equal(30, transitions.Count);
        Assert.Equal(30, transitions.Distinct().Count());
        Assert.Equal(30, openCounty);
        Assert.Null(chainBreak);
    }

    [Fact]
    public async Task BulkApprove_AnswersPerTask_RefusingClaimedAndSeparatedCases_AndRunsEffectsOfTheNextStep()
    {
        var a = await driver.SubmitAsync();
        var b = await driver.SubmitAsync();
        var c = await driver.SubmitAsync();
        var tasks = (await InboxAsync("clerk.review")).Items;
        Guid TaskOf(Guid app) => tasks.Single(t => t.GetProperty("subjectId").GetGuid() == app).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("clerk.review2", $"/api/tasks/{TaskOf(c)}/claim")).StatusCode);

        var result = await (await PostAsync("clerk.review", "/api/tasks/bulk", new { taskIds = new[] { TaskOf(a), TaskOf(b), TaskOf(c) } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((2, 1), (result.GetProperty("succeeded").GetInt32(), result.GetProperty("failed").GetInt32()));
        var refused = result.GetProperty("tasks").EnumerateArray().Single(t => !t.GetProperty("succeeded").GetBoolean());
        Assert.Equal(TaskOf(c), refused.GetProperty("taskId").GetGuid());
        Assert.Contains("认领", refused.GetProperty("reasonZh").GetString());
        Assert.Equal("TownshipReview", await driver.StepAsync(c));

        // County review → sample check draws a sample on entry: the bulk path runs that case by case, like the single path.
        var county = (await InboxAsync("reviewer")).Items.Select(t => t.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(2, county.Count);
        var onward = await (await PostAsync("reviewer", "/api/tasks/bulk", new { taskIds = county, action = "Approve" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, onward.GetProperty("succeeded").GetInt32());
        Assert.Equal("SampleCheck", await driver.StepAsync(a));
        var sampled = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines.CountAsync(l => l.ApplicationId == b && l.Sampled));
        Assert.True(sampled > 0);

        // The submitting clerk's bulk approval of the third case is refused for separation of duties, in Chinese.
        var own = await (await PostAsync("clerk", "/api/tasks/bulk", new { taskIds = new[] { TaskOf(c) } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, own.GetProperty("succeeded").GetInt32());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Users;
using OneCard.Host.Demo;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Users;

/// <summary>
/// Issue 7, item 2 (several roles): a user holding several roles sees the open tasks of every role they hold and may take
/// any step whose role they hold; separation of duties stays per user, whatever roles they hold; a department narrows only
/// the roles bound to it, so a reviewer who is also a supervisor sees another department's case but may not review it.
/// </summary>
public sealed class MultipleRolesTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync()
    {
        app = await OneCardApp.StartAsync();
        driver = new CaseDriver(app);
        // 大孤家子镇's 农业农村 clerk who also reviews for the county (a small township's officer holding both posts).
        await AddUserAsync(app, "clerk.county", DemoData.Township, DepartmentCodes.Agriculture, Roles.TownshipClerk, Roles.CountyReviewer);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>Adds a user with the demo password holding <paramref name="roles"/>.</summary>
    internal static Task AddUserAsync(OneCardApp app, string userName, string region, string? department, params string[] roles) =>
        app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var user = new User { Id = "u-" + userName, UserName = userName, DisplayName = userName, RegionCode = region, DepartmentCode = department, PasswordHash = "" };
            foreach (var role in roles) user.Grant(role, "test", app.Clock.GetUtcNow());
            user.PasswordHash = sp.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, DemoData.Password);
            db.Users.Add(user);
            return await db.SaveChangesAsync();
        });

    private async Task<List<(Guid ApplicationId, string Step, bool Escalated)>> InboxAsync(string user) =>
        [.. (await (await driver.As(user)).GetFromJsonAsync<JsonElement>("/api/tasks?pageSize=500")).EnumerateArray()
            .Select(t => (t.GetProperty("applicationId").GetGuid(), t.GetProperty("step").GetString()!, t.GetProperty("isEscalated").GetBoolean()))];

    private async Task<(HttpStatusCode Status, string? Code)> TryActAsync(Guid id, string user, string action)
    {
        var response = await (await driver.As(user)).PostAsJsonAsync($"/api/applications/{id}/actions/{action}", new { comment = (string?)null });
        var body = await response.Content.ReadAsStringAsync();
        string? code = null;
        if (!response.IsSuccessStatusCode && body.Length > 0 && JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c)) code = c.GetString();
        return (response.StatusCode, code);
    }

    [Fact]
    public async Task SignIn_CarriesEveryRoleHeld()
    {
        var me = await (await driver.As("clerk.county")).GetFromJsonAsync<JsonElement>("/api/auth/me");
        Assert.Equal([Roles.TownshipClerk, Roles.CountyReviewer], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Equal(DepartmentCodes.Agriculture, me.GetProperty("departmentCode").GetString());
    }

    [Fact]
    public async Task Inbox_ShowsOpenTasksOfEveryRoleHeld()
    {
        var atTownship = await driver.SubmitAsync();
        var atCounty = await driver.SubmitAsync();
        await driver.ActAsync(atCounty, "clerk.review", "Approve");

        var inbox = await InboxAsync("clerk.county");
        Assert.Contains((atTownship, "TownshipReview", false), inbox);
        Assert.Contains((atCounty, "CountyReview", false), inbox);
        // Single-role users keep what they had: the clerk sees no county review, the county reviewer no township review.
        Assert.DoesNotContain(await InboxAsync("clerk.review"), t => t.ApplicationId == atCounty);
        Assert.DoesNotContain(await InboxAsync("reviewer"), t => t.ApplicationId == atTownship);
    }

    [Fact]
    public async Task Steps_AreTakenUnderAnyRoleHeld_AndRefusedForRolesNotHeld()
    {
        var first = await driver.SubmitAsync();
        var second = await driver.SubmitAsync();
        // One case's township review under TownshipClerk, another's county review under CountyReviewer: two roles, one user.
        await driver.ActAsync(first, "clerk.county", "Approve");
        Assert.Equal("CountyReview", await driver.StepAsync(first));
        // A clerk holding only TownshipClerk may not take the county review.
        Assert.Equal((HttpStatusCode.Conflict, "RoleNotPermitted"), await TryActAsync(first, "clerk.review", "Approve"));
        await driver.ActAsync(second, "clerk.review", "Approve");
        await driver.ActAsync(second, "clerk.county", "Approve");
        Assert.Equal("SampleCheck", await driver.StepAsync(second));
        // standard-subsidy v4: whoever took a case's township review may not take its county review, whatever roles they hold.
        Assert.Equal((HttpStatusCode.Conflict, "SeparationOfDuties"), await TryActAsync(first, "clerk.county", "Approve"));
        Assert.Equal("CountyReview", await driver.StepAsync(first));
    }

    [Fact]
    public async Task SeparationOfDuties_HoldsPerUser_WhenTheSubmitterAlsoHoldsTheReviewersRoles()
    {
        var own = await driver.SubmitAsync(clerk: "clerk.county");

        // Holding a second role changes nothing: the submitter may not review their own submission, and is not offered it.
        Assert.Equal((HttpStatusCode.Conflict, "SeparationOfDuties"), await TryActAsync(own, "clerk.county", "Approve"));
        Assert.DoesNotContain(await InboxAsync("clerk.county"), t => t.ApplicationId == own);
        var detail = await driver.GetAsync(own, "clerk.county");
        Assert.Empty(detail.GetProperty("permittedActions").EnumerateArray());
        Assert.Empty(detail.GetProperty("lineActions").EnumerateArray());
        Assert.Equal("TownshipReview", await driver.StepAsync(own));

        // Another clerk of the township may.
        await driver.ActAsync(own, "clerk.review", "Approve");
        Assert.Equal("CountyReview", await driver.StepAsync(own));
    }

    [Fact]
    public async Task CorrectingLines_IsActingInTheStep_ForTheInboxTheCasePageAndBulkApproval_AsForASingleApproval()
    {
        // clerk.county corrects a line of a returned case (更正明细 in 退回修改); the submitting clerk resubmits; the township approves.
        var id = await driver.SubmitAsync();
        await driver.ActAsync(id, "clerk.review", "Return", "第2条请核实");
        var corrected = await (await driver.As("clerk.county")).PutAsJsonAsync($"/api/applications/{id}/lines/2/facts",
            new { facts = new Dictionary<string, object> { ["LandConverted"] = "否" } });
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        await driver.ActAsync(id, "clerk", "Resubmit");
        await driver.ActAsync(id, "clerk.review", "Approve");
        Assert.Equal("CountyReview", await driver.StepAsync(id));

        // The county review checks 退回修改 (separateFrom): the corrector holds the county reviewer's role but acted in it.
        Assert.DoesNotContain(await InboxAsync("clerk.county"), t => t.ApplicationId == id);
        Assert.Empty((await driver.GetAsync(id, "clerk.county")).GetProperty("permittedActions").EnumerateArray());
        Assert.Equal((HttpStatusCode.Conflict, "SeparationOfDuties"), await TryActAsync(id, "clerk.county", "Approve"));
        var task = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Tasks
            .Where(t => t.SubjectId == id && t.Step == "CountyReview" && t.Status == CaseTaskStatus.Open).Select(t => t.Id).SingleAsync());
        var bulk = await (await (await driver.As("clerk.county")).PostAsJsonAsync("/api/tasks/bulk", new { taskIds = new[] { task }, action = "Approve" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0, 1), (bulk.GetProperty("succeeded").GetInt32(), bulk.GetProperty("failed").GetInt32()));
        Assert.Equal("SeparationOfDuties", bulk.GetProperty("tasks")[0].GetProperty("code").GetString());
        Assert.Equal("CountyReview", await driver.StepAsync(id));

        // A county reviewer who corrected nothing may.
        await driver.ActAsync(id, "reviewer", "Approve");
        Assert.Equal("SampleCheck", await driver.StepAsync(id));
    }

    [Fact]
    public async Task Department_NarrowsOnlyTheBoundRoles_OfAUserWhoAlsoSeesAcrossDepartments()
    {
        // 法库县: a 民政局 reviewer who also rechecks for finance (a role across departments), and a 农业农村局 one who does too.
        await AddUserAsync(app, "reviewer.civil.fin", DemoData.County, DepartmentCodes.Civil, Roles.CountyReviewer, Roles.FinanceReviewer);
        await AddUserAsync(app, "reviewer.agri.fin", DemoData.County, DepartmentCodes.Agriculture, Roles.CountyReviewer, Roles.FinanceReviewer);
        var id = await driver.SubmitAsync(); // 耕地地力保护补贴: 农业农村
        await driver.ActAsync(id, "clerk.review", "Approve");

        // As finance the 民政 reviewer sees the 农业农村 case (across departments) …
        Assert.Equal(HttpStatusCode.OK, (await (await driver.As("reviewer.civil.fin")).GetAsync($"/api/applications/{id}")).StatusCode);
        var detail = await driver.GetAsync(id, "reviewer.civil.fin");
        Assert.Empty(detail.GetProperty("permittedActions").EnumerateArray());
        Assert.Empty(detail.GetProperty("lineActions").EnumerateArray());
        // … but its county review is not theirs: not in the inbox, not claimable, not actionable.
        Assert.DoesNotContain(await InboxAsync("reviewer.civil.fin"), t => t.ApplicationId == id);
        var taskId = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Tasks
            .Where(t => t.SubjectId == id && t.Step == "CountyReview").Select(t => t.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await (await driver.As("reviewer.civil.fin")).PostAsync($"/api/tasks/{taskId}/claim", null)).StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, "RoleNotPermitted"), await TryActAsync(id, "reviewer.civil.fin", "Approve"));

        // The 农业农村 reviewer has it in the inbox and reviews it.
        Assert.Contains((id, "CountyReview", false), await InboxAsync("reviewer.agri.fin"));
        await driver.ActAsync(id, "reviewer.agri.fin", "Approve");
        Assert.Equal("SampleCheck", await driver.StepAsync(id));
        // A single-role 民政 reviewer still does not see the case at all (the department filter, as before).
        Assert.Equal(HttpStatusCode.NotFound, (await (await driver.As("reviewer.civil")).GetAsync($"/api/applications/{id}")).StatusCode);
    }
}

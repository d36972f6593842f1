using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Policies;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Cases;
using OneCard.Host.Demo;
using OneCard.Host.Platform;
using OneCard.Host.Supervision;
using OneCard.Host.Tasks;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Departments;

/// <summary>
/// Issue 7, item 2 (departments): a department-bound reviewer sees and acts on their department's policies only, within
/// their region — another department's case is "not found" exactly as another region's is (IDOR) — in the list, the case,
/// the inbox, bulk approval, notices and supervision; finance and users of no department see across departments.
/// </summary>
public sealed class DepartmentScopeTests : IAsyncLifetime
{
    private const string CivilPolicy = "minimum-living-allowance";
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync()
    {
        app = await OneCardApp.StartAsync();
        driver = new CaseDriver(app);
        // A 民政 policy of the list (城乡居民最低生活保障), whether or not the policy list seeded it already.
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            if (await db.Policies.SingleOrDefaultAsync(p => p.Code == CivilPolicy) is { } existing)
                existing.DepartmentCode = DepartmentCodes.Civil;
            else
                db.Policies.Add(new Policy
                {
                    Id = Guid.CreateVersion7(), Code = CivilPolicy, NameZh = "城乡居民最低生活保障", NameEn = "Minimum living allowance",
                    DepartmentCode = DepartmentCodes.Civil, Target = PolicyTarget.Household, Basis = "《社会救助暂行办法》",
                    Frequency = "按月", WorkflowDefinitionId = "standard-subsidy",
                });
            return await db.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>
    /// A 民政 case of the same township resting in township review, written directly (application, workflow instance, open
    /// task) on the same definition version as <paramref name="like"/>, with the same due times.
    /// </summary>
    private Task<(Guid ApplicationId, Guid TaskId)> CivilCaseAsync(Guid like) => app.AsSystemAsync(async sp =>
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        var template = await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.SubjectId == like);
        var templateTask = await db.Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == like && t.Status == CaseTaskStatus.Open);
        var source = await db.Applications.AsNoTracking().SingleAsync(a => a.Id == like);
        var application = new Application
        {
            Id = Guid.CreateVersion7(), Number = "MZ-2026-0001", PolicyCode = CivilPolicy, Period = "2026-03", RegionCode = DemoData.Township,
            Source = ApplicationSource.Roster, SubmittedBy = "u-clerk.civil", SubmittedAt = source.SubmittedAt,
            RuleSetKey = source.RuleSetKey, WorkflowKey = source.WorkflowKey,
        };
        var instance = new WorkflowInstance
        {
            Id = Guid.CreateVersion7(), SubjectKind = SubjectKinds.Application, SubjectId = application.Id, Reference = application.Number,
            PolicyCode = CivilPolicy, RegionCode = DemoData.Township, DefinitionId = template.DefinitionId, DefinitionVersion = template.DefinitionVersion,
            Step = template.Step, StepEnteredAt = template.StepEnteredAt, StepDueAt = template.StepDueAt,
        };
        var task = new CaseTask
        {
            Id = Guid.CreateVersion7(), SubjectKind = SubjectKinds.Application, SubjectId = application.Id, PolicyCode = CivilPolicy,
            InstanceId = instance.Id, RegionCode = DemoData.Township, Step = templateTask.Step, Role = templateTask.Role,
            CreatedAt = templateTask.CreatedAt, DueAt = templateTask.DueAt, RemindAt = templateTask.RemindAt, EscalateAt = templateTask.EscalateAt,
            Status = CaseTaskStatus.Open,
        };
        db.AddRange(application, instance, task);
        await db.SaveChangesAsync();
        return (application.Id, task.Id);
    });

    private async Task<List<Guid>> IdsAsync(string user, string path, string property = "id") =>
        [.. (await (await driver.As(user)).GetFromJsonAsync<JsonElement>(path)).EnumerateArray().Select(e => e.GetProperty(property).GetGuid())];

    private static CurrentUser Demo(string userName, string? departmentOverride = null, bool keepDepartment = true)
    {
        var u = DemoData.Users.Single(x => x.UserName == userName);
        return new CurrentUser("u-" + u.UserName, u.UserName, u.DisplayName, u.Roles, u.Region, u.Organisation,
            keepDepartment ? departmentOverride ?? u.Department : null);
    }

    [Fact]
    public async Task CivilClerkOfTheSameTownship_DoesNotSeeAnAgricultureCase_ListDetailInboxActionsAndBulkAnswerNotFound()
    {
        var agri = await driver.SubmitAsync();
        var agriTask = (await IdsAsync("clerk.review", "/api/tasks")).Single();

        Assert.Empty(await IdsAsync("clerk.civil", "/api/applications"));
        var civil = await driver.As("clerk.civil");
        Assert.Equal(HttpStatusCode.NotFound, (await civil.GetAsync($"/api/applications/{agri}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await civil.PostAsJsonAsync($"/api/applications/{agri}/actions/Approve", new { comment = (string?)null })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await civil.PostAsJsonAsync($"/api/applications/{agri}/lines/reject", new { lineNos = new[] { 1 }, reason = "越权" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await civil.PostAsJsonAsync($"/api/tasks/{agriTask}/claim", new { })).StatusCode);
        Assert.Empty(await IdsAsync("clerk.civil", "/api/tasks"));

        var bulk = await (await civil.PostAsJsonAsync("/api/tasks/bulk", new { taskIds = new[] { agriTask }, action = "Approve" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0, 1), (bulk.GetProperty("succeeded").GetInt32(), bulk.GetProperty("failed").GetInt32()));
        var outcome = bulk.GetProperty("tasks")[0];
        Assert.Equal(("TaskNotFound", "任务不存在或不在您的管辖范围内"), (outcome.GetProperty("code").GetString(), outcome.GetProperty("reasonZh").GetString()));
        Assert.Equal("TownshipReview", await driver.StepAsync(agri));

        // The 农业农村 reviewing clerk of the same township sees it, its task, and may act on it.
        Assert.Equal([agri], await IdsAsync("clerk.review", "/api/applications"));
        await driver.ActAsync(agri, "clerk.review", "Approve");
    }

    [Fact]
    public async Task EachDepartmentSeesItsOwnCase_FinanceAndUsersOfNoDepartmentSeeBoth()
    {
        var agri = await driver.SubmitAsync();
        var (civilCase, civilTask) = await CivilCaseAsync(agri);
        var agriTask = (await IdsAsync("clerk.review", "/api/tasks")).Single();

        Assert.Equal([civilCase], await IdsAsync("clerk.civil", "/api/applications"));
        Assert.Equal([civilTask], await IdsAsync("clerk.civil", "/api/tasks"));
        Assert.Equal(HttpStatusCode.OK, (await (await driver.As("clerk.civil")).GetAsync($"/api/applications/{civilCase}")).StatusCode);
        Assert.Equal([agri], await IdsAsync("clerk.review", "/api/applications"));
        Assert.Equal(HttpStatusCode.NotFound, (await (await driver.As("clerk.review")).GetAsync($"/api/applications/{civilCase}")).StatusCode);
        Assert.Equal([agri], await IdsAsync("reviewer", "/api/applications"));

        // Finance (no department) sees both cases of its county.
        Assert.Equal(new[] { agri, civilCase }.Order(), (await IdsAsync("finance", "/api/applications")).Order());
        // A township clerk of no department sees both cases and both tasks in the inbox.
        var (apps, tasks) = await app.AsUserAsync(Demo("clerk.review", keepDepartment: false), async sp =>
        {
            var page = await sp.GetRequiredService<Inbox.Handler>().ListAsync(new Inbox.Query(), default);
            var list = await sp.GetRequiredService<OneCardDbContext>().Applications.Select(a => a.Id).ToListAsync();
            return (list, page.Items.Select(t => t.Id).ToList());
        });
        Assert.Equal(new[] { agri, civilCase }.Order(), apps.Order());
        Assert.Equal(new[] { agriTask, civilTask }.Order(), tasks.Order());
    }

    [Fact]
    public async Task BulkApprove_ByTheCivilClerk_MovesTheCivilTaskOnly_AndRefusesTheAgricultureTaskAsNotFound()
    {
        var agri = await driver.SubmitAsync();
        var (civilCase, civilTask) = await CivilCaseAsync(agri);
        var agriTask = (await IdsAsync("clerk.review", "/api/tasks")).Single();

        var bulk = await (await (await driver.As("clerk.civil")).PostAsJsonAsync("/api/tasks/bulk", new { taskIds = new[] { agriTask, civilTask }, action = "Approve" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var outcomes = bulk.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("taskId").GetGuid());
        Assert.True(outcomes[civilTask].GetProperty("succeeded").GetBoolean(), outcomes[civilTask].ToString());
        Assert.Equal("TaskNotFound", outcomes[agriTask].GetProperty("code").GetString());
        var steps = await app.AsSystemAsync(async sp => await sp.GetRequiredService<OneCardDbContext>().WorkflowInstances.AsNoTracking()
            .ToDictionaryAsync(i => i.SubjectId, i => i.Step));
        Assert.Equal(("TownshipReview", "CountyReview"), (steps[agri], steps[civilCase]));
    }

    [Fact]
    public async Task ReminderAndOverdueNotices_GoToTheCaseDepartmentsClerksOnly()
    {
        var agri = await driver.SubmitAsync();
        var (civilCase, _) = await CivilCaseAsync(agri);
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 9, 0, 0, Cst));
        await app.Services.GetRequiredService<DeadlineSweepJob>().RunAsync(default);

        async Task<List<Guid>> NoticeSubjectsAsync(string user) =>
            [.. (await (await driver.As(user)).GetFromJsonAsync<JsonElement>("/api/notices")).GetProperty("items").EnumerateArray()
                .Select(n => n.GetProperty("subjectId").GetGuid())];
        // Reminder and overdue mark of each case, to its own department's clerks of the township.
        Assert.Equal([civilCase, civilCase], await NoticeSubjectsAsync("clerk.civil"));
        Assert.Equal([agri, agri], await NoticeSubjectsAsync("clerk"));
        Assert.Equal([agri, agri], await NoticeSubjectsAsync("clerk.review"));
    }

    [Fact]
    public async Task CivilClerk_CannotSubmitAnAgricultureRoster_RefusedInChinese()
    {
        var response = await (await driver.As("clerk.civil")).PostAsJsonAsync("/api/applications",
            new { policyCode = DemoData.PolicyCode, period = "2026", lines = Claims.FiveLines() });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("PolicyOfOtherDepartment", body, StringComparison.Ordinal);
        Assert.Contains("由农业农村部门主管，您属于民政部门", body, StringComparison.Ordinal);
        Assert.Equal(0, await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Applications.CountAsync()));
    }

    [Fact]
    public async Task Supervision_OfADepartmentBoundSupervisor_CountsItsDepartmentsTasksOnly_AndOfNoDepartment_Both()
    {
        var agri = await driver.SubmitAsync();
        await CivilCaseAsync(agri);
        async Task<int> OpenAsync(string? department) => await app.AsUserAsync(Demo("supervisor", department, keepDepartment: department is not null), async sp =>
        {
            var scope = SlaScope.Resolve(new SlaFilter(), sp.GetRequiredService<UserContext>().Required, sp.GetRequiredService<RegionDirectory>(),
                sp.GetRequiredService<Workflows.WorkingDayCalendar>(), sp.GetRequiredService<TimeProvider>());
            return await scope.Open(sp.GetRequiredService<OneCardDbContext>()).CountAsync();
        });
        Assert.Equal(2, await OpenAsync(null));
        Assert.Equal(1, await OpenAsync(DepartmentCodes.Civil));
        Assert.Equal(1, await OpenAsync(DepartmentCodes.Agriculture));
        Assert.Equal(0, await OpenAsync(DepartmentCodes.Health));
    }
}

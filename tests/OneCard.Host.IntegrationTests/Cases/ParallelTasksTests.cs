using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Persistence;
using OneCard.Testing;
using OneCard.Workflows;

namespace OneCard.Host.IntegrationTests.Cases;

/// <summary>
/// Issue 6, item 1: a Parallel step opens one task per branch at once; each branch's action closes its own task and is
/// recorded; when the last branch is done the engine takes the Parallel step's way out as the system.
/// </summary>
public sealed class ParallelTasksTests : IAsyncLifetime
{
    /// <summary>A test-only definition (the same as the Workflows tests' parallel-joint-review.json fixture).</summary>
    private const string Definition = """
{
  "definitionId": "joint-review",
  "version": 1,
  "titleZh": "会签测试流程",
  "titleEn": "Joint review (test)",
  "initialStep": "Draft",
  "steps": [
    { "name": "Draft", "kind": "Human", "role": "TownshipClerk", "timeLimit": { "amount": 3, "unit": "WorkingDays" }, "titleZh": "拟办", "titleEn": "Draft" },
    { "name": "JointReview", "kind": "Parallel", "branches": ["FinanceOpinion", "CountyOpinion"], "titleZh": "会签", "titleEn": "Joint review" },
    { "name": "FinanceOpinion", "kind": "Human", "role": "FinanceReviewer", "timeLimit": { "amount": 2, "unit": "WorkingDays" }, "titleZh": "财政意见", "titleEn": "Finance opinion" },
    { "name": "CountyOpinion", "kind": "Human", "role": "CountyReviewer", "timeLimit": { "amount": 5, "unit": "WorkingDays" }, "titleZh": "主管部门意见", "titleEn": "County opinion" },
    { "name": "Done", "kind": "Final", "titleZh": "办结", "titleEn": "Done" },
    { "name": "Refused", "kind": "Final", "titleZh": "不予通过", "titleEn": "Refused" }
  ],
  "transitions": [
    { "from": "Draft", "action": "Send", "to": "JointReview", "role": "TownshipClerk" },
    { "from": "FinanceOpinion", "action": "Agree", "to": "JointReview", "role": "FinanceReviewer" },
    { "from": "FinanceOpinion", "action": "Refuse", "to": "Refused", "role": "FinanceReviewer", "commentRequired": true },
    { "from": "CountyOpinion", "action": "Agree", "to": "JointReview", "role": "CountyReviewer" },
    { "from": "JointReview", "action": "AllAgreed", "to": "Done", "role": null }
  ]
}
""";
    private readonly TestWorkflows workflows = new TestWorkflows().Add("joint-review.v1.json", Definition);
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(settings: workflows.Settings); driver = new CaseDriver(app); }
    public async Task DisposeAsync() { await app.DisposeAsync(); workflows.Dispose(); }

    /// <summary>Starts a joint-review case for a complaint-kind subject in 法库县 and sends it into the Parallel step.</summary>
    private async Task<Guid> StartAsync()
    {
        var id = Guid.CreateVersion7();
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var definition = sp.GetRequiredService<WorkflowCatalog>().Latest("joint-review");
            await using var tx = await db.Database.BeginTransactionAsync();
            await sp.GetRequiredService<CaseEngine>().StartAsync(
                new CaseEngine.NewCase(new CaseSubject(SubjectKinds.Complaint, id), "TS-1", Host.Demo.DemoData.Township, null), definition, default);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            return 0;
        });
        await ActAsync(id, "clerk", "Send");
        return id;
    }

    private async Task<HttpResponseMessage> TryActAsync(Guid id, string user, string action, string? comment = null) =>
        await (await driver.As(user)).PostAsJsonAsync($"/api/cases/Complaint/{id}/actions/{action}", new { comment });

    private async Task ActAsync(Guid id, string user, string action)
    {
        var r = await TryActAsync(id, user, action);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> CaseAsync(Guid id, string user = "reviewer") =>
        await (await driver.As(user)).GetFromJsonAsync<JsonElement>($"/api/cases/Complaint/{id}");

    private async Task<List<(string Step, string Status)>> TasksAsync(Guid id) => await app.AsSystemAsync(async sp =>
        (await sp.GetRequiredService<OneCardDbContext>().Tasks.Where(t => t.SubjectId == id).OrderBy(t => t.Step).ToListAsync())
            .Select(t => (t.Step, t.Status.ToString())).ToList());

    [Fact]
    public async Task ParallelStep_OpensATaskPerBranch_AndJoinsOnceEveryBranchIsDone()
    {
        var id = await StartAsync();

        var joint = await CaseAsync(id);
        Assert.Equal("JointReview", joint.GetProperty("step").GetString());
        Assert.Equal(["CountyOpinion", "FinanceOpinion"], joint.GetProperty("openTasks").EnumerateArray().Select(t => t.GetProperty("step").GetString()).Order());
        Assert.Equal(["Agree", "Refuse"], (await CaseAsync(id, "finance")).GetProperty("permittedActions").EnumerateArray().Select(a => a.GetString()));

        await ActAsync(id, "finance", "Agree");
        var half = await CaseAsync(id);
        Assert.Equal("JointReview", half.GetProperty("step").GetString());
        Assert.Equal("CountyOpinion", Assert.Single(half.GetProperty("openTasks").EnumerateArray()).GetProperty("step").GetString());
        Assert.Empty((await CaseAsync(id, "finance")).GetProperty("permittedActions").EnumerateArray());

        await ActAsync(id, "reviewer", "Agree");
        var done = await CaseAsync(id);
        Assert.Equal("Done", done.GetProperty("step").GetString());
        Assert.True(done.GetProperty("isFinal").GetBoolean());
        var history = done.GetProperty("history").EnumerateArray().Select(e => $"{e.GetProperty("fromStep").GetString()}-{e.GetProperty("action").GetString()}->{e.GetProperty("toStep").GetString()}").ToList();
        Assert.Equal(["-Submit->Draft", "Draft-Send->JointReview", "FinanceOpinion-Agree->JointReview", "CountyOpinion-Agree->JointReview", "JointReview-AllAgreed->Done"], history);
        Assert.All(await TasksAsync(id), t => Assert.Equal("Completed", t.Status));
    }

    [Fact]
    public async Task Branch_LeavingElsewhere_CancelsTheOtherBranch_AndNobodyCanJoinByHand()
    {
        var id = await StartAsync();
        Assert.Equal(HttpStatusCode.Conflict, (await TryActAsync(id, "reviewer", "AllAgreed")).StatusCode);

        var refused = await TryActAsync(id, "finance", "Refuse", "材料不全");

        Assert.True(refused.IsSuccessStatusCode, await refused.Content.ReadAsStringAsync());
        Assert.Equal("Refused", (await CaseAsync(id)).GetProperty("step").GetString());
        var tasks = await TasksAsync(id);
        Assert.Contains(("FinanceOpinion", "Completed"), tasks);
        Assert.Contains(("CountyOpinion", "Cancelled"), tasks);
    }
}

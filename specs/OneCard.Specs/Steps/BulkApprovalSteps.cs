using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>Bulk approval (批量审批) from the inbox: each case moves and is audited on its own.</summary>
[Binding]
public sealed class BulkApprovalSteps(ScenarioState state)
{
    private readonly List<Guid> cases = [];
    private JsonElement result;

    [Given(@"^大孤家子镇经办人 (\S+) 通过接口提交了(\d+)份申报$")]
    public async Task GivenSubmitted(string clerk, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var created = await state.PostOk(clerk, "/api/applications", new { policyCode = "arable-land-protection", period = "2026", lines = Claims.FiveLines() });
            cases.Add(created!.Value.GetProperty("id").GetGuid());
        }
    }

    [Then(@"^" + Words.Who + @"(\S+) 的待办共有(\d+)个任务$")]
    public async Task ThenInboxTotal(string user, int count)
    {
        var response = await (await state.As(user)).GetAsync("/api/tasks?pageSize=1");
        response.EnsureSuccessStatusCode();
        Assert.Equal(count, int.Parse(response.Headers.GetValues("X-Total-Count").Single()));
    }

    [When(@"^" + Words.Who + @"(\S+) 将待办中的(\d+)个任务批量通过$")]
    public async Task WhenBulkApprove(string user, int count)
    {
        var tasks = await state.GetJson(user, "/api/tasks?pageSize=500");
        var ids = tasks.EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(count, ids.Count);
        result = (await state.PostOk(user, "/api/tasks/bulk", new { taskIds = ids, action = "Approve" }))!.Value;
    }

    [Then(@"^批量结果为成功(\d+)个、失败(\d+)个$")]
    public void ThenResult(int succeeded, int failed) =>
        Assert.Equal((succeeded, failed), (result.GetProperty("succeeded").GetInt32(), result.GetProperty("failed").GetInt32()));

    [Then(@"^这(\d+)个案件都处于""(\w+)""环节$")]
    public async Task ThenAllInStep(int count, string step)
    {
        var steps = await state.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().WorkflowInstances
            .Where(i => cases.Contains(i.SubjectId)).Select(i => i.Step).ToListAsync());
        Assert.Equal(count, steps.Count);
        Assert.All(steps, s => Assert.Equal(step, s));
    }

    [Then(@"^审计日志记有 (\S+) 的(\d+)条流转（Transition），每个案件各1条$")]
    public async Task ThenTransitions(string user, int count)
    {
        var entityIds = await state.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog
            .Where(e => e.Action == "Transition" && e.ActorId == "u-" + user).Select(e => e.EntityId).ToListAsync());
        Assert.Equal(count, entityIds.Count);
        Assert.Equal(cases.Select(c => c.ToString()).Order(), entityIds.Order());
    }

    [Then(@"^审计日志的哈希链完整$")]
    public async Task ThenChainHolds() =>
        Assert.Null(await state.App.AsSystemAsync(sp => sp.GetRequiredService<AuditWriter>().VerifyAsync(sp.GetRequiredService<OneCardDbContext>())));
}

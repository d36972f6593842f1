using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Host.Cases;
using OneCard.Persistence;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Time limits on the working-day calendar, the task inbox and the overdue sweep.</summary>
[Binding]
public sealed class DeadlineSteps(ScenarioState state)
{
    private string user = "clerk.review";

    [Given(@"^现在是(\d+)年(\d+)月(\d+)日（星期.）(\d+):(\d+)$")]
    public void GivenNow(int year, int month, int day, int hour, int minute) =>
        Assert.Equal(Words.Beijing(year, month, day, hour, minute), state.App.Clock.GetUtcNow());

    [Then(@"^" + Words.Who + @"(\S+) 的待办中有该案件的""(.+)""任务，办理时限为(\d+)年(\d+)月(\d+)日(\d+):(\d+)（北京时间）$")]
    public async Task ThenTaskDue(string who, string stepTitle, int year, int month, int day, int hour, int minute)
    {
        user = who;
        var task = await CaseTask();
        Assert.Equal(stepTitle, task.GetProperty("stepTitle").GetString());
        Assert.Equal(Words.Beijing(year, month, day, hour, minute), task.GetProperty("dueAt").GetDateTimeOffset());
        Assert.False(task.GetProperty("isOverdue").GetBoolean());
    }

    [When(@"^时间来到(\d+)年(\d+)月(\d+)日（星期.）(\d+):(\d+)，超期巡检运行$")]
    public async Task WhenSweepAt(int year, int month, int day, int hour, int minute)
    {
        state.AdvanceTo(Words.Beijing(year, month, day, hour, minute));
        await Sweep();
    }

    [Then(@"^该任务未超期$")]
    public async Task ThenNotOverdue()
    {
        var task = await CaseTask();
        Assert.False(task.GetProperty("isOverdue").GetBoolean());
        Assert.Equal(JsonValueKind.Null, task.GetProperty("overdueAt").ValueKind);
        Assert.Equal(0, await OverdueAuditCount());
        Assert.False((await state.Case(user)).GetProperty("stepOverdue").GetBoolean());
    }

    [Then(@"^该任务已超期，超期标记时间为(\d+)年(\d+)月(\d+)日(\d+):(\d+)$")]
    public async Task ThenOverdue(int year, int month, int day, int hour, int minute)
    {
        var task = await CaseTask();
        Assert.True(task.GetProperty("isOverdue").GetBoolean());
        Assert.Equal(Words.Beijing(year, month, day, hour, minute), task.GetProperty("overdueAt").GetDateTimeOffset());
    }

    [Then(@"^审计日志记有一条该任务的超期（TaskOverdue）$")]
    public async Task ThenOverdueAudited() => Assert.Equal(1, await OverdueAuditCount());

    [When(@"^超期巡检再次运行$")]
    public Task SweepAgain() => Sweep();

    [Then(@"^案件详情显示当前环节已超期$")]
    public async Task ThenCaseOverdue() => Assert.True((await state.Case(user)).GetProperty("stepOverdue").GetBoolean());

    [Then(@"^" + Words.Who + @"(\S+) 的待办为空$")]
    public async Task ThenInboxEmpty(string who) => Assert.Empty((await state.GetJson(who, "/api/tasks")).EnumerateArray());

    [Then(@"^" + Words.Who + @"(\S+) 的待办中有(\d+)个任务$")]
    public async Task ThenInboxCount(string who, int count)
    {
        var tasks = (await state.GetJson(who, "/api/tasks")).EnumerateArray().ToList();
        Assert.Equal(count, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(state.CaseId, t.GetProperty("applicationId").GetGuid()));
    }

    private async Task<JsonElement> CaseTask()
    {
        var tasks = await state.GetJson(user, "/api/tasks");
        return Assert.Single(tasks.EnumerateArray(), t => t.GetProperty("applicationId").GetGuid() == state.CaseId);
    }

    private Task Sweep() =>
        Task.Run(() => state.App.Services.GetRequiredService<DeadlineSweepJob>().RunAsync(CancellationToken.None));

    private Task<int> OverdueAuditCount() => state.App.AsSystemAsync(sp =>
    {
        var id = state.CaseId.ToString();
        return sp.GetRequiredService<OneCardDbContext>().AuditLog.CountAsync(a => a.Action == "TaskOverdue" && a.EntityId == id);
    });
}

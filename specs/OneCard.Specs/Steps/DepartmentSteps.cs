using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Cases;
using OneCard.Domain.Notices;
using OneCard.Host.Cases;
using OneCard.Persistence;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Departments (部门范围): another department's case is as absent as another region's, in bulk approval and notices too.</summary>
[Binding]
public sealed class DepartmentSteps(ScenarioState state)
{
    private Task<Guid> OpenTaskAsync() => state.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Tasks.AsNoTracking()
        .Where(t => t.SubjectId == state.CaseId && t.Status == CaseTaskStatus.Open).Select(t => t.Id).SingleAsync());

    [Then(@"^" + Words.Who + @"(\S+) 批量通过该案件的任务，被拒为""(.+)""$")]
    public async Task ThenBulkRefused(string user, string reason)
    {
        var task = await OpenTaskAsync();
        var client = await state.As(user);
        var result = await (await client.PostAsJsonAsync("/api/tasks/bulk", new { taskIds = new[] { task }, action = "Approve" })).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal((0, 1), (result.GetProperty("succeeded").GetInt32(), result.GetProperty("failed").GetInt32()));
        Assert.Equal(reason, result.GetProperty("tasks")[0].GetProperty("reasonZh").GetString());
    }

    [When(@"^该任务到了(\d+)年(\d+)月(\d+)日(\d+):(\d+)仍未办理$")]
    public async Task WhenTimePasses(int year, int month, int day, int hour, int minute)
    {
        state.AdvanceTo(Words.Beijing(year, month, day, hour, minute));
        await state.App.Services.GetRequiredService<DeadlineSweepJob>().RunAsync(default);
    }

    [Then(@"^经办人 (\S+) 收到了该案件的超期通知，经办人 (\S+) 没有任何通知$")]
    public async Task ThenNoticesFollowTheDepartment(string concerned, string other)
    {
        var items = (await state.GetJson(concerned, "/api/notices")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, n => n.GetProperty("kind").GetString() == NoticeKinds.TaskOverdue && n.GetProperty("subjectId").GetGuid() == state.CaseId);
        Assert.Empty((await state.GetJson(other, "/api/notices")).GetProperty("items").EnumerateArray());
    }
}

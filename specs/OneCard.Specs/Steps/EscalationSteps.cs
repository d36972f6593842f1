using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Cases;
using OneCard.Domain.Notices;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Escalation after the grace period and the notice centre (issue 6, item 4).</summary>
[Binding]
public sealed class EscalationSteps(ScenarioState state)
{
    private static readonly Dictionary<string, string> Kinds = new(StringComparer.Ordinal)
    {
        ["即将到期"] = NoticeKinds.TaskReminded,
        ["已超期"] = NoticeKinds.TaskOverdue,
        ["超期上报"] = NoticeKinds.TaskEscalated,
    };

    private Guid noticeId;

    [Then(@"^该任务已超期但未上报$")]
    public async Task ThenOverdueNotEscalated()
    {
        var task = await LoadTask();
        Assert.NotNull(task.OverdueAt);
        Assert.Null(task.EscalatedAt);
        Assert.Equal(0, await AuditCount(NoticeKinds.TaskEscalated));
    }

    [Then(@"^该任务已上报""(.+)""的监管人员$")]
    public async Task ThenEscalated(string regionName)
    {
        var task = await LoadTask();
        Assert.NotNull(task.EscalatedAt);
        Assert.Equal("Supervisor", task.EscalatedToRole);
        Assert.Equal(regionName, state.App.Services.GetRequiredService<RegionDirectory>().FullName(task.EscalatedToRegionCode!));
    }

    [Then(@"^审计日志记有一条该任务的上报（TaskEscalated）$")]
    public async Task ThenEscalationAudited() => Assert.Equal(1, await AuditCount(NoticeKinds.TaskEscalated));

    [Then(@"^(?:经办人|监管人员) (\S+) 的通知中心有(\d+)条未读的""(.+)""通知(，链接到该案件)?$")]
    public async Task ThenNotices(string user, int count, string kind, string? linked)
    {
        var list = await state.GetJson(user, "/api/notices");
        var mine = list.GetProperty("items").EnumerateArray()
            .Where(n => n.GetProperty("kind").GetString() == Kinds[kind] && n.GetProperty("subjectId").GetGuid() == state.CaseId).ToList();
        Assert.Equal(count, mine.Count(n => n.GetProperty("readAt").ValueKind == JsonValueKind.Null));
        Assert.True(list.GetProperty("unread").GetInt32() >= count);
        if (!string.IsNullOrEmpty(linked))
            Assert.All(mine, n => Assert.Equal($"applications/{state.CaseId}", n.GetProperty("link").GetString()));
        noticeId = mine[0].GetProperty("id").GetGuid();
    }

    [Then(@"^监管人员 (\S+) 在监管看板上看到""(.+)""有(\d+)个已上报任务，超期清单中有该案件$")]
    public async Task ThenSlaView(string user, string county, int escalated)
    {
        var city = await state.GetJson(user, "/api/supervision/sla");
        var row = city.GetProperty("regions").EnumerateArray().Single(r => r.GetProperty("name").GetString() == county);
        Assert.Equal(escalated, row.GetProperty("figures").GetProperty("escalated").GetInt32());
        var overdue = await state.GetJson(user, "/api/supervision/overdue");
        Assert.Contains(overdue.GetProperty("items").EnumerateArray(), i => i.GetProperty("subjectId").GetGuid() == state.CaseId);
    }

    [When(@"^监管人员 (\S+) 将该通知标为已读$")]
    public Task WhenRead(string user) => state.PostOk(user, $"/api/notices/{noticeId}/read", null);

    [Then(@"^监管人员 (\S+) 的通知中心没有未读通知$")]
    public async Task ThenNoUnread(string user) => Assert.Equal(0, (await state.GetJson(user, "/api/notices")).GetProperty("unread").GetInt32());

    private Task<CaseTask> LoadTask() => state.App.AsSystemAsync(sp =>
        sp.GetRequiredService<OneCardDbContext>().Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == state.CaseId && t.Step == "TownshipReview"));

    private Task<int> AuditCount(string action) => state.App.AsSystemAsync(sp =>
    {
        var id = state.CaseId.ToString();
        return sp.GetRequiredService<OneCardDbContext>().AuditLog.CountAsync(a => a.Action == action && a.EntityId == id);
    });
}

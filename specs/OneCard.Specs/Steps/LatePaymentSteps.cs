using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Cases;
using OneCard.Domain.Notices;
using OneCard.Persistence;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>Late payment (支付逾期, issue 8 item 6): the bank's time limit, the sweep's late mark and escalation, the supervisor's views.</summary>
[Binding]
public sealed class LatePaymentSteps(ScenarioState state, CaseSteps cases, PublicitySteps publicity, PaymentSteps payments)
{
    [When(@"^公示期满后，(\d+)年(\d+)月(\d+)日（星期.）(\d+):(\d+) 财政 (\S+) 复核通过，支付批次发送代发银行$")]
    public async Task WhenReleased(int year, int month, int day, int hour, int minute, string finance)
    {
        await publicity.TimerDue();
        state.AdvanceTo(Words.Beijing(year, month, day, hour, minute));
        await cases.Act(finance, "Approve");
        // Finance allocates the batch to a budget indicator and releases it to its bank at once.
        var batch = Assert.Single(await BatchRelease.ReadyAsync(await state.As(finance), state.CaseId));
        Assert.Equal("Instructed", batch.GetProperty("status").GetString());
        state.BatchId = batch.GetProperty("id").GetGuid();
    }

    [When(@"^时间来到(\d+)年(\d+)月(\d+)日（星期.）(\d+):(\d+)，财政下载该批次的银行文件$")]
    public Task WhenDownloadAt(int year, int month, int day, int hour, int minute)
    {
        state.AdvanceTo(Words.Beijing(year, month, day, hour, minute));
        return payments.DownloadBankFile();
    }

    [Then(@"^该批次的回盘时限为(\d+)年(\d+)月(\d+)日(\d+):(\d+)（北京时间）$")]
    public async Task ThenDue(int year, int month, int day, int hour, int minute) =>
        Assert.Equal(Words.Beijing(year, month, day, hour, minute), (await Instance()).StepDueAt);

    [Then(@"^该批次未标记逾期，监管人员 (\S+) 的支付逾期清单为空$")]
    public async Task ThenNotLate(string supervisor)
    {
        Assert.Null((await Instance()).StepOverdueAt);
        Assert.Equal(0, await AuditCount("StepOverdue"));
        await ThenListEmpty(supervisor);
    }

    [Then(@"^监管人员 (\S+) 的支付逾期清单为空$")]
    public async Task ThenListEmpty(string supervisor) =>
        Assert.Equal(0, (await state.GetJson(supervisor, "/api/supervision/late-payments")).GetProperty("total").GetInt32());

    [Then(@"^该批次已标记逾期，审计日志记有一条该批次的逾期（StepOverdue）$")]
    public async Task ThenLate()
    {
        Assert.NotNull((await Instance()).StepOverdueAt);
        Assert.Equal(1, await AuditCount("StepOverdue"));
    }

    [Then(@"^监管人员 (\S+) 的支付逾期清单中有该批次，尚未上报，将于(\d+)年(\d+)月(\d+)日(\d+):(\d+)上报$")]
    public async Task ThenListedNotEscalated(string supervisor, int year, int month, int day, int hour, int minute)
    {
        var item = await Listed(supervisor);
        Assert.Equal(JsonValueKind.Null, item.GetProperty("escalatedAt").ValueKind);
        Assert.Equal(Words.Beijing(year, month, day, hour, minute), item.GetProperty("escalateAt").GetDateTimeOffset());
    }

    [Then(@"^监管人员 (\S+) 的支付逾期清单中有该批次，已于(\d+)年(\d+)月(\d+)日(\d+):(\d+)上报$")]
    public async Task ThenListedEscalated(string supervisor, int year, int month, int day, int hour, int minute) =>
        Assert.Equal(Words.Beijing(year, month, day, hour, minute), (await Listed(supervisor)).GetProperty("escalatedAt").GetDateTimeOffset());

    [Then(@"^审计日志没有该批次的上报（StepEscalated）$")]
    public async Task ThenNotEscalated()
    {
        Assert.Equal(0, await AuditCount(NoticeKinds.StepEscalated));
        Assert.Null((await Instance()).StepEscalatedAt);
    }

    [Then(@"^审计日志记有一条该批次的上报（StepEscalated）$")]
    public async Task ThenEscalated()
    {
        Assert.Equal(1, await AuditCount(NoticeKinds.StepEscalated));
        Assert.NotNull((await Instance()).StepEscalatedAt);
    }

    [Then(@"^监管人员 (\S+) 的通知中心有(\d+)条未读的""逾期上报""通知，链接到该批次$")]
    public async Task ThenNotice(string supervisor, int count)
    {
        var mine = (await state.GetJson(supervisor, "/api/notices")).GetProperty("items").EnumerateArray()
            .Where(n => n.GetProperty("kind").GetString() == NoticeKinds.StepEscalated && n.GetProperty("subjectId").GetGuid() == state.BatchId).ToList();
        Assert.Equal(count, mine.Count(n => n.GetProperty("readAt").ValueKind == JsonValueKind.Null));
        Assert.All(mine, n => Assert.Equal($"finance/batches/{state.BatchId}", n.GetProperty("link").GetString()));
        Assert.All(mine, n => Assert.Contains("待银行回盘", n.GetProperty("text").GetString(), StringComparison.Ordinal));
    }

    [Then(@"^银行履约报表中""(.+)""(\d+)年(\d+)月有(\d+)个批次、(\d+)笔，逾期(\d+)个、上报(\d+)个，失败率([\d.]+)%$")]
    public async Task ThenPerformance(string bank, int year, int month, int batches, int lines, int late, int escalated, decimal failurePercent)
    {
        var report = await state.GetJson("supervisor", $"/api/supervision/bank-performance?year={year}");
        var row = Assert.Single(report.GetProperty("rows").EnumerateArray(),
            r => r.GetProperty("bankName").GetString() == bank && r.GetProperty("month").GetInt32() == month);
        Assert.Equal((batches, lines, late, escalated), (row.GetProperty("batches").GetInt32(), row.GetProperty("lines").GetInt32(),
            row.GetProperty("late").GetInt32(), row.GetProperty("escalated").GetInt32()));
        Assert.Equal(failurePercent, Math.Round((decimal)row.GetProperty("failureRate").GetDouble() * 100, 2));
        Assert.Equal(1, row.GetProperty("confirmed").GetInt32());
    }

    private async Task<JsonElement> Listed(string supervisor)
    {
        var list = await state.GetJson(supervisor, "/api/supervision/late-payments");
        return Assert.Single(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("batchId").GetGuid() == state.BatchId);
    }

    private async Task<WorkflowInstance> Instance()
    {
        await using var scope = state.App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Host.Platform.UserContext>().SetSystem();
        return await scope.ServiceProvider.GetRequiredService<OneCardDbContext>().WorkflowInstances.AsNoTracking()
            .SingleAsync(i => i.SubjectKind == SubjectKinds.PaymentBatch && i.SubjectId == state.BatchId);
    }

    private async Task<int> AuditCount(string action)
    {
        var id = state.BatchId.ToString();
        await using var scope = state.App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Host.Platform.UserContext>().SetSystem();
        return await scope.ServiceProvider.GetRequiredService<OneCardDbContext>().AuditLog
            .CountAsync(a => a.Action == action && a.EntityType == SubjectKinds.PaymentBatch && a.EntityId == id);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Publicity (公示): the notice, anonymous objections, the timer that ends it, objection review.</summary>
[Binding]
public sealed class PublicitySteps(ScenarioState state, CaseSteps cases)
{
    private Guid objectionId;

    /// <summary>The case's notice of the given kind ("公示" or "公开") as the public reads it; the scenario's database holds one case.</summary>
    public static async Task<JsonElement> Notice(ScenarioState state, string kind)
    {
        using var list = await state.Public.GetAsync("/api/public/notices");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var notices = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement;
        var id = notices.EnumerateArray().Single(n => n.GetProperty("kind").GetString() == kind).GetProperty("id").GetGuid();
        using var detail = await state.Public.GetAsync($"/api/public/notices/{id}");
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        return JsonDocument.Parse(await detail.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [When(@"^公示未满时计时任务触发$")]
    public async Task TimerEarly()
    {
        var ends = (await state.Case("reviewer")).GetProperty("publicityEndsAt").GetDateTimeOffset();
        state.AdvanceTo(ends.AddMinutes(-1));
        await RunTimer();
    }

    [When(@"^公示期满7天后计时任务触发$")]
    public async Task TimerDue()
    {
        await AdvanceToPublicityEnd();
        await RunTimer();
    }

    [Given(@"^公示期满7天后超期巡检运行$")]
    [When(@"^公示期满7天后超期巡检运行$")]
    public async Task SweepAfterPublicity()
    {
        await AdvanceToPublicityEnd();
        await Task.Run(() => state.App.Services.GetRequiredService<DeadlineSweepJob>().RunAsync(CancellationToken.None));
    }

    [When(@"^群众对公示中的第(\d+)条明细匿名提出异议：""(.+)""$")]
    public async Task LodgeObjection(int lineNo, string text)
    {
        var notice = await Notice(state, "公示");
        var id = notice.GetProperty("notice").GetProperty("id").GetGuid();
        var response = await state.Remember(await state.Public.PostAsJsonAsync($"/api/public/notices/{id}/objections",
            new { lineNo, text, contact = "13812345678" }));
        if (response.StatusCode == HttpStatusCode.Created) objectionId = state.LastJson.GetProperty("id").GetGuid();
        state.RememberedLineNo = lineNo;
    }

    [Then(@"^异议已受理$")]
    public async Task ThenObjectionLodged()
    {
        Assert.True(state.LastResponse!.StatusCode == HttpStatusCode.Created, state.LastBody);
        var objection = Assert.Single((await state.Case("reviewer")).GetProperty("objections").EnumerateArray());
        Assert.Equal(objectionId, objection.GetProperty("id").GetGuid());
        Assert.Equal(state.RememberedLineNo, objection.GetProperty("lineNo").GetInt32());
        Assert.Equal("Open", objection.GetProperty("status").GetString());
    }

    [When(@"^审核人 (\S+) 认定该异议成立，意见为""(.+)""$")]
    public Task Uphold(string user, string resolution) =>
        state.PostOk(user, $"/api/applications/{state.CaseId}/objections/{objectionId}/resolve", new { uphold = true, resolution });

    [Then(@"^公开信息只列出第([\d、]+)条明细$")]
    public async Task ThenPublicationLists(string lineNos)
    {
        var notice = await Notice(state, "公开");
        Assert.Equal(Words.LineNos(lineNos), notice.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("lineNo").GetInt32()));
        var paid = (await cases.Lines()).Where(l => Words.LineNos(lineNos).Contains(l.GetProperty("lineNo").GetInt32())).Sum(l => l.GetProperty("amount").GetDecimal());
        Assert.Equal(paid, notice.GetProperty("notice").GetProperty("totalAmount").GetDecimal());
    }

    private async Task AdvanceToPublicityEnd()
    {
        var detail = await state.Case("reviewer");
        var starts = detail.GetProperty("history").EnumerateArray().Last(h => h.GetProperty("toStep").GetString() == "Publicity").GetProperty("at").GetDateTimeOffset();
        var ends = detail.GetProperty("publicityEndsAt").GetDateTimeOffset();
        // 公示7天: calendar days, counted from the day after entry; the period closes at the end of the seventh day.
        var day7 = DateOnly.FromDateTime(starts.ToOffset(TimeSpan.FromHours(8)).DateTime).AddDays(7);
        Assert.Equal(new DateTimeOffset(day7.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)), ends);
        state.AdvanceTo(ends);
    }

    private Task RunTimer() =>
        Task.Run(() => state.App.Services.GetRequiredService<StepTimerJob>().RunAsync(SubjectKinds.Application, state.CaseId, "Publicity", CancellationToken.None));
}

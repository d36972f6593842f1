using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Review and the case as a whole: workflow actions, line rejections, the step and line outcomes.</summary>
[Binding]
public sealed class CaseSteps(ScenarioState state)
{
    [Given(@"^" + Words.Who + @"(\S+) 执行""(\w+)""$")]
    [When(@"^" + Words.Who + @"(\S+) 执行""(\w+)""$")]
    public async Task Act(string user, string action)
    {
        var comment = action is "Return" or "Reject" ? "规范性审核：材料不全" : "同意";
        await state.PostOk(user, $"/api/applications/{state.CaseId}/actions/{action}", new { comment });
    }

    [When(@"^" + Words.Who + @"(\S+) 执行""(\w+)""被拒绝$")]
    [Then(@"^" + Words.Who + @"(\S+) 执行""(\w+)""被拒绝$")]
    public async Task ActRefused(string user, string action)
    {
        var client = await state.As(user);
        var response = await state.Remember(await client.PostAsJsonAsync($"/api/applications/{state.CaseId}/actions/{action}", new { comment = "办结" }));
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode} {state.LastBody}");
        Assert.Equal("GuardFailed", state.LastJson.GetProperty("code").GetString());
    }

    [When(@"^县级审核人驳回第([\d、]+)条明细，理由为""(.+)""$")]
    public Task RejectLines(string lineNos, string reason) =>
        state.PostOk("reviewer", $"/api/applications/{state.CaseId}/lines/reject", new { lineNos = Words.LineNos(lineNos), reason });

    [Then(@"^案件处于""(.+)""环节$")]
    public async Task ThenStep(string title)
    {
        var detail = await state.Case("reviewer");
        Assert.Equal(title, detail.GetProperty("case").GetProperty("stepTitle").GetString());
    }

    [Then(@"^第([\d、]+)条明细为""([^""]+)""(?:，理由含""(.+)"")?$")]
    public async Task ThenLines(string lineNos, string outcome, string reason)
    {
        var lines = (await state.Case("reviewer")).GetProperty("lines");
        foreach (var no in Words.LineNos(lineNos))
        {
            var line = lines.EnumerateArray().Single(l => l.GetProperty("lineNo").GetInt32() == no);
            Assert.Equal(Words.Outcome(outcome), line.GetProperty("outcome").GetString());
            if (reason.Length > 0) Assert.Contains(reason, line.GetProperty("reasonZh").GetString(), StringComparison.Ordinal);
        }
    }

    [Then(@"^请求被拒绝，状态码(\d+)(?:，错误代码""(\w+)"")?$")]
    public void ThenRefused(int status, string code)
    {
        Assert.True((int)state.LastResponse!.StatusCode == status, $"{(int)state.LastResponse.StatusCode} {state.LastBody}");
        if (code.Length > 0) Assert.Equal(code, state.LastJson.GetProperty("code").GetString());
    }

    [Given(@"^案件已经乡镇和县级审核通过，进入""现场抽查""$")]
    public async Task GivenInSampleCheck()
    {
        await Act("clerk.review", "Approve");
        await Act("reviewer", "Approve");
        await ThenStep("现场抽查");
    }

    [Given(@"^案件已进入""公示""环节$")]
    public async Task GivenInPublicity()
    {
        await GivenInSampleCheck();
        await RecordAllSampled(passed: true);
        await Act("inspector", "Complete");
        await ThenStep("公示");
    }

    /// <summary>Records every still-pending sampled line as the inspector sees it.</summary>
    public async Task RecordAllSampled(bool passed)
    {
        var detail = await state.Case("inspector");
        foreach (var line in detail.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("sampleResult").GetString() == "Pending"))
            await state.PostOk("inspector", $"/api/applications/{state.CaseId}/lines/{line.GetProperty("lineNo").GetInt32()}/sample-result",
                new { passed, note = passed ? "现场核实面积与承包合同一致" : "现场核实不符" });
    }

    /// <summary>The lines of the case as the county reviewer sees them (all of them).</summary>
    public async Task<List<JsonElement>> Lines() => [.. (await state.Case("reviewer")).GetProperty("lines").EnumerateArray()];
}

using System.Net.Http.Json;
using OneCard.Domain.Applications;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>The on-site sample check by the third-party inspector.</summary>
[Binding]
public sealed class SampleCheckSteps(ScenarioState state, CaseSteps cases)
{
    [When(@"^第三方核查员逐条登记抽中明细为核查通过$")]
    [When(@"^核查员登记其余抽中明细核查通过$")]
    public Task RecordAllPassed() => cases.RecordAllSampled(passed: true);

    [When(@"^核查员登记第一条抽中明细核查不符，说明为""(.+)""$")]
    public async Task RecordFirstFailed(string note)
    {
        var detail = await state.Case("inspector");
        state.RememberedLineNo = detail.GetProperty("lines").EnumerateArray().First().GetProperty("lineNo").GetInt32();
        await state.PostOk("inspector", $"/api/applications/{state.CaseId}/lines/{state.RememberedLineNo}/sample-result", new { passed = false, note });
    }

    [Then(@"^该明细为""(.+)""，理由含""(.+)""$")]
    public Task ThenRememberedLine(string outcome, string reason) =>
        cases.ThenLines(state.RememberedLineNo.ToString(System.Globalization.CultureInfo.InvariantCulture), outcome, reason);

    [Then(@"^抽样记录了随机种子，总体为(\d+)条符合条件的明细，抽中(\d+)条$")]
    public async Task ThenDrawRecorded(int population, int sampled)
    {
        var draw = (await state.Case("reviewer")).GetProperty("sampleDraw");
        Assert.Equal(population, draw.GetProperty("populationCount").GetInt32());
        // The plan's rule: a tenth of the eligible lines, rounded up, at least one.
        Assert.Equal(Math.Max(1, (int)Math.Ceiling(population * 0.1m)), sampled);
        Assert.Equal(sampled, draw.GetProperty("sampleCount").GetInt32());
        Assert.Equal(0.1m, draw.GetProperty("share").GetDecimal());
        Assert.Equal(1, draw.GetProperty("minimum").GetInt32());
        Assert.Equal(SampleDraw.AlgorithmName, draw.GetProperty("algorithm").GetString());
        var lines = await cases.Lines();
        Assert.Equal(sampled, lines.Count(l => l.GetProperty("sampled").GetBoolean()));
        Assert.All(lines.Where(l => l.GetProperty("sampled").GetBoolean()), l => Assert.Equal("Eligible", l.GetProperty("outcome").GetString()));
    }

    [Then(@"^按记录的种子重做抽样，得到同样的明细$")]
    public async Task ThenDrawReproducible()
    {
        var detail = await state.Case("reviewer");
        var draw = detail.GetProperty("sampleDraw");
        var lines = detail.GetProperty("lines").EnumerateArray().ToList();
        var eligible = lines.Where(l => l.GetProperty("outcome").GetString() == "Eligible").Select(l => l.GetProperty("lineNo").GetInt32()).ToList();
        var redone = SampleDraw.Draw(eligible, draw.GetProperty("seed").GetInt32(), draw.GetProperty("share").GetDecimal(), draw.GetProperty("minimum").GetInt32());
        var recorded = lines.Where(l => l.GetProperty("sampled").GetBoolean()).Select(l => l.GetProperty("lineNo").GetInt32()).ToList();
        Assert.Equal(redone, recorded);
    }

    [Then(@"^核查员 (\S+) 查看案件时只看到抽中的(\d+)条明细$")]
    public async Task ThenInspectorSeesSampleOnly(string user, int count)
    {
        var detail = await state.Case(user);
        var seen = detail.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(count, seen.Count);
        Assert.All(seen, l => Assert.True(l.GetProperty("sampled").GetBoolean()));
        var sampled = (await cases.Lines()).Where(l => l.GetProperty("sampled").GetBoolean()).Select(l => l.GetProperty("lineNo").GetInt32());
        Assert.Equal(sampled, seen.Select(l => l.GetProperty("lineNo").GetInt32()));
        Assert.Empty(detail.GetProperty("objections").EnumerateArray());
        Assert.Contains("RecordSampleResult", detail.GetProperty("lineActions").EnumerateArray().Select(a => a.GetString()));
    }

    [Then(@"^核查员 (\S+) 不能执行""(\w+)""$")]
    public async Task ThenCannot(string user, string action)
    {
        var detail = await state.Case(user);
        Assert.DoesNotContain(action, detail.GetProperty("permittedActions").EnumerateArray().Select(a => a.GetString()));
        await cases.ActRefused(user, action);
    }

    [Then(@"^公示中不含被驳回的明细$")]
    public async Task ThenPublicityWithoutRejected()
    {
        var notice = await PublicitySteps.Notice(state, "公示");
        var lineNos = notice.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("lineNo").GetInt32()).ToList();
        Assert.DoesNotContain(state.RememberedLineNo, lineNos);
        var eligible = (await cases.Lines()).Where(l => l.GetProperty("outcome").GetString() == "Eligible").Select(l => l.GetProperty("lineNo").GetInt32());
        Assert.Equal(eligible, lineNos);
    }
}

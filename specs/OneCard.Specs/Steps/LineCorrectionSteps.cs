using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Policies;
using OneCard.Persistence;
using OneCard.Rules.RuleSets;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>Correcting lines (更正明细, issue 10 item 1) through <c>PUT /api/applications/{id}/lines/{lineNo}/facts</c>.</summary>
[Binding]
public sealed class LineCorrectionSteps(ScenarioState state)
{
    private const string Arable = "arable-land-protection";

    private static DateTimeOffset Day(string day) => DateTimeOffset.Parse(day + "T09:00:00+08:00", CultureInfo.InvariantCulture);

    [Given(@"^耕地地力保护补贴规则集第(\d+)版已批准，法库县标准改为每亩(\d+)元，自(\d{4}-\d{2}-\d{2})起生效$")]
    public async Task GivenNewerVersionApproved(int version, decimal rate, string effectiveFrom)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", $"{Arable}.v2.json")))!.AsObject();
        json["version"] = version;
        json["tables"]!["rates.byCounty"]!["210124"] = rate;
        var client = await state.As("policy");
        using var response = await client.PostAsync($"/api/rulesets/{Arable}/drafts?effectiveFrom={effectiveFrom}",
            new StringContent(json.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var caseId = JsonDocument.Parse(body).RootElement.GetProperty("caseId").GetGuid();
        await state.PostOk("policy", $"/api/rulesets/{Arable}/{version}/submit", null);
        await state.PostOk("policy2", $"/api/cases/RuleSet/{caseId}/actions/Approve", new { comment = (string?)null });
        await RuleSetStoreWait.ForAsync(state.App, $"{Arable}@{version}", RuleSetStatus.Approved);
    }

    [Given(@"^大孤家子镇经办人 (\S+) 于(\d{4}-\d{2}-\d{2})提交了5户的申报，按规则集""(.+)""计算$")]
    public async Task GivenSubmitted(string clerk, string day, string ruleSet)
    {
        state.AdvanceTo(Day(day));
        var submitted = await state.PostOk(clerk, "/api/applications", new { policyCode = Arable, period = "2026", lines = Claims.FiveLines() });
        state.CaseId = submitted!.Value.GetProperty("id").GetGuid();
        Assert.Equal(ruleSet, submitted.Value.GetProperty("ruleSet").GetString());
    }

    [Given(@"^乡镇审核人 (\S+) 将该申报退回修改$")]
    public Task GivenReturned(string reviewer) =>
        state.PostOk(reviewer, $"/api/applications/{state.CaseId}/actions/Return", new { comment = "请核实第2条的耕地用途" });

    [Given(@"^到了(\d{4}-\d{2}-\d{2})，规则集第(\d+)版已生效$")]
    public void GivenNewerInForce(string day, int version)
    {
        state.AdvanceTo(Day(day));
        // The newer version is the one a submission today would take: the correction below must not use it.
        var inForce = state.App.Services.GetRequiredService<IRuleSets>().EffectiveOn(Arable, DateOnly.Parse(day, CultureInfo.InvariantCulture));
        Assert.Equal(version, inForce?.Version);
    }

    [When(@"^" + Words.Who + @"(\S+) 把第(\d+)条明细的""(.+)""更正为""(.*)""$")]
    public async Task WhenCorrects(string clerk, int lineNo, string label, string value) =>
        await state.Remember(await (await state.As(clerk)).PutAsJsonAsync($"/api/applications/{state.CaseId}/lines/{lineNo}/facts",
            new { facts = new Dictionary<string, string> { [label] = value } }));

    [Then(@"^第(\d+)条明细的金额为([\d.]+)元，按规则集""(.+)""计算$")]
    public async Task ThenAmount(int lineNo, decimal amount, string ruleSet)
    {
        Assert.True(state.LastResponse!.IsSuccessStatusCode, state.LastBody);
        var line = (await state.Case("reviewer")).GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("lineNo").GetInt32() == lineNo);
        Assert.Equal((amount, ruleSet), (line.GetProperty("amount").GetDecimal(), line.GetProperty("ruleSetKey").GetString()));
    }

    [Then(@"^申报的拟发金额为([\d.]+)元，符合条件(\d+)户$")]
    public async Task ThenTotals(decimal payable, int eligible)
    {
        var c = (await state.Case("reviewer")).GetProperty("case");
        Assert.Equal((payable, eligible), (c.GetProperty("payableAmount").GetDecimal(), c.GetProperty("eligibleCount").GetInt32()));
    }

    private Task<List<Domain.Audit.AuditEntry>> CorrectionEntriesAsync() => state.App.AsSystemAsync(sp =>
        sp.GetRequiredService<OneCardDbContext>().AuditLog.AsNoTracking().Where(a => a.Action == "ClaimLineCorrected").OrderBy(a => a.Seq).ToListAsync());

    [Then(@"^审计日志记有 (\S+) 对第(\d+)条明细的更正：""(.+)""由""(.*)""改为""(.*)""，结果由""(\w+)""改为""(\w+)""$")]
    public async Task ThenAudited(string clerk, int lineNo, string label, string before, string after, string outcomeBefore, string outcomeAfter)
    {
        var entry = Assert.Single(await CorrectionEntriesAsync());
        var userId = await state.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Users.Where(u => u.UserName == clerk).Select(u => u.Id).SingleAsync());
        Assert.Equal(userId, entry.ActorId);
        using var data = JsonDocument.Parse(entry.DataJson);
        var root = data.RootElement;
        Assert.Equal(lineNo, root.GetProperty("line").GetInt32());
        var fact = Assert.Single(root.GetProperty("facts").EnumerateArray().ToList());
        Assert.Equal((label, before, after), (fact.GetProperty("label").GetString(), fact.GetProperty("before").GetString(), fact.GetProperty("after").GetString()));
        Assert.Equal((outcomeBefore, outcomeAfter), (root.GetProperty("before").GetProperty("outcome").GetString(), root.GetProperty("after").GetProperty("outcome").GetString()));
    }

    [Then(@"^该审计记录中姓名和身份证号已脱敏$")]
    public async Task ThenMasked()
    {
        var entry = Assert.Single(await CorrectionEntriesAsync());
        using var data = JsonDocument.Parse(entry.DataJson);
        Assert.Equal("李*", data.RootElement.GetProperty("name").GetString());
        Assert.Matches(@"^21\*{13}\w{3}$", data.RootElement.GetProperty("idNumber").GetString());
        Assert.DoesNotContain("李四", entry.DataJson, StringComparison.Ordinal);
        Assert.DoesNotContain(Claims.Id("21012419750505123"), entry.DataJson, StringComparison.Ordinal);
    }

    [Then(@"^错误指出第(\d+)条的""(.+)""$")]
    public void ThenLocated(int row, string field) =>
        Assert.Contains(state.LastJson.GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("row").GetInt32() == row && e.GetProperty("field").GetString() == field);

    [Then(@"^审计日志中没有明细更正记录$")]
    public async Task ThenNoCorrection()
    {
        Assert.Empty(await CorrectionEntriesAsync());
        Assert.Equal(0, await state.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().LineCorrections.CountAsync()));
    }
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Persistence;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>The impact run as evidence on a rule set's approval (issue 7, item 6), through the rule store's API and the case engine.</summary>
[Binding]
public sealed class ImpactEvidenceSteps(ScenarioState state)
{
    private const string Arable = "arable-land-protection";
    private int version;
    private Guid runId;

    [Given(@"^政策管理员 (\S+) 起草耕地地力保护补贴规则集第(\d+)版，法库县标准改为每亩(\d+)元，自(\d{4}-\d{2}-\d{2})起生效，暂不提交$")]
    public async Task GivenDraft(string officer, int draftVersion, decimal rate, string effectiveFrom)
    {
        version = draftVersion;
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", $"{Arable}.v2.json")))!.AsObject();
        json["version"] = draftVersion;
        json["tables"]!["rates.byCounty"]!["210124"] = rate;
        using var response = await (await state.As(officer)).PostAsync($"/api/rulesets/{Arable}/drafts?effectiveFrom={effectiveFrom}",
            new StringContent(json.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        state.CaseId = JsonDocument.Parse(body).RootElement.GetProperty("caseId").GetGuid();
    }

    [Given(@"^政策管理员 (\S+) 对该规则修改草稿运行已存明细测算，期次""(.+)""$")]
    public async Task GivenImpactRun(string officer, string period) =>
        runId = (await state.PostOk(officer, $"/api/rulesets/{Arable}/{version}/impact", new { period }))!.Value.GetProperty("id").GetGuid();

    [When(@"^政策管理员 (\S+) 提交该规则修改草稿$")]
    public async Task WhenSubmits(string officer) =>
        await state.Remember(await (await state.As(officer)).PostAsync($"/api/rulesets/{Arable}/{version}/submit", null));

    [Then(@"^该规则修改草稿仍未提交$")]
    public async Task ThenStillDraft() =>
        Assert.Equal("草稿", (await state.GetJson("policy", $"/api/rulesets/{Arable}/{version}")).GetProperty("version").GetProperty("statusZh").GetString());

    [Then(@"^政策管理员 (\S+) 看到该规则修改的审批依据是这次测算，由 (\S+) 运行$")]
    public async Task ThenEvidence(string reviewer, string officer)
    {
        Assert.True(state.LastResponse!.IsSuccessStatusCode, state.LastBody);
        var run = Assert.Single((await state.GetJson(reviewer, $"/api/rulesets/{Arable}/{version}")).GetProperty("evidence").GetProperty("runs").EnumerateArray());
        Assert.Equal((runId, "u-" + officer, "Stored"), (run.GetProperty("id").GetGuid(), run.GetProperty("runBy").GetString(), run.GetProperty("source").GetString()));
    }

    [Then(@"^批准的审计记录写明这次测算的编号$")]
    public async Task ThenApprovalAuditNamesRun()
    {
        var data = await state.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog
            .Where(e => e.EntityId == state.CaseId.ToString() && e.Action == "RuleSetApproved").Select(e => e.DataJson).SingleAsync());
        Assert.Equal([runId], JsonDocument.Parse(data).RootElement.GetProperty("evidence").GetProperty("runs").EnumerateArray().Select(r => r.GetGuid()));
    }
}

using System.Net.Http.Json;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Policies;
using OneCard.Host.RuleSets;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>Rule set changes (规则修改) through the rule store's API and the case engine's generic actions.</summary>
[Binding]
public sealed class RuleSetSteps(ScenarioState state)
{
    private const string Arable = "arable-land-protection";
    private int version;

    [Given(@"^政策管理员 (\S+) 起草耕地地力保护补贴规则集第(\d+)版，法库县标准改为每亩(\d+)元，自(\d{4}-\d{2}-\d{2})起生效，并提交审核$")]
    public async Task GivenDraftSubmitted(string officer, int draftVersion, decimal rate, string effectiveFrom)
    {
        version = draftVersion;
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", $"{Arable}.v2.json")))!.AsObject();
        json["version"] = draftVersion;
        json["tables"]!["rates.byCounty"]!["210124"] = rate;
        var client = await state.As(officer);
        using var response = await client.PostAsync($"/api/rulesets/{Arable}/drafts?effectiveFrom={effectiveFrom}",
            new StringContent(json.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        state.CaseId = JsonDocument.Parse(body).RootElement.GetProperty("caseId").GetGuid();
        await state.PostOk(officer, $"/api/rulesets/{Arable}/{draftVersion}/submit", null);
    }

    [Then(@"^政策管理员 (\S+) 对该规则修改没有可办理的操作$")]
    public async Task ThenNoActions(string officer) =>
        Assert.Empty((await state.GetJson(officer, $"/api/rulesets/{Arable}/{version}")).GetProperty("permittedActions").EnumerateArray());

    [Then(@"^政策管理员 (\S+) 对该规则修改可以执行""(.+)""$")]
    public async Task ThenActions(string officer, string actions) =>
        Assert.Equal(actions.Split('、'), (await state.GetJson(officer, $"/api/rulesets/{Arable}/{version}"))
            .GetProperty("permittedActions").EnumerateArray().Select(a => a.GetString()));

    [When(@"^政策管理员 (\S+) 尝试批准该规则修改$")]
    public async Task WhenTriesToApprove(string officer) =>
        await state.Remember(await (await state.As(officer)).PostAsJsonAsync($"/api/cases/RuleSet/{state.CaseId}/actions/Approve", new { comment = (string?)null }));

    [When(@"^政策管理员 (\S+) 批准该规则修改$")]
    public async Task WhenApproves(string officer) =>
        await state.PostOk(officer, $"/api/cases/RuleSet/{state.CaseId}/actions/Approve", new { comment = (string?)null });

    [Then(@"^该规则修改的状态为""(.+)""$")]
    public async Task ThenStatus(string statusZh) =>
        Assert.Equal(statusZh, (await state.GetJson("policy", $"/api/rulesets/{Arable}/{version}")).GetProperty("version").GetProperty("statusZh").GetString());

    [Then(@"^新申报在(\d{4}-\d{2}-\d{2})按第(\d+)版计算，在(\d{4}-\d{2}-\d{2})按第(\d+)版计算$")]
    public async Task ThenVersionsByDate(string firstDay, int firstVersion, string secondDay, int secondVersion)
    {
        // The approving host reads the approval back by itself (no restart); wait for it, bounded.
        await RuleSetStoreWait.ForAsync(state.App, $"{Arable}@{version}", RuleSetStatus.Approved);
        foreach (var (day, expected) in new[] { (firstDay, firstVersion), (secondDay, secondVersion) })
        {
            state.AdvanceTo(DateTimeOffset.Parse(day + "T09:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture));
            var submitted = await state.PostOk("clerk", "/api/applications", new { policyCode = Arable, period = "2026", lines = Claims.FiveLines() });
            Assert.Equal($"{Arable}@{expected}", submitted!.Value.GetProperty("ruleSet").GetString());
        }
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using OneCard.Host.RuleSets;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>
/// A rule set edited as the form editor (<c>/rulesets/{policy}/edit</c>) edits it: the latest stored version read into a
/// <see cref="RuleSetForm"/>, fields changed, the form written back to JSON and saved as a new draft through the drafts API —
/// the same <see cref="RuleSetAdmin.Handler.DraftAsync"/> the editor's save button calls, with its located Chinese errors.
/// </summary>
public sealed class RuleSetFormDraft(ScenarioState state)
{
    public const string Elderly = "elderly-longevity-allowance";

    public string Policy { get; private set; } = "";
    public string Officer { get; private set; } = "";
    public RuleSetForm Form { get; private set; } = null!;
    public string EffectiveFrom { get; set; } = "";
    public int Version { get; private set; }
    public Guid CaseId { get; private set; }

    /// <summary>The last refusal's located errors (path, Chinese message), empty after a successful save.</summary>
    public IReadOnlyList<(string Path, string Message)> Errors { get; private set; } = [];

    /// <summary>The last refusal's status code (0 after a successful save).</summary>
    public int RefusedWith { get; private set; }

    /// <summary>Opens the editor on <paramref name="from"/> (the latest version when null), numbered as the editor numbers it: highest + 1.</summary>
    public async Task OpenAsync(string officer, string policy, int? from)
    {
        Officer = officer;
        Policy = policy;
        var versions = await VersionsAsync(officer, policy);
        var basis = from ?? versions.Max();
        Assert.Contains(basis, versions);
        var detail = await state.GetJson(officer, $"/api/rulesets/{policy}/{basis}");
        Form = RuleSetForm.Read(detail.GetProperty("json").GetString()!);
        Version = versions.Max() + 1;
        Form.Version = Version.ToString(CultureInfo.InvariantCulture);
        EffectiveFrom = WorkingDay(state.App.Clock.GetUtcNow()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>Saves the form: 201 keeps the draft's approval case; 422 keeps the located errors.</summary>
    public async Task SaveAsync()
    {
        var client = await state.As(Officer);
        using var content = new StringContent(Form.ToJson(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync($"/api/rulesets/{Policy}/drafts?effectiveFrom={EffectiveFrom}", content);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.Created)
        {
            var drafted = JsonDocument.Parse(body).RootElement;
            Assert.Equal($"{Policy}@{Version}", drafted.GetProperty("versionKey").GetString());
            CaseId = drafted.GetProperty("caseId").GetGuid();
            state.CaseId = CaseId; // for the generic approval steps ("该规则修改")
            Errors = [];
            RefusedWith = 0;
            return;
        }
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"save: {(int)response.StatusCode} {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(OneCard.Rules.RuleSets.RuleSetException.ErrorCode, problem.GetProperty("code").GetString());
        Assert.StartsWith("规则集有", problem.GetProperty("title").GetString());
        Errors = [.. problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("path").GetString()!, e.GetProperty("message").GetString()!))];
        Assert.NotEmpty(Errors);
        RefusedWith = (int)response.StatusCode;
    }

    /// <summary>The policy's stored version numbers, highest first, as the rule set list shows them.</summary>
    public async Task<List<int>> VersionsAsync(string user, string policy)
    {
        var list = await state.GetJson(user, "/api/rulesets");
        var entry = list.EnumerateArray().Single(p => p.GetProperty("policyCode").GetString() == policy);
        return [.. entry.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32())];
    }

    public static DateOnly WorkingDay(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(TimeSpan.FromHours(8)).DateTime);
}

/// <summary>Steps of the form editor shared by the rule set features: save, the refusal, the version list.</summary>
[Binding]
public sealed class RuleSetFormSteps(RuleSetFormDraft draft)
{
    [When(@"^保存$")]
    public Task WhenSaved() => draft.SaveAsync();

    [Then(@"^高龄津贴规则集的版本仍为""([\d、]+)""$")]
    [Then(@"^高龄津贴规则集的版本为""([\d、]+)""$")]
    public async Task ThenVersions(string versions) =>
        Assert.Equal(Words.LineNos(versions), await draft.VersionsAsync("policy", RuleSetFormDraft.Elderly));
}

using System.Text.RegularExpressions;
using OneCard.Host.RuleSets;

namespace OneCard.Specs.Steps;

/// <summary>
/// 规则表达式安全: hostile expressions typed into the form editor's raw expression field, saved through the editor's own save path
/// (form → JSON → drafts handler), refused by the allow-list gate with the located Chinese reason, and nothing stored.
/// </summary>
[Binding]
public sealed partial class ExpressionSafetySteps(RuleSetFormDraft draft)
{
    private readonly Dictionary<string, string> originals = new(StringComparer.Ordinal);

    [When(@"^政策管理员 (\S+) 打开高龄津贴规则集的表单，(.+)后保存$")]
    public async Task WhenTypedAndSaved(string officer, string edits)
    {
        await draft.OpenAsync(officer, RuleSetFormDraft.Elderly, from: null);
        var matches = Edit().Matches(edits);
        Assert.NotEmpty(matches);
        Assert.Equal(edits, string.Join("，", matches.Select(m => m.Value)));
        foreach (Match m in matches)
        {
            if (!m.Groups[1].Success)
            {
                // The amount formula's expression field.
                draft.Form.Amount.Expression = m.Groups[2].Value;
                continue;
            }
            var rule = draft.Form.Rules.Single(r => r.Name == m.Groups[1].Value);
            originals.TryAdd(rule.Name, rule.ExpressionFor(draft.Form.TypeOf(rule.Fact)));
            // The expert's raw expression field, as the editor's "表达式" switch shows it.
            rule.ToRaw(draft.Form.TypeOf(rule.Fact));
            rule.Raw = m.Groups[2].Value;
        }
        await draft.SaveAsync();
    }

    [When(@"^政策管理员 (\S+) 把这两条规则的表达式改回原样后保存$")]
    public async Task WhenRestored(string officer)
    {
        Assert.Equal(officer, draft.Officer);
        Assert.Equal(2, originals.Count);
        foreach (var (name, expression) in originals) draft.Form.Rules.Single(r => r.Name == name).Raw = expression;
        await draft.SaveAsync();
        Assert.Equal(0, draft.RefusedWith);
    }

    [Then(@"^保存被拒绝，错误位置为""(.+)""，原因包含""(.+)""$")]
    public void ThenRefusedAt(string path, string reason)
    {
        Assert.Equal(422, draft.RefusedWith);
        var (at, message) = Assert.Single(draft.Errors);
        Assert.Equal(path, at);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }

    [Then(@"^保存被拒绝，错误为：$")]
    public void ThenRefused(Table expected)
    {
        Assert.Equal(422, draft.RefusedWith);
        Assert.Equal(expected.Rows.Select(r => r["位置"]), draft.Errors.Select(e => e.Path));
        foreach (var (row, (_, message)) in expected.Rows.Zip(draft.Errors)) Assert.Contains(row["原因"], message, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"把(?:资格规则""(\w+)""|金额公式)的表达式改为`([^`]+)`")]
    private static partial Regex Edit();
}

using OneCard.Host.Applications;
using OneCard.Rules.RuleSets;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>Issue 7 item 4: roster import parses every declared fact type with the one parser (FactValues) and locates
/// each refusal by row and column label. No database: the validator needs only the region codes.</summary>
public sealed class ClaimInputFactTypesTests
{
    private const string Township = "210124101";

    private static readonly RuleSet RuleSet = RuleSetLoader.Load("""
        {
          "policyCode": "test-fact-types", "version": 1, "name": { "zh-CN": "测试", "en": "Test" }, "year": 2026, "basis": "test",
          "facts": [
            { "name": "IdNumber", "type": "string", "maxLength": 18, "personal": true },
            { "name": "RegionCode", "type": "string", "maxLength": 12 },
            { "name": "AsOf", "type": "date" },
            { "name": "ResidentSince", "type": "date", "labelZh": "落户日期" },
            { "name": "Members", "type": "int", "labelZh": "家庭人口", "minimum": 1, "maximum": 20 },
            { "name": "Grade", "type": "string", "labelZh": "残疾等级", "maxLength": 2 },
            { "name": "Severe", "type": "bool", "labelZh": "是否重度" },
            { "name": "Months", "type": "int", "compute": "Fn.MonthsBetween(ResidentSince, AsOf)" }
          ],
          "eligibility": [ { "name": "Resident", "expression": "Months >= 12", "messageZh": "落户不满一年", "messageEn": "under a year" } ],
          "amount": { "expression": "Members * 10m", "rounding": "HalfAwayFromZero", "decimals": 2, "ceiling": 1000 }
        }
        """, "fact-types.json");

    private static (IReadOnlyList<ValidClaim> Valid, LineErrors Errors) Validate(Dictionary<string, string?> facts)
    {
        var input = new ClaimInput(2, "张三", Claims.Id("21012419800101123"), Township, Claims.Account, "邮储银行", facts);
        var errors = new LineErrors();
        var (valid, _) = new ClaimValidator(new HashSet<string> { Township }, new DateOnly(2026, 6, 30)).Validate([input], RuleSet, Township, errors);
        return (valid, errors);
    }

    [Fact]
    public void Import_ParsesDateIntStringAndBoolFacts_ByLabelOrName()
    {
        var (valid, errors) = Validate(new() { ["落户日期"] = "2020/1/5", ["家庭人口"] = "３", ["Grade"] = " 1 ", ["是否重度"] = "是" });

        Assert.Empty(errors);
        var facts = Assert.Single(valid).Facts;
        Assert.Equal(new DateOnly(2020, 1, 5), facts["ResidentSince"]);
        Assert.Equal(3, facts["Members"]);
        Assert.Equal("1", facts["Grade"]);
        Assert.Equal(true, facts["Severe"]);
        Assert.False(facts.ContainsKey("Months")); // computed, never a roster column
    }

    [Fact]
    public void Import_LocatesEachRefusal_ByRowAndLabel_WithTheParsersCodes()
    {
        var (valid, errors) = Validate(new() { ["落户日期"] = "2020年1月5日", ["家庭人口"] = "2.5", ["残疾等级"] = "一级残疾", ["是否重度"] = "也许" });

        Assert.Empty(valid);
        Assert.Equal(
            [("落户日期", "FactNotDate"), ("家庭人口", "FactNotNumber"), ("残疾等级", "FactTooLong"), ("是否重度", "FactNotYesNo")],
            errors.Select(e => (e.Field, e.Code)));
        Assert.All(errors, e => Assert.Equal(2, e.Row));
        Assert.Contains("落户日期“2020年1月5日”不是有效日期", errors[0].MessageZh, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_AppliesTheDeclaredBoundsOfAnIntFact()
    {
        var (_, errors) = Validate(new() { ["落户日期"] = "2020-01-05", ["家庭人口"] = "0", ["残疾等级"] = "1", ["是否重度"] = "否" });

        var error = Assert.Single(errors);
        Assert.Equal(("家庭人口", "FactBelowMinimum"), (error.Field, error.Code));
        Assert.Equal("家庭人口不能小于1（实为0）", error.MessageZh);
    }

    [Fact]
    public void Headers_AskForSuppliedFactsOnly_NotComputedOnes()
    {
        var errors = new LineErrors();

        ClaimValidator.CheckHeaders(["姓名", "身份证号", "地区代码", "银行账号"], RuleSet, errors, null);

        Assert.Equal(["落户日期", "家庭人口", "残疾等级", "是否重度"], errors.Select(e => e.Field));
    }
}

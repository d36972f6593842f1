using System.Security.Cryptography;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.RuleSets;

public class RuleSetLoadingTests
{
    [Fact]
    public void LoadFromDirectory_LoadsEveryShippedRuleSet()
    {
        var catalog = RuleSetCatalog.LoadFromDirectory(TestData.RulesDirectory);

        var files = Directory.GetFiles(TestData.RulesDirectory, "*.json");
        Assert.NotEmpty(files);
        Assert.Equal(files.Length, catalog.All.Count);
    }

    [Fact]
    public void ArableLandRuleSet_ExposesItsIdentityAndHash()
    {
        var catalog = RuleSetCatalog.LoadFromDirectory(TestData.RulesDirectory);
        var ruleSet = catalog.Get("arable-land-protection", 2);
        var path = Path.Combine(TestData.RulesDirectory, "arable-land-protection.v2.json");

        Assert.Equal("arable-land-protection@2", ruleSet.VersionKey);
        Assert.Equal("耕地地力保护补贴", ruleSet.Name.Zh);
        Assert.Equal(2026, ruleSet.Year);
        Assert.Same(ruleSet, catalog.Latest("arable-land-protection"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), ruleSet.Sha256);
        Assert.Equal(["IdNumber", "RegionCode", "AreaMu", "LandConverted", "AsOf", "RatePerMu"], ruleSet.Facts.Select(f => f.Name));
        Assert.Equal(89.83m, ruleSet.Tables["rates.byCounty"]["210114"]);
        Assert.Equal(107.67m, ruleSet.Tables["rates.byCounty"]["210102"]);
        var area = ruleSet.Facts.Single(f => f.Name == "AreaMu");
        Assert.Equal("承包面积（亩）", area.LabelZh);
        Assert.Equal(0m, area.Minimum);
    }

    [Fact]
    public void Get_Throws_WhenVersionIsUnknown()
    {
        var catalog = RuleSetCatalog.LoadFromDirectory(TestData.RulesDirectory);

        Assert.Throws<KeyNotFoundException>(() => catalog.Get("arable-land-protection", 99));
        Assert.Null(catalog.TryGet("no-such-policy", 1));
    }

    [Fact]
    public void Validate_LocatesForbiddenMethod_ByRuleIndex()
    {
        var errors = RuleSetLoader.Validate(File.ReadAllText(TestData.Fixture("forbidden-method.json")), "forbidden-method.json");

        var error = Assert.Single(errors);
        Assert.Equal("eligibility[2].expression", error.Path);
        Assert.Equal("forbidden-method.json", error.Source);
        Assert.Contains("不允许调用方法 String.PadLeft", error.MessageZh);
        Assert.Contains("PadLeft", error.MessageEn);
    }

    [Fact]
    public void Validate_CollectsEveryMissingOrUnknownField()
    {
        var errors = RuleSetLoader.Validate(File.ReadAllText(TestData.Fixture("missing-and-unknown-fields.json")), "f.json");
        var paths = errors.Select(e => e.Path).ToList();

        Assert.Contains("actions", paths);
        Assert.Contains("basis", paths);
        Assert.Contains("facts[1].type", paths);
        Assert.Contains("eligibility[0].messageZh", paths);
        Assert.Contains("amount.rounding", paths);
        Assert.Contains(errors, e => e.Path == "actions" && e.MessageZh.Contains("未知字段"));
        Assert.Contains(errors, e => e.Path == "facts[1].type" && e.MessageZh.Contains("未知的事实类型 money"));
    }

    [Fact]
    public void Validate_LocatesTableProblems()
    {
        var errors = RuleSetLoader.Validate(File.ReadAllText(TestData.Fixture("bad-table.json")), "t.json");

        Assert.Contains(errors, e => e.Path == "tables['rates.byCounty']['2101']" && e.MessageZh.Contains("6 位数字"));
        Assert.Contains(errors, e => e.Path == "tables['rates.byCounty']['210124']" && e.MessageZh.Contains("Decimal"));
        Assert.Contains(errors, e => e.Path == "tables['rates.unused']" && e.MessageZh.Contains("未被任何事实引用"));
        Assert.Contains(errors, e => e.Path == "tables" && e.MessageZh.Contains("rates.bonus"));
    }

    [Fact]
    public void Validate_ReportsMalformedJson_WithLine()
    {
        var error = Assert.Single(RuleSetLoader.Validate(File.ReadAllText(TestData.Fixture("malformed.json")), "m.json"));

        Assert.Equal("$", error.Path);
        Assert.Contains("JSON 格式错误（第 4 行", error.MessageZh);
    }

    [Fact]
    public void Validate_RefusesFactNameThatATypeWouldShadow()
    {
        var errors = RuleSetLoader.Validate(File.ReadAllText(TestData.Fixture("reserved-fact-name.json")), "r.json");

        var error = Assert.Single(errors);
        Assert.Equal("facts[0].name", error.Path);
        Assert.Contains("保留名称", error.MessageZh);
    }

    [Fact]
    public void Validate_RefusesExpressionsOfTheWrongType()
    {
        var errors = RuleSetLoader.Validate(File.ReadAllText(TestData.Fixture("amount-not-decimal.json")), "a.json");

        Assert.Equal(["eligibility[0].expression", "amount.expression"], errors.Select(e => e.Path));
        Assert.All(errors, e => Assert.Contains("无法解析", e.MessageZh));
    }

    [Fact]
    public void Load_ThrowsAllErrorsTogether_WithStableCode()
    {
        var json = File.ReadAllText(TestData.Fixture("missing-and-unknown-fields.json"));

        var ex = Assert.Throws<RuleSetException>(() => RuleSetLoader.Load(json, "f.json"));

        Assert.Equal("RuleSetInvalid", ex.Code);
        Assert.True(ex.Errors.Count >= 5);
    }

    [Fact]
    public void LoadFromDirectory_RefusesFileNamedAfterAnotherVersion()
    {
        var dir = Directory.CreateTempSubdirectory("onecard-rules-");
        try
        {
            File.Copy(Path.Combine(TestData.RulesDirectory, "arable-land-protection.v1.json"), Path.Combine(dir.FullName, "arable-land-protection.v2.json"));

            var ex = Assert.Throws<RuleSetException>(() => RuleSetCatalog.LoadFromDirectory(dir.FullName));

            Assert.Contains(ex.Errors, e => e.MessageZh.Contains("文件名应为 arable-land-protection.v1.json"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("arable-land-protection.v1.json")]
    [InlineData("arable-land-protection.v2.json")]
    public void Validate_AcceptsTheShippedFile(string file)
    {
        var path = Path.Combine(TestData.RulesDirectory, file);

        Assert.Empty(RuleSetLoader.Validate(File.ReadAllText(path), path));
    }
}

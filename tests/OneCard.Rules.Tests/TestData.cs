using System.Text.Json;
using OneCard.Domain.Identity;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests;

/// <summary>Shared inputs: the shipped rule sets, fixtures, valid ID numbers and claim lines.</summary>
internal static class TestData
{
    public static readonly DateOnly AsOf = new(2026, 3, 1);

    public static string RulesDirectory => Path.Combine(AppContext.BaseDirectory, "rules");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static readonly Lazy<RuleSetCatalog> Shipped = new(() => RuleSetCatalog.LoadFromDirectory(RulesDirectory));

    /// <summary>The version new cases start under (the latest).</summary>
    public static RuleSet ArableLand => Shipped.Value.Latest("arable-land-protection");

    /// <summary>The first published version, without bounds; cases pinned to it still evaluate under it.</summary>
    public static RuleSet ArableLandV1 => Shipped.Value.Get("arable-land-protection", 1);

    /// <summary>A valid 18-character ID number: area code, birth date, sequence, correct check character.</summary>
    public static string ValidId(string area = "210114", string birth = "19700101", string sequence = "123")
    {
        var first17 = area + birth + sequence;
        return first17 + IdNumber.CheckCharacter(first17);
    }

    public static Dictionary<string, object?> Line(
        string? idNumber = null,
        string regionCode = "210114001",
        decimal areaMu = 12.5m,
        bool landConverted = false) => new()
        {
            ["IdNumber"] = idNumber ?? ValidId(),
            ["RegionCode"] = regionCode,
            ["AreaMu"] = areaMu,
            ["LandConverted"] = landConverted,
            ["AsOf"] = AsOf,
        };

    /// <summary>A minimal valid rule set over the arable-land facts with the given eligibility expressions.</summary>
    public static string RuleSetJson(string policyCode = "test-policy", string amount = "AreaMu * RatePerMu", params string[] expressions) =>
        RuleSetJson(policyCode, amount, ceiling: null, expressions);

    /// <summary>As above, with an amount ceiling (yuan) when given.</summary>
    public static string RuleSetJson(string policyCode, string amount, decimal? ceiling, string[] expressions)
    {
        var rules = expressions.Select((e, i) => new { name = $"Rule{i}", expression = e, messageZh = "不符合", messageEn = "not met" });
        return JsonSerializer.Serialize(new
        {
            policyCode,
            version = 1,
            name = new Dictionary<string, string> { ["zh-CN"] = "测试", ["en"] = "Test" },
            year = 2026,
            basis = "test",
            facts = new object[]
            {
                new { name = "IdNumber", type = "string" },
                new { name = "RegionCode", type = "string" },
                new { name = "AreaMu", type = "decimal" },
                new { name = "LandConverted", type = "bool" },
                new { name = "AsOf", type = "date" },
                new { name = "RatePerMu", type = "decimal", from = "rates.byCounty" },
            },
            tables = new Dictionary<string, Dictionary<string, decimal>> { ["rates.byCounty"] = new() { ["210114"] = 89.83m } },
            eligibility = rules,
            amount = ceiling is null
                ? (object)new { expression = amount, rounding = "HalfAwayFromZero", decimals = 2 }
                : new { expression = amount, rounding = "HalfAwayFromZero", decimals = 2, ceiling },
        });
    }
}

using System.Text.Json.Nodes;
using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.RuleSets;

/// <summary>The rule language additions: computed facts, multi-key lookups, floor tiers, Fn.MonthsBetween/InRegion,
/// the conditional operator, and their located load errors.</summary>
public class RuleLanguageTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);
    private readonly RuleEvaluator _evaluator = new(new RuleEvaluatorOptions { TimeBudgetPerLine = TimeSpan.FromSeconds(30) });

    private static string FixtureText => File.ReadAllText(TestData.Fixture("tiers-and-computed.json"));

    private static RuleSet Tiers => RuleSetLoader.Load(FixtureText, "tiers-and-computed.json");

    private static JsonObject Fixture() => JsonNode.Parse(FixtureText)!.AsObject();

    private static IReadOnlyList<RuleSetValidationError> Validate(JsonObject json) => RuleSetLoader.Validate(json.ToJsonString(), "edited.json");

    private static Dictionary<string, object?> Line(string birth, string region = "210114001", DateOnly? residentSince = null) => new()
    {
        ["IdNumber"] = TestData.ValidId("210114", birth),
        ["RegionCode"] = region,
        ["AsOf"] = AsOf,
        ["ResidentSince"] = residentSince ?? new DateOnly(2000, 1, 1),
    };

    private (ClaimEvaluation Engine, ClaimEvaluation Compiled) Both(RuleSet ruleSet, Dictionary<string, object?> line)
    {
        var engine = _evaluator.Evaluate(ruleSet, line);
        var compiled = Assert.Single(_evaluator.EvaluateMany(ruleSet, [line]));
        return (engine, compiled);
    }

    [Theory]
    [InlineData("19460630", 100)] // 80 on 2026-06-30 → the 80 tier
    [InlineData("19370630", 100)] // 89 → still the 80 tier
    [InlineData("19360630", 200)] // 90 → the 90 tier
    [InlineData("19260630", 500)] // 100 → the top tier
    [InlineData("19160101", 500)] // 110: above the top tier stays in it
    public void FloorTier_PicksTheLargestTierAtOrBelowTheAge_OnBothPaths(string birth, decimal tier)
    {
        var (engine, compiled) = Both(Tiers, Line(birth));

        foreach (var result in new[] { engine, compiled })
        {
            Assert.Equal(EvaluationOutcome.Eligible, result.Outcome);
            Assert.Equal(tier + 10m, result.Amount); // tier + the county's 2026 top-up
        }
    }

    [Fact]
    public void ComputedFact_BelowEveryEligibleTier_IsIneligibleNotFaulted_BecauseOfTheZeroTier()
    {
        var (engine, compiled) = Both(Tiers, Line("19500101"));

        foreach (var result in new[] { engine, compiled })
        {
            Assert.Equal(EvaluationOutcome.Ineligible, result.Outcome);
            Assert.Equal(["AtLeast80"], result.FailedRules.Select(r => r.RuleName));
        }
    }

    [Fact]
    public void ConditionalOperator_InAComputedFact_GuardsAnInvalidIdNumber()
    {
        var line = Line("19460101");
        line["IdNumber"] = "210114194601011230"; // wrong check character: Fn.Age would throw; the ?: gives -1

        var (engine, compiled) = Both(Tiers, line);

        foreach (var result in new[] { engine, compiled })
        {
            Assert.Equal(EvaluationOutcome.Ineligible, result.Outcome);
            Assert.Equal(["ValidIdNumber", "AtLeast80"], result.FailedRules.Select(r => r.RuleName));
        }
    }

    [Fact]
    public void ComputedFact_ThatThrows_FaultsTheLine_OnBothPaths()
    {
        var json = Fixture();
        json["facts"]![4]!["compute"] = "Fn.Age(IdNumber, AsOf)";
        json.Remove("examples");
        var ruleSet = RuleSetLoader.Load(json.ToJsonString(), "throws.json");
        var line = Line("19460101");
        line["IdNumber"] = "210114194601011230";

        var (engine, compiled) = Both(ruleSet, line);

        foreach (var result in new[] { engine, compiled })
        {
            Assert.Equal(EvaluationOutcome.Faulted, result.Outcome);
            Assert.Equal(FaultCodes.ComputeError, result.FaultCode);
            Assert.Contains("计算事实 Age 出错", result.Fault);
        }
    }

    [Fact]
    public void MultiKeyLookup_JoinsKeyFactsWithBar_AndFaultsWhenTheCombinationIsMissing()
    {
        var ruleSet = Tiers;
        var earlier = Line("19460101");
        earlier["AsOf"] = new DateOnly(2025, 6, 30); // 79 then; use 1945 for 80
        earlier["IdNumber"] = TestData.ValidId("210114", "19450101");
        var missingCounty = Line("19460101", region: "210102001");

        var (engine2025, compiled2025) = Both(ruleSet, earlier);
        var (engineMissing, compiledMissing) = Both(ruleSet, missingCounty);

        Assert.Equal(105m, engine2025.Amount); // 100 + the 2025 top-up 5
        Assert.Equal(105m, compiled2025.Amount);
        foreach (var result in new[] { engineMissing, compiledMissing })
        {
            Assert.Equal(EvaluationOutcome.Faulted, result.Outcome);
            Assert.Equal(FaultCodes.TableEntryMissing, result.FaultCode);
            Assert.Contains("County|Year “210102|2026” 对应的 TopUp", result.Fault);
        }
    }

    [Fact]
    public void FloorTier_WithNoTierAtOrBelowTheValue_FaultsTheLine()
    {
        var json = Fixture();
        json["tables"]!["tiers.byAge"]!.AsObject().Remove("-1");
        json.Remove("examples");
        var ruleSet = RuleSetLoader.Load(json.ToJsonString(), "no-zero-tier.json");

        var (engine, compiled) = Both(ruleSet, Line("19500101"));

        foreach (var result in new[] { engine, compiled })
        {
            Assert.Equal(EvaluationOutcome.Faulted, result.Outcome);
            Assert.Equal(FaultCodes.TableEntryMissing, result.FaultCode);
            Assert.Contains("没有不大于 76 的档位", result.Fault);
        }
    }

    [Fact]
    public void EvaluateAndEvaluateMany_AgreeLineByLine_OverComputedFactsAndTiers()
    {
        var ruleSet = Tiers;
        var lines = new List<Dictionary<string, object?>>();
        for (var year = 1915; year <= 1960; year++)
        {
            foreach (var region in new[] { "210114001", "210124100", "210102001", "220102001" })
            {
                lines.Add(Line($"{year}0615", region, residentSince: year % 3 == 0 ? new DateOnly(2025, 7, 1) : new DateOnly(2020, 1, 1)));
            }
        }

        var compiled = _evaluator.EvaluateMany(ruleSet, [.. lines]);

        Assert.Contains(compiled, c => c.Outcome == EvaluationOutcome.Eligible);
        Assert.Contains(compiled, c => c.Outcome == EvaluationOutcome.Ineligible);
        Assert.Contains(compiled, c => c.Outcome == EvaluationOutcome.Faulted);
        for (var i = 0; i < lines.Count; i++)
        {
            var engine = _evaluator.Evaluate(ruleSet, lines[i]);
            Assert.Equal(engine.Outcome, compiled[i].Outcome);
            Assert.Equal(engine.Amount, compiled[i].Amount);
            Assert.Equal(engine.FaultCode, compiled[i].FaultCode);
            Assert.Equal(engine.FailedRules.Select(r => r.RuleName), compiled[i].FailedRules.Select(r => r.RuleName));
        }
    }

    [Fact]
    public void ComputedFact_CannotBeSupplied()
    {
        var line = Line("19460101");
        line["Age"] = 99;

        var (engine, compiled) = Both(Tiers, line);

        Assert.Equal(FaultCodes.FactNotSuppliable, engine.FaultCode);
        Assert.Equal(FaultCodes.FactNotSuppliable, compiled.FaultCode);
    }

    [Fact]
    public void Loader_ExposesComputedFacts_MultiKeys_AndFloorMatch()
    {
        var ruleSet = Tiers;

        var age = ruleSet.Facts.Single(f => f.Name == "Age");
        Assert.True(age.IsComputed);
        Assert.False(age.IsSupplied);
        Assert.True(age.DerivedFromPersonal);
        Assert.Equal(LookupMatch.Floor, ruleSet.Facts.Single(f => f.Name == "Tier").Match);
        Assert.Equal(["County", "Year"], ruleSet.Facts.Single(f => f.Name == "TopUp").KeyFacts);
        Assert.Equal(["IdNumber", "RegionCode", "AsOf", "ResidentSince"], ruleSet.Facts.Where(f => f.IsSupplied).Select(f => f.Name));
    }

    [Fact]
    public void Compute_NamingAnUnknownFact_IsLocated_AndListsTheKnownFacts()
    {
        var json = Fixture();
        json["facts"]![3 + 3]!["compute"] = "AsOff.Year";

        var error = Assert.Single(Validate(json));

        Assert.Equal("facts[6].compute", error.Path);
        Assert.Contains("AsOff 不是已声明的事实", error.MessageZh);
        Assert.Contains("可用的事实：IdNumber、RegionCode、AsOf", error.MessageZh);
    }

    [Fact]
    public void Compute_ReadingALaterFact_IsLocated()
    {
        var json = Fixture();
        json["facts"]![4]!["compute"] = "Year - 1946";

        var error = Assert.Single(Validate(json));

        Assert.Equal("facts[4].compute", error.Path);
        Assert.Contains("只能读取在它之前声明的事实，不能读取 Year", error.MessageZh);
    }

    [Fact]
    public void Compute_GoesThroughTheGate()
    {
        var json = Fixture();
        json["facts"]![5]!["compute"] = "RegionCode.PadLeft(100000)";

        var error = Assert.Single(Validate(json));

        Assert.Equal("facts[5].compute", error.Path);
        Assert.Contains("不允许调用方法 String.PadLeft", error.MessageZh);
    }

    [Fact]
    public void Compute_WithTheWrongType_IsRefused()
    {
        var json = Fixture();
        json["facts"]![6]!["compute"] = "AsOf";

        var error = Assert.Single(Validate(json));

        Assert.Equal("facts[6].compute", error.Path);
    }

    [Fact]
    public void Compute_TogetherWithFrom_IsRefused()
    {
        var json = Fixture();
        json["facts"]![7]!["compute"] = "1m";

        Assert.Contains(Validate(json), e => e.Path == "facts[7].compute" && e.MessageZh.Contains("既查表（from）又计算（compute）", StringComparison.Ordinal));
    }

    [Fact]
    public void Amount_ReadingAFactComputedFromAPersonalFact_IsRefused()
    {
        var json = Fixture();
        json["amount"]!["expression"] = "Tier + Age";

        var error = Assert.Single(Validate(json));

        Assert.Equal("amount.expression", error.Path);
        Assert.Contains("由个人信息计算得出的事实 Age", error.MessageZh);
    }

    [Fact]
    public void UnknownMatch_IsLocated()
    {
        var json = Fixture();
        json["facts"]![7]!["match"] = "nearest";

        var error = Assert.Single(Validate(json));

        Assert.Equal("facts[7].match", error.Path);
        Assert.Contains("未知的 match nearest", error.MessageZh);
    }

    [Fact]
    public void FloorMatch_OnAStringKey_IsLocated()
    {
        var json = Fixture();
        json["facts"]![7]!["key"] = "County";

        Assert.Contains(Validate(json), e => e.Path == "facts[7].match" && e.MessageZh.Contains("必须是 int 或 decimal 事实", StringComparison.Ordinal));
    }

    [Fact]
    public void FloorTable_WithANonNumericKey_IsLocated()
    {
        var json = Fixture();
        json["tables"]!["tiers.byAge"]!["eighty"] = 100;

        var error = Assert.Single(Validate(json));

        Assert.Equal("tables['tiers.byAge']['eighty']", error.Path);
        Assert.Contains("分档表的键必须是数字", error.MessageZh);
    }

    [Fact]
    public void FloorTable_WithTheSameTierTwice_IsLocated()
    {
        var json = Fixture();
        json["tables"]!["tiers.byAge"]!["80.0"] = 150;

        var error = Assert.Single(Validate(json));

        Assert.Equal("tables['tiers.byAge']['80.0']", error.Path);
        Assert.Contains("档位 80.0 重复", error.MessageZh);
    }

    [Theory]
    [InlineData("210114", "需由 2 部分")]
    [InlineData("210114|two", "第 2 部分“two”不是 Year 可取的 Int 值")]
    public void MultiKeyTable_WithAMalformedKey_IsLocated(string key, string reason)
    {
        var json = Fixture();
        json["tables"]!["topUp.byCountyYear"]![key] = 1;
        reason = reason.Replace("需由", "键须由", StringComparison.Ordinal);

        var error = Assert.Single(Validate(json));

        Assert.Equal($"tables['topUp.byCountyYear']['{key}']", error.Path);
        Assert.Contains(reason, error.MessageZh);
    }

    [Fact]
    public void LookupKeyedOnALaterComputedFact_IsLocated()
    {
        var json = Fixture();
        var facts = json["facts"]!.AsArray();
        var tier = facts[7]!;
        facts.RemoveAt(7);
        facts.Insert(4, tier); // the tier lookup now comes before Age

        Assert.Contains(Validate(json), e => e.Path == "facts[4].key" && e.MessageZh.Contains("须在 Tier 之前声明", StringComparison.Ordinal));
    }

    [Fact]
    public void LookupKeyedOnAPersonalFact_IsLocated()
    {
        var json = Fixture();
        json["facts"]![8]!["key"] = new JsonArray("IdNumber", "Year");

        Assert.Contains(Validate(json), e => e.Path == "facts[8].key" && e.MessageZh.Contains("个人信息事实", StringComparison.Ordinal));
    }

    [Fact]
    public void KeyLength_WithSeveralKeys_IsLocated()
    {
        var json = Fixture();
        json["facts"]![8]!["keyLength"] = 6;

        Assert.Contains(Validate(json), e => e.Path == "facts[8].keyLength" && e.MessageZh.Contains("只能用于单个查表键", StringComparison.Ordinal));
    }

    [Fact]
    public void ComputedString_LongerThanItsMaxLength_FaultsTheLine()
    {
        var json = Fixture();
        json["facts"]![5]!["compute"] = "RegionCode + RegionCode";
        json.Remove("examples");
        var ruleSet = RuleSetLoader.Load(json.ToJsonString(), "long.json");

        var (engine, compiled) = Both(ruleSet, Line("19460101"));

        Assert.Equal(FaultCodes.FactTooLong, engine.FaultCode);
        Assert.Equal(FaultCodes.FactTooLong, compiled.FaultCode);
    }

    [Fact]
    public void SingleStringKey_OtherThanRegionCode_MatchesTheWholeValue_WhileRegionCodeDefaultsToTheCounty()
    {
        var json = Fixture();
        json.Remove("examples");
        var facts = json["facts"]!.AsArray();
        facts.Add(new JsonObject { ["name"] = "Grade", ["type"] = "string", ["maxLength"] = 2 });
        facts.Add(new JsonObject { ["name"] = "GradeExtra", ["type"] = "decimal", ["from"] = "extra.byGrade", ["key"] = "Grade" });
        facts.Add(new JsonObject { ["name"] = "CountyBase", ["type"] = "decimal", ["from"] = "base.byCounty", ["key"] = "RegionCode" });
        json["tables"]!["extra.byGrade"] = new JsonObject { ["1"] = 50, ["2"] = 20 };
        json["tables"]!["base.byCounty"] = new JsonObject { ["210114"] = 1 };
        json["amount"]!["expression"] = "Tier + TopUp + GradeExtra + CountyBase";
        var ruleSet = RuleSetLoader.Load(json.ToJsonString(), "grades.json");
        var line = Line("19460101");
        line["Grade"] = "1";

        var (engine, compiled) = Both(ruleSet, line);
        line["Grade"] = "12";
        var (missingEngine, missingCompiled) = Both(ruleSet, line);

        Assert.Equal(0, ruleSet.Facts.Single(f => f.Name == "GradeExtra").KeyLength);
        Assert.Equal(6, ruleSet.Facts.Single(f => f.Name == "CountyBase").KeyLength);
        Assert.Equal(161m, engine.Amount); // 100 + 10 + 50 + 1
        Assert.Equal(161m, compiled.Amount);
        Assert.Equal(FaultCodes.TableEntryMissing, missingEngine.FaultCode); // "12" is not cut to "1"
        Assert.Equal(FaultCodes.TableEntryMissing, missingCompiled.FaultCode);
    }

    [Fact]
    public void EligibilityExpression_NamingAnUnknownFact_ListsTheKnownFacts()
    {
        var json = Fixture();
        json["eligibility"]![2]!["expression"] = "Agee >= 80";

        var error = Assert.Single(Validate(json));

        Assert.Equal("eligibility[2].expression", error.Path);
        Assert.Contains("Agee 不是已声明的事实；可用的事实：IdNumber、RegionCode、AsOf、ResidentSince、Age、County、Year、Tier、TopUp", error.MessageZh);
    }
}

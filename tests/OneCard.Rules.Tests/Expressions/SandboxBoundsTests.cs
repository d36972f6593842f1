using System.Text.Json;
using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.Expressions;

/// <summary>Issue 5, finding 8: no accepted expression can run away, and personal facts never reach the amount.</summary>
public class SandboxBoundsTests
{
    // Decisions, not timing: generous, so a loaded 2-core machine never turns a fault reason into a timeout.
    private readonly RuleEvaluator _evaluator = new(new RuleEvaluatorOptions { TimeBudgetPerLine = TimeSpan.FromSeconds(30) });

    // Each would iterate a string more than linearly, or grow one, if accepted.
    public static TheoryData<string> Runaway() => new()
    {
        // The finding: a nested lambda over a long string fact.
        "IdNumber.Any(a => IdNumber.Any(b => a == b && IdNumber.Contains(b)))",
        "RegionCode.All(a => RegionCode.Count(b => b == a) < 1000)",
        "IdNumber.Select(a => IdNumber.Where(b => b == a).Count()).Sum() > 0",
        "IdNumber.Where(a => a > '0').Select(a => IdNumber.Count(b => b < a)).Max() > 0",
        "IdNumber.Select(c => IdNumber).Select(s => s.Any(c => c == '1')).Count() > 0",
        "new[]{1, 2, 3}.Any(x => IdNumber.Any(c => c == 'x'))",
        "IdNumber.All(a => RegionCode.Select(b => b).Where(b => b == a).Count() >= 0)",
        // Strings grown inside a lambda, then iterated or searched.
        "IdNumber.Any(a => (IdNumber + IdNumber + IdNumber).Contains(a))",
        "IdNumber.Select(c => string.Concat(IdNumber, IdNumber, IdNumber, IdNumber)).Count() > 0",
        "IdNumber.Count(c => (\"0\" + RegionCode).StartsWith(IdNumber)) > 0",
        "new[]{\"a\", \"b\"}.Any(s => (s + IdNumber + IdNumber).EndsWith(RegionCode))",
        // Iterating something other than a fact or a literal of constants.
        "(IdNumber + IdNumber + IdNumber + IdNumber).Any(c => c == 'x')",
        "string.Concat(IdNumber, IdNumber, IdNumber, IdNumber).Count(c => c == '1') > 0",
        "new[]{IdNumber + IdNumber + IdNumber}.Any(s => s.Contains(RegionCode))",
        "new[]{IdNumber, RegionCode}.Select(s => s).Count() > 0",
        // Manufactured or padded sequences.
        "Enumerable.Range(0, 100000000).Any(i => i < 0)",
        "Enumerable.Repeat('x', 100000000).Count() > 0",
        "string.Concat(Enumerable.Repeat(IdNumber, 1000000)).Length > 0",
        "IdNumber.PadLeft(100000000).Any(c => c == ' ')",
        "IdNumber.Select(c => IdNumber.PadRight(200000)).Count() > 0",
        // A culture-sensitive (ICU) substring search is quadratic: only the char overloads of IndexOf.
        "IdNumber.Count(c => RegionCode.IndexOf(IdNumber) >= 0) > 0",
        "IdNumber.LastIndexOf(RegionCode) >= 0",
        // Replace / Insert / Split / Join growth.
        "IdNumber.Replace(\"1\", IdNumber).Replace(\"1\", IdNumber).Length > 0",
        "IdNumber.Insert(0, IdNumber).Length > 0",
        "IdNumber.Split(',').Count() > 0",
        "string.Join(IdNumber, IdNumber.Select(c => IdNumber)).Length > 0",
        "string.Join(\",\", new[]{IdNumber, IdNumber}).Length > 0",
        "string.Concat(IdNumber.Select(c => IdNumber)).Length > 0",
        // Folds and conversions that escape the allow-list.
        "IdNumber.Aggregate(\"\", (a, c) => a + a + c).Length > 0",
        "IdNumber.ToCharArray().Any(c => c == '1')",
        "IdNumber.Zip(IdNumber, (a, b) => a == b).Count() > 0",
        "IdNumber.SelectMany(c => IdNumber).Count() > 0",
    };

    [Theory]
    [MemberData(nameof(Runaway))]
    public void Load_RefusesRunawayExpression_WithLocatedError(string expression)
    {
        var errors = RuleSetLoader.Validate(TestData.RuleSetJson(expressions: ["AreaMu > 0", expression]), "runaway.json");

        var error = Assert.Single(errors);
        Assert.Equal("eligibility[1].expression", error.Path);
        Assert.False(string.IsNullOrWhiteSpace(error.MessageZh));
    }

    [Fact]
    public void Load_RefusesNestedLambda_SayingLambdasMayNotNest()
    {
        var errors = RuleSetLoader.Validate(
            TestData.RuleSetJson(expressions: ["IdNumber.Any(a => IdNumber.Any(b => a == b))"]), "nested.json");

        var error = Assert.Single(errors);
        Assert.Equal("eligibility[0].expression", error.Path);
        Assert.Contains("lambda 不能嵌套", error.MessageZh);
    }

    [Fact]
    public void Load_RefusesConcatInLambda_SayingSo()
    {
        var errors = RuleSetLoader.Validate(
            TestData.RuleSetJson(expressions: ["IdNumber.Any(a => (IdNumber + IdNumber).Contains(a))"]), "concat.json");

        Assert.Contains("lambda 内不允许拼接字符串", Assert.Single(errors).MessageZh);
    }

    // Single lambdas over facts and literals stay available to authors.
    [Theory]
    [InlineData("IdNumber.All(c => char.IsDigit(c) || c == 'X')")]
    [InlineData("IdNumber.Count(c => c == '0') < 10")]
    [InlineData("new[]{\"210114\", \"210124\"}.Any(p => RegionCode.StartsWith(p))")]
    [InlineData("IdNumber.Where(c => char.IsDigit(c)).Select(c => c).Count() >= 17")]
    [InlineData("\"21\" + Fn.County(RegionCode).Substring(2, 4) == Fn.County(RegionCode)")]
    public void Load_AcceptsBoundedLambda(string expression)
    {
        Assert.Empty(RuleSetLoader.Validate(TestData.RuleSetJson(expressions: [expression]), "ok.json"));
    }

    // The heaviest shapes the gate admits, over strings at the hard length ceiling: each measured at under 10 ms, where
    // the nested lambda of the finding ran for over a minute. Asserts only the outcome (not Faulted, so no timeout),
    // never a duration; the budget is 5 s rather than the production 200 ms so that a loaded CI machine cannot flake it.
    [Fact]
    public void WorstAcceptedExpression_OverMaxLengthStrings_EvaluatesWithoutFault()
    {
        string[] expressions =
        [
            "IdNumber.Count(a => IdNumber.Contains(a) && IdNumber.IndexOf(a) >= 0 && RegionCode.LastIndexOf(a) >= 0 && RegionCode.Contains(a)) >= 0",
            "IdNumber.Select(c => RegionCode).Where(s => s.Contains(IdNumber.Substring(1)) || s.EndsWith(IdNumber.Substring(2)) || s.StartsWith(IdNumber)).Count() >= 0",
            "RegionCode.Where(c => IdNumber.Contains(c)).Select(c => IdNumber.Count()).Sum() >= 0 && IdNumber.All(c => RegionCode.IndexOf(c) >= -1)",
            "IdNumber.Count(c => Fn.IsValidIdNumber(IdNumber, AsOf) || Fn.IsValidIdNumber(RegionCode, AsOf) || IdNumber.CompareTo(RegionCode) > 0) >= 0",
            // Constants may fill the rest of the 2,000-character text; searched once per character of a fact.
            $"IdNumber.Count(c => \"{new string('1', 850)}\".Contains(\"{new string('1', 700)}2\")) >= 0",
            "(IdNumber + IdNumber + IdNumber + IdNumber + RegionCode + RegionCode).Contains(IdNumber + RegionCode + IdNumber)",
        ];
        var json = MaxLengthRuleSet(expressions);
        var ruleSet = RuleSetLoader.Load(json, "worst.json");
        var line = TestData.Line();
        line["IdNumber"] = new string('1', FactDefinition.MaxLengthCeiling);
        line["RegionCode"] = "210114" + new string('1', FactDefinition.MaxLengthCeiling - 7) + "2";

        var evaluator = new RuleEvaluator(new RuleEvaluatorOptions { TimeBudgetPerLine = TimeSpan.FromSeconds(5) });
        var batch = evaluator.EvaluateMany(ruleSet, [line, line, line]);
        var single = evaluator.Evaluate(ruleSet, line);

        Assert.All(batch.Append(single), r => Assert.NotEqual(EvaluationOutcome.Faulted, r.Outcome));
        Assert.All(batch.Append(single), r => Assert.Equal(expressions.Length, r.Rules.Count));
    }

    [Fact]
    public void StringFactLongerThanItsMaxLength_FaultsTheLine_InBothPaths()
    {
        var ruleSet = RuleSetLoader.Load(MaxLengthRuleSet(["IdNumber.All(c => c != 'x')"]), "long.json");
        var line = TestData.Line();
        line["IdNumber"] = new string('1', FactDefinition.MaxLengthCeiling + 1);

        var single = _evaluator.Evaluate(ruleSet, line);
        var batch = Assert.Single(_evaluator.EvaluateMany(ruleSet, [line]));

        Assert.Equal(FaultCodes.FactTooLong, single.FaultCode);
        Assert.Equal(FaultCodes.FactTooLong, batch.FaultCode);
        Assert.Contains("超过上限 256", single.Fault);
    }

    [Fact]
    public void StringFactWithoutDeclaredMaxLength_GetsTheDefaultCap()
    {
        var line = TestData.Line(regionCode: "210114" + new string('0', FactDefinition.DefaultMaxLength));

        var result = _evaluator.Evaluate(TestData.ArableLandV1, line);

        Assert.Equal(64, TestData.ArableLandV1.Facts.Single(f => f.Name == "RegionCode").MaxLength);
        Assert.Equal(FaultCodes.FactTooLong, result.FaultCode);
    }

    [Theory]
    [InlineData(257)]
    [InlineData(0)]
    public void Load_RefusesMaxLengthOutsideTheCeiling(int maxLength)
    {
        var errors = RuleSetLoader.Validate(WithFact("IdNumber", f => f["maxLength"] = maxLength), "m.json");

        Assert.Equal("facts[0].maxLength", Assert.Single(errors).Path);
    }

    [Fact]
    public void Load_RefusesMaxLengthOnANumber()
    {
        var errors = RuleSetLoader.Validate(WithFact("AreaMu", f => f["maxLength"] = 10), "m.json");

        Assert.Equal("facts[2].maxLength", Assert.Single(errors).Path);
    }

    // The finding: decimal.Parse(IdNumber.Substring(6, 8)) published the birth date as the amount.
    [Theory]
    [InlineData("decimal.Parse(IdNumber.Substring(6, 8))", "IdNumber")]
    [InlineData("AreaMu * RatePerMu + IdNumber.Length - 18", "IdNumber")]
    [InlineData("iif(Fn.IsValidIdNumber(IdNumber, AsOf), AreaMu * RatePerMu, 0)", "IdNumber")]
    [InlineData("AreaMu * RatePerMu + HolderName.Length * 0", "HolderName")]
    public void Load_RefusesPersonalFactInAmount_NamingIt(string amount, string fact)
    {
        var json = WithExtraFact(
            TestData.RuleSetJson(amount: amount, expressions: ["AreaMu > 0"]),
            new Dictionary<string, object> { ["name"] = "HolderName", ["type"] = "string", ["personal"] = true });

        var errors = RuleSetLoader.Validate(json, "personal.json");

        var error = Assert.Single(errors);
        Assert.Equal("amount.expression", error.Path);
        Assert.Contains($"个人信息事实 {fact}", error.MessageZh);
    }

    [Fact]
    public void Load_AllowsPersonalFactsInEligibility()
    {
        var json = WithExtraFact(
            TestData.RuleSetJson(expressions: ["Fn.IsValidIdNumber(IdNumber, AsOf)", "HolderName.Length > 1"]),
            new Dictionary<string, object> { ["name"] = "HolderName", ["type"] = "string", ["personal"] = true });

        Assert.Empty(RuleSetLoader.Validate(json, "eligibility.json"));
    }

    [Fact]
    public void IdNumber_IsAlwaysPersonal_AndCannotBeDeclaredOtherwise()
    {
        var errors = RuleSetLoader.Validate(WithFact("IdNumber", f => f["personal"] = false), "p.json");

        Assert.True(TestData.ArableLandV1.Facts.Single(f => f.Name == "IdNumber").Personal);
        Assert.Equal("facts[0].personal", Assert.Single(errors).Path);
    }

    [Fact]
    public void Load_RefusesNumericPersonalFact()
    {
        var errors = RuleSetLoader.Validate(WithFact("AreaMu", f => f["personal"] = true), "p.json");

        Assert.Contains("不能是数值类型", Assert.Single(errors).MessageZh);
    }

    private static string MaxLengthRuleSet(string[] expressions) =>
        WithFact("RegionCode", f => f["maxLength"] = FactDefinition.MaxLengthCeiling,
            WithFact("IdNumber", f => f["maxLength"] = FactDefinition.MaxLengthCeiling, TestData.RuleSetJson(expressions: expressions)));

    private static string WithFact(string name, Action<Dictionary<string, object>> change, string? json = null)
    {
        var root = JsonSerializer.Deserialize<Dictionary<string, object>>(json ?? TestData.RuleSetJson(expressions: ["AreaMu > 0"]))!;
        var facts = JsonSerializer.Deserialize<List<Dictionary<string, object>>>(root["facts"].ToString()!)!;
        change(facts.Single(f => f["name"].ToString() == name));
        root["facts"] = facts;
        return JsonSerializer.Serialize(root);
    }

    private static string WithExtraFact(string json, Dictionary<string, object> fact)
    {
        var root = JsonSerializer.Deserialize<Dictionary<string, object>>(json)!;
        var facts = JsonSerializer.Deserialize<List<Dictionary<string, object>>>(root["facts"].ToString()!)!;
        facts.Add(fact);
        root["facts"] = facts;
        return JsonSerializer.Serialize(root);
    }
}

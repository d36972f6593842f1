using System.Linq.Expressions;
using OneCard.Rules.Expressions;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.Expressions;

public class ExpressionGateTests
{
    private static readonly ParameterExpression[] Facts =
    [
        Expression.Parameter(typeof(string), "IdNumber"),
        Expression.Parameter(typeof(string), "RegionCode"),
        Expression.Parameter(typeof(decimal), "AreaMu"),
        Expression.Parameter(typeof(bool), "LandConverted"),
        Expression.Parameter(typeof(DateOnly), "AsOf"),
        Expression.Parameter(typeof(decimal), "RatePerMu"),
    ];

    // reference/reliability-security.md §1, SLDC SecurityTests.cs PoCs, and #973-style malformed input.
    public static TheoryData<string> Malicious() => new()
    {
        "IdNumber.GetType().Assembly.Location.Contains(\"/\")",
        "IdNumber.GetType().Assembly.EntryPoint.Name == \"Main\"",
        "\"\".GetType().Assembly.DefinedTypes.Count() > 0",
        "IdNumber.GetType().Assembly.GetType(\"System.Diagnostics.Process\") != null",
        "IdNumber.GetType().GetMethods().Count() > 0",
        "\"\".GetType().Assembly.DefinedTypes.First().DeclaredFields.First().GetValue(null) != null",
        "\"\".GetType().Name != null",
        "Fn.GetType() != null",
        "Fn.Equals(IdNumber, RegionCode)",
        "Fn.ReferenceEquals(IdNumber, IdNumber)",
        "IdNumber.Equals(object(RegionCode))",
        "Enumerable.Range(0, 2147483647).Sum(x => long(x)) > 0",
        "string.Concat(Enumerable.Repeat(\"x\", 200000000)).Length > 0",
        "System.IO.File.Exists(\"/etc/passwd\")",
        "System.Environment.GetEnvironmentVariable(\"PATH\") != null",
        "System.Diagnostics.Process.Start(\"sh\") != null",
        "Type.GetType(\"System.IO.File\") != null",
        "new System.Net.WebClient() != null",
        "AppDomain.CurrentDomain.FriendlyName != \"\"",
        "AppSecrets.ConnStr != \"\"",
        "\"System.IO.File\"(IdNumber)",
        "IdNumber.PadLeft(2147483647) != \"\"",
        "IdNumber.PadRight(1000000000).Length > 0",
        "IdNumber.Replace(\"1\", IdNumber).Length > 0",
        "AreaMu.ToString(\"D999999999\") != \"\"",
        "object(IdNumber) != null",
        "\"\".GetType().Assembly.DefinedTypes.Where(it.Name == \"Assembly\").First().DeclaredMethods.Where(it.Name == \"GetName\").First().Invoke(\"\".GetType().Assembly, new Object[] {} ).Name.ToString() != \"Test\"",
        "string.Join(\"_\", IdNumber.GetType().Assembly.DefinedTypes.Select(t => t.BaseType).Select(t => t.AssemblyQualifiedName)) != \"\"",
        "np(",
        "np()",
        "np(IdNumber.",
        "np(IdNumber.GetType().Assembly) != null",
        "np(np(np(IdNumber",
        "new(Name }",
        "new(IdNumber as Name }.Name != \"\"",
        "''",
        "new[]{" + string.Join(",", Enumerable.Range(0, 100)) + "}.Contains(1)",
        "new[]{1}.Select(a => new[]{1}.Select(b => new[]{1}.Select(c => c).Sum()).Sum()).Sum() > 0",
        "AreaMu > 0 " + string.Concat(Enumerable.Repeat("&& AreaMu > 0 ", 120)),
        "AreaMu > 0 || " + new string(' ', 5_000) + "AreaMu < 0",
        "",
    };

    public static TheoryData<string> Legitimate() => new()
    {
        "Fn.IsValidIdNumber(IdNumber, AsOf)",
        "AreaMu > 0",
        "!LandConverted",
        "RegionCode.StartsWith(\"21\") && RegionCode.Length >= 6",
        "Fn.IsValidIdNumber(IdNumber, AsOf) && Fn.Age(IdNumber, AsOf) >= 60",
        "new[]{\"210114\", \"210124\"}.Contains(RegionCode.Substring(0, 6))",
        "RegionCode in (\"210114001\", \"210114002\")",
        "Math.Round(AreaMu * RatePerMu, 2) <= 100000",
        "AsOf <= DateOnly(2026, 6, 30) && AsOf.Year == 2026",
        "iif(LandConverted, 0, AreaMu) > 0",
        "IdNumber.Trim().ToUpper().EndsWith(\"X\") || IdNumber[17] != 'X'",
        "new[]{1, 2, 3}.Where(x => x > 1).Count() == 2",
        "Fn.County(RegionCode) != \"\"",
        "\"21\" + Fn.County(RegionCode).Substring(2, 4) == Fn.County(RegionCode)",
    };

    [Theory]
    [MemberData(nameof(Malicious))]
    public void Check_RefusesMaliciousExpression(string expression)
    {
        var verdict = ExpressionGate.Check(expression, Facts, typeof(bool));

        Assert.False(verdict.IsApproved);
        Assert.False(string.IsNullOrWhiteSpace(verdict.ReasonZh));
        Assert.False(string.IsNullOrWhiteSpace(verdict.ReasonEn));
    }

    [Theory]
    [MemberData(nameof(Malicious))]
    public void Load_RefusesRuleSetContainingMaliciousExpression(string expression)
    {
        var errors = RuleSetLoader.Validate(TestData.RuleSetJson(expressions: ["AreaMu > 0", expression]), "malicious.json");

        Assert.Contains(errors, e => e.Path == "eligibility[1].expression");
    }

    [Theory]
    [MemberData(nameof(Legitimate))]
    public void Check_ApprovesLegitimateExpression(string expression)
    {
        var verdict = ExpressionGate.Check(expression, Facts, typeof(bool));

        Assert.True(verdict.IsApproved, verdict.ReasonEn);
    }

    [Fact]
    public void Check_RefusesGetType_WithReasonNamingTheType()
    {
        var verdict = ExpressionGate.Check("IdNumber.GetType().Assembly.Location.Contains(\"/\")", Facts, typeof(bool));

        Assert.Contains("Object.GetType", verdict.ReasonEn);
    }

    [Fact]
    public void HardenedSettings_MatchReferenceSectionOne()
    {
        var settings = HardenedSettings.Create();

        Assert.Equal([typeof(Fn)], settings.CustomTypes);
        Assert.False(settings.AutoRegisterInputType);
        Assert.True(settings.IsExpressionCaseSensitive);
        Assert.False(settings.IgnoreException);
        Assert.True(settings.EnableExceptionAsErrorMessageForRuleExpressionParsing);
        Assert.False(settings.AutoExecuteActions);
        Assert.Empty(settings.CustomActions);
        Assert.False(settings.EnableScopedParams);
    }

    [Fact]
    public void Check_RefusesTextOverLengthCap()
    {
        var expression = "AreaMu > 0" + new string(' ', ExpressionGate.MaxLength);

        var verdict = ExpressionGate.Check(expression, Facts, typeof(bool));

        Assert.Contains("超过上限 2000", verdict.ReasonZh);
    }

    [Fact]
    public void Check_RefusesTreeOverNodeCap()
    {
        var expression = string.Join(" + ", Enumerable.Repeat("AreaMu", 150)) + " > 0";

        var verdict = ExpressionGate.Check(expression, Facts, typeof(bool));

        Assert.Contains("节点数", verdict.ReasonZh);
    }

    [Fact]
    public void Check_ApprovesDecimalAmount()
    {
        var verdict = ExpressionGate.Check("AreaMu * RatePerMu", Facts, typeof(decimal));

        Assert.True(verdict.IsApproved, verdict.ReasonEn);
        Assert.Equal(typeof(decimal), verdict.Tree!.Type);
    }
}

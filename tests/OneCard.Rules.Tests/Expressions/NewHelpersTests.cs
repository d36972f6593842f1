using System.Linq.Expressions;
using OneCard.Rules.Expressions;

namespace OneCard.Rules.Tests.Expressions;

/// <summary>Fn.MonthsBetween, Fn.InRegion and the conditional operator, through the gate.</summary>
public class NewHelpersTests
{
    private static readonly ParameterExpression[] Facts =
    [
        Expression.Parameter(typeof(string), "RegionCode"),
        Expression.Parameter(typeof(DateOnly), "AsOf"),
        Expression.Parameter(typeof(DateOnly), "ResidentSince"),
        Expression.Parameter(typeof(int), "Age"),
    ];

    [Theory]
    [InlineData("2026-01-15", "2026-06-15", 5)]
    [InlineData("2026-01-15", "2026-06-14", 4)]
    [InlineData("2025-06-30", "2026-06-30", 12)]
    [InlineData("2026-01-31", "2026-02-28", 1)] // the last day of a shorter month completes it
    [InlineData("2026-06-30", "2026-06-30", 0)]
    [InlineData("2026-07-01", "2026-06-30", 0)] // to before from → 0
    [InlineData("1946-06-30", "2026-06-30", 960)]
    public void MonthsBetween_CountsWholeMonths(string from, string to, int months) =>
        Assert.Equal(months, Fn.MonthsBetween(DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("210114001", "21", true)]
    [InlineData("210114001", "2101", true)]
    [InlineData("210114001", "210114001", true)]
    [InlineData("210114001", "2102", false)]
    [InlineData("21", "2101", false)]
    [InlineData("210114001", "", false)]
    public void InRegion_MatchesByCodePrefix(string region, string prefix, bool expected) =>
        Assert.Equal(expected, Fn.InRegion(region, prefix));

    [Theory]
    [InlineData("Fn.MonthsBetween(ResidentSince, AsOf) >= 12")]
    [InlineData("Fn.InRegion(RegionCode, \"2101\")")]
    [InlineData("(Age >= 90 ? 200 : Age >= 80 ? 100 : 0) > 0")]
    public void Gate_ApprovesTheNewHelpersAndTheConditionalOperator(string expression)
    {
        var verdict = ExpressionGate.Check(expression, Facts, typeof(bool));

        Assert.True(verdict.IsApproved, verdict.ReasonZh);
    }

    [Fact]
    public void Gate_StillRefusesForbiddenCalls_InsideAConditional()
    {
        var verdict = ExpressionGate.Check("Age > 80 ? RegionCode.PadLeft(1000000).Length > 0 : false", Facts, typeof(bool));

        Assert.False(verdict.IsApproved);
        Assert.Contains("PadLeft", verdict.ReasonZh);
    }

    [Fact]
    public void ConditionalOperator_EvaluatesLikeCSharp()
    {
        var verdict = ExpressionGate.Check("Age >= 90 ? 200m : Age >= 80 ? 100m : 0m", Facts, typeof(decimal));
        Assert.True(verdict.IsApproved, verdict.ReasonZh);
        var lambda = Expression.Lambda<Func<string, DateOnly, DateOnly, int, decimal>>(verdict.Tree!, Facts).Compile();

        Assert.Equal(200m, lambda("", default, default, 95));
        Assert.Equal(100m, lambda("", default, default, 85));
        Assert.Equal(0m, lambda("", default, default, 79));
    }
}

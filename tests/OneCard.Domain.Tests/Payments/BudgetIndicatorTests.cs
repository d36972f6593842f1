using OneCard.Domain.Payments;

namespace OneCard.Domain.Tests.Payments;

/// <summary>An indicator's values are checked with located errors; its figures follow from its ledger.</summary>
public sealed class BudgetIndicatorTests
{
    [Fact]
    public void Validate_AcceptsSharesThatSumToTheAmount()
    {
        Assert.Empty(BudgetIndicator.Validate("辽财农〔2026〕12号", "耕地地力保护补贴", 2026, IndicatorLevel.Provincial, "arable-land-protection", "210124",
            1000m, 0m, 600m, 300m, 100m));
    }

    [Fact]
    public void Validate_RefusesSharesThatDoNotSum_WithTheFigures()
    {
        var issue = Assert.Single(BudgetIndicator.Validate("辽财农〔2026〕12号", "耕地地力保护补贴", 2026, IndicatorLevel.Central, "arable-land-protection", "210124",
            120_000m, 100_000m, 10_000m, 0m, 0m));
        Assert.Equal(("shares", "SharesDoNotSum"), (issue.Field, issue.Code));
        Assert.Equal("分级承担：中央 100,000.00 + 省级 10,000.00 + 市级 0.00 + 县级 0.00 = 110,000.00 元，与指标金额 120,000.00 元不符", issue.MessageZh);
    }

    [Fact]
    public void Validate_RefusesAnIssuingLevelThatFundsNothing_AndFractionsOfAFen()
    {
        var issues = BudgetIndicator.Validate("辽财农〔2026〕12号", "耕地地力保护补贴", 2026, IndicatorLevel.County, "arable-land-protection", "2101",
            100.005m, 100m, 0m, 0m, 0m);
        Assert.Contains(issues, i => i is { Field: "countyShare", Code: "IssuerShareMissing" });
        Assert.Contains(issues, i => i is { Field: "amount", Code: "AmountScale" });
        Assert.Contains(issues, i => i is { Field: "regionCode", Code: "RegionInvalid" });
    }

    [Fact]
    public void Figures_RemainingIsAmountLessNetAllocated_AndPaidCountsOnlyReconciledBatches()
    {
        // Batch 1 drew 300 and was reconciled with 50 returned; batch 2 holds 200 in flight.
        var figures = IndicatorFigures.From(1000m, [(300m, true), (-50m, true), (200m, false)]);
        Assert.Equal((450m, 250m, 200m, 550m), (figures.Allocated, figures.Paid, figures.InFlight, figures.Remaining));
        Assert.Equal(figures.Amount, figures.Remaining + figures.Paid + figures.InFlight);
    }
}

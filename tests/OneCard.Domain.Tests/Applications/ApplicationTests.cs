using OneCard.Domain.Applications;

namespace OneCard.Domain.Tests.Applications;

public sealed class ApplicationTests
{
    private static Application Case(params ClaimLine[] lines)
    {
        var application = new Application
        {
            Id = Guid.NewGuid(), Number = "SQ1", PolicyCode = "p", Period = "2026", RegionCode = "210124101", SubmittedBy = "u",
            RuleSetKey = "p@1", WorkflowKey = "w@1",
        };
        application.Lines.AddRange(lines);
        application.EligibleCount = lines.Count(l => l.Outcome == LineOutcome.Eligible);
        application.PayableAmount = lines.Where(l => l.Outcome == LineOutcome.Eligible).Sum(l => l.Amount ?? 0m);
        return application;
    }

    private static ClaimLine Line(int no, LineOutcome outcome, decimal? amount) => new()
    {
        Id = Guid.NewGuid(), LineNo = no, RegionCode = "210124101", PolicyCode = "p", Period = "2026", Name = "张三",
        IdNumberMasked = "21*************123", FactsJson = "{}", RuleResultsJson = "[]", RuleSetKey = "p@1", Outcome = outcome, Amount = amount,
    };

    [Fact]
    public void Reject_TakesAPayableLineOutOfTheTotals()
    {
        var eligible = Line(1, LineOutcome.Eligible, 100.25m);
        var application = Case(eligible, Line(2, LineOutcome.Eligible, 50m));
        Assert.True(application.Reject(eligible, "驳回", "rejected"));
        Assert.Equal(LineOutcome.Rejected, eligible.Outcome);
        Assert.Equal(1, application.EligibleCount);
        Assert.Equal(50m, application.PayableAmount);
    }

    [Fact]
    public void Reject_OfAFaultedLine_LeavesTheTotals()
    {
        var faulted = Line(1, LineOutcome.Faulted, null);
        var application = Case(faulted, Line(2, LineOutcome.Eligible, 50m));
        Assert.True(application.Reject(faulted, "驳回", "rejected"));
        Assert.Equal((1, 50m), (application.EligibleCount, application.PayableAmount));
    }

    [Theory]
    [InlineData(LineOutcome.Instructed)]
    [InlineData(LineOutcome.Paid)]
    [InlineData(LineOutcome.Ineligible)]
    [InlineData(LineOutcome.Rejected)]
    public void Reject_IsRefused_OnceALineIsPastReview(LineOutcome outcome)
    {
        var line = Line(1, outcome, 10m);
        var application = Case(line);
        Assert.False(application.Reject(line, "驳回", "rejected"));
        Assert.Equal(outcome, line.Outcome);
    }
}

using static OneCard.Workflows.Tests.TestData;

namespace OneCard.Workflows.Tests.Definitions;

/// <summary>The shipped workflows/standard-subsidy.v1.json: the names the Host codes against.</summary>
public class StandardSubsidyDefinitionTests
{
    private static readonly WorkflowDefinition Def = StandardSubsidy;

    [Fact]
    public void Definition_IsStandardSubsidyVersion1_StartingAtTownshipReview()
    {
        Assert.Equal("standard-subsidy", Def.DefinitionId);
        Assert.Equal(1, Def.Version);
        Assert.Equal("standard-subsidy@1", Def.VersionKey);
        Assert.Equal("TownshipReview", Def.InitialStep);
    }

    [Theory]
    [InlineData("TownshipReview", StepKind.Human, "TownshipClerk", 5, TimeUnit.WorkingDays, 1, "乡镇审核")]
    [InlineData("Returned", StepKind.Human, "TownshipClerk", 5, TimeUnit.WorkingDays, null, "退回修改")]
    [InlineData("CountyReview", StepKind.Human, "CountyReviewer", 5, TimeUnit.WorkingDays, 1, "县级主管部门审核")]
    [InlineData("SampleCheck", StepKind.Human, "Inspector", 10, TimeUnit.WorkingDays, 2, "现场抽查")]
    [InlineData("Publicity", StepKind.Timer, null, 7, TimeUnit.CalendarDays, null, "公示")]
    [InlineData("ObjectionReview", StepKind.Human, "CountyReviewer", 3, TimeUnit.WorkingDays, null, "异议处理")]
    [InlineData("FinanceRecheck", StepKind.Human, "FinanceReviewer", 3, TimeUnit.WorkingDays, 1, "财政程序性复核")]
    [InlineData("Payment", StepKind.System, null, 5, TimeUnit.WorkingDays, null, "支付")]
    [InlineData("Publicized", StepKind.Final, null, null, TimeUnit.WorkingDays, null, "已公开")]
    [InlineData("Rejected", StepKind.Final, null, null, TimeUnit.WorkingDays, null, "已驳回")]
    [InlineData("Withdrawn", StepKind.Final, null, null, TimeUnit.WorkingDays, null, "已撤回")]
    public void Step_HasKindRoleTimeLimitAndTitle(string name, StepKind kind, string? role, int? days, TimeUnit unit, int? remind, string titleZh)
    {
        var step = Def.Step(name);

        Assert.Equal(kind, step.Kind);
        Assert.Equal(role, step.Role);
        Assert.Equal(days is null ? null : new TimeLimit(days.Value, unit), step.TimeLimit);
        Assert.Equal(remind is null ? null : new TimeLimit(remind.Value, unit), step.RemindBefore);
        Assert.Equal(titleZh, step.TitleZh);
        Assert.False(string.IsNullOrWhiteSpace(step.TitleEn));
    }

    [Fact]
    public void Steps_AreExactlyTheElevenTheHostUses()
    {
        Assert.Equal(
            ["TownshipReview", "Returned", "CountyReview", "SampleCheck", "Publicity", "ObjectionReview",
             "FinanceRecheck", "Payment", "Publicized", "Rejected", "Withdrawn"],
            Def.Steps.Select(s => s.Name));
    }

    [Fact]
    public void Steps_HaveTheirEffectsLineActionsAndParameters()
    {
        Assert.Equal(["RejectLines"], Def.Step("TownshipReview").LineActions);
        Assert.Equal(["RejectLines"], Def.Step("CountyReview").LineActions);
        Assert.Equal(["DrawSample"], Def.Step("SampleCheck").OnEnter);
        Assert.Equal(["RecordSampleResult"], Def.Step("SampleCheck").LineActions);
        Assert.Equal("0.1", Def.Step("SampleCheck").Parameters["sampleShare"]);
        Assert.Equal("1", Def.Step("SampleCheck").Parameters["sampleMinimum"]);
        Assert.Equal(["StartPublicity"], Def.Step("Publicity").OnEnter);
        Assert.Equal(["ResolveObjection", "RejectLines"], Def.Step("ObjectionReview").LineActions);
        Assert.Equal(["CreatePaymentBatch"], Def.Step("Payment").OnEnter);
        Assert.Equal(["Publish"], Def.Step("Publicized").OnEnter);
        Assert.Empty(Def.Step("Rejected").OnEnter);
        Assert.Empty(Def.Step("FinanceRecheck").LineActions);
    }

    [Fact]
    public void Transitions_AreExactlyTheTable()
    {
        TransitionDefinition[] expected =
        [
            new("TownshipReview", "Approve", "CountyReview", "TownshipClerk", null, false),
            new("TownshipReview", "Return", "Returned", "TownshipClerk", null, true),
            new("TownshipReview", "Reject", "Rejected", "TownshipClerk", null, true),
            new("Returned", "Resubmit", "TownshipReview", "TownshipClerk", null, false),
            new("Returned", "Withdraw", "Withdrawn", "TownshipClerk", null, false),
            new("CountyReview", "Approve", "SampleCheck", "CountyReviewer", null, false),
            new("CountyReview", "Return", "TownshipReview", "CountyReviewer", null, true),
            new("CountyReview", "Reject", "Rejected", "CountyReviewer", null, true),
            new("SampleCheck", "Complete", "Publicity", "Inspector", "AllSampledLinesChecked", false),
            new("Publicity", "PublicityEnded", "ObjectionReview", null, "HasOpenObjections", false),
            new("Publicity", "PublicityEnded", "FinanceRecheck", null, "NoOpenObjections", false),
            new("ObjectionReview", "Complete", "FinanceRecheck", "CountyReviewer", "NoOpenObjections", false),
            new("FinanceRecheck", "Approve", "Payment", "FinanceReviewer", null, false),
            new("FinanceRecheck", "Return", "CountyReview", "FinanceReviewer", null, true),
            new("Payment", "BankResultsReconciled", "Publicized", null, "AllPaymentsTerminal", false),
        ];

        Assert.Equal(expected, Def.Transitions);
    }

    [Fact]
    public void Publicity_HasOneSystemActionToFireWhenItsTimeIsUp()
    {
        Assert.Equal(["PublicityEnded"], Def.SystemActions("Publicity"));
        Assert.Equal(["BankResultsReconciled"], Def.SystemActions("Payment"));
        Assert.Empty(Def.SystemActions("TownshipReview"));
    }

    [Fact]
    public void Step_Throws_UnknownStep()
    {
        var ex = Assert.Throws<WorkflowException>(() => Def.Step("Approved"));

        Assert.Equal(WorkflowErrorCodes.UnknownStep, ex.Code);
    }
}

using Microsoft.Extensions.Time.Testing;
using static OneCard.Workflows.Tests.TestData;

namespace OneCard.Workflows.Tests.Running;

/// <summary>Separation of duties (职责分离) in the shipped standard-subsidy@2: the preparer cannot take the step that checks it.</summary>
public class SeparationOfDutiesTests
{
    private static readonly Actor Clerk = Actor.User("u-clerk", "TownshipClerk");
    private static readonly Actor SecondClerk = Actor.User("u-clerk.review", "TownshipClerk");
    private static readonly Actor Finance = Actor.User("u-finance", "FinanceReviewer");

    private static readonly WorkflowDefinition V1 = Catalog.Get("standard-subsidy", 1);
    private static readonly WorkflowDefinition V2 = Catalog.Get("standard-subsidy", 2);

    private readonly WorkflowRunner _runner = new(OfficialCalendar, new FakeTimeProvider(Cst(2026, 3, 2, 9)));

    private static readonly PriorAct[] SubmittedByClerk = [new(WorkflowDefinition.Submission, "u-clerk")];

    private static bool Always(string guard) => true;

    [Fact]
    public void V2_DeclaresSeparationForTownshipReviewAndFinanceRecheckOnly()
    {
        Assert.Equal(["Submit", "Returned"], V2.Step("TownshipReview").SeparateFrom);
        Assert.Equal(["Submit", "Returned", "TownshipReview", "CountyReview", "SampleCheck", "ObjectionReview"], V2.Step("FinanceRecheck").SeparateFrom);
        Assert.Equal(["TownshipReview", "FinanceRecheck"], V2.Steps.Where(s => s.SeparateFrom.Count > 0).Select(s => s.Name));
        Assert.All(V1.Steps, s => Assert.Empty(s.SeparateFrom));
    }

    [Fact]
    public void V2_DiffersFromV1_OnlyInSeparationOfDuties()
    {
        Assert.Equal(V1.Transitions, V2.Transitions);
        Assert.Equal((V1.InitialStep, V1.TitleZh, V1.TitleEn), (V2.InitialStep, V2.TitleZh, V2.TitleEn));
        Assert.Equal(V1.Steps.Count, V2.Steps.Count);
        foreach (var (one, two) in V1.Steps.Zip(V2.Steps))
        {
            Assert.Equal(
                (one.Name, one.Kind, one.Role, one.TimeLimit, one.RemindBefore, one.TitleZh, one.TitleEn),
                (two.Name, two.Kind, two.Role, two.TimeLimit, two.RemindBefore, two.TitleZh, two.TitleEn));
            Assert.Equal(one.OnEnter, two.OnEnter);
            Assert.Equal(one.LineActions, two.LineActions);
            Assert.Equal(one.Parameters, two.Parameters);
        }
    }

    [Fact]
    public void Fire_RefusesTheSubmitter_AtTownshipReview_WithTheStepNamedInChinese()
    {
        foreach (var (action, comment) in new[] { ("Approve", (string?)null), ("Return", "请补充材料"), ("Reject", "重复申报") })
        {
            var ex = Assert.Throws<WorkflowException>(() =>
                _runner.Fire(V2, "TownshipReview", action, Clerk, Always, comment, SubmittedByClerk));

            Assert.Equal(WorkflowErrorCodes.SeparationOfDuties, ex.Code);
            Assert.Equal("您已办理本案件的“申报提交”环节，按职责分离规定不能办理本环节", ex.MessageZh);
            Assert.Contains("u-clerk", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PermittedActions_OfferTownshipReview_ToTheSecondClerk_AndNothingToTheSubmitter()
    {
        Assert.Empty(_runner.PermittedActions(V2, "TownshipReview", Clerk, Always, SubmittedByClerk));
        Assert.Equal(["Approve", "Return", "Reject"], _runner.PermittedActions(V2, "TownshipReview", SecondClerk, Always, SubmittedByClerk));

        var r = _runner.Fire(V2, "TownshipReview", "Approve", SecondClerk, Always, null, SubmittedByClerk);
        Assert.Equal(("CountyReview", "u-clerk.review", "standard-subsidy@2"), (r.ToStep, r.ActorUserId, r.VersionKey));
    }

    [Fact]
    public void Fire_RefusesWhoeverResubmitted_AtTownshipReview()
    {
        PriorAct[] history = [.. SubmittedByClerk, new("TownshipReview", "u-clerk.review"), new("Returned", "u-clerk.review")];

        var ex = Assert.Throws<WorkflowException>(() => _runner.Fire(V2, "TownshipReview", "Approve", SecondClerk, Always, null, history));

        Assert.Equal(WorkflowErrorCodes.SeparationOfDuties, ex.Code);
        Assert.Equal("您已办理本案件的“退回修改”环节，按职责分离规定不能办理本环节", ex.MessageZh);
        Assert.Empty(_runner.PermittedActions(V2, "TownshipReview", SecondClerk, Always, history));
        // The original submitter is still separated too; the case needs a third clerk.
        Assert.Empty(_runner.PermittedActions(V2, "TownshipReview", Clerk, Always, history));
    }

    [Fact]
    public void Fire_RefusesAFinanceReviewer_WhoActedAtCountyReviewOrObjectionReview()
    {
        PriorAct[] history =
        [
            .. SubmittedByClerk, new("TownshipReview", "u-clerk.review"), new("CountyReview", "u-finance"),
            new("SampleCheck", "u-inspector"), new("Publicity", "system"), new("ObjectionReview", "u-finance"),
        ];

        var ex = Assert.Throws<WorkflowException>(() => _runner.Fire(V2, "FinanceRecheck", "Approve", Finance, Always, null, history));

        Assert.Equal(WorkflowErrorCodes.SeparationOfDuties, ex.Code);
        Assert.Equal("您已办理本案件的“县级主管部门审核、异议处理”环节，按职责分离规定不能办理本环节", ex.MessageZh);
        Assert.Empty(_runner.PermittedActions(V2, "FinanceRecheck", Finance, Always, history));
        Assert.Equal(["Approve", "Return"], _runner.PermittedActions(V2, "FinanceRecheck", Finance, Always, [.. history.Where(a => a.UserId != "u-finance")]));
    }

    [Fact]
    public void RoleIsCheckedFirst_SoAnotherRoleStillGetsRoleNotPermitted()
    {
        var ex = Assert.Throws<WorkflowException>(() =>
            _runner.Fire(V2, "TownshipReview", "Approve", Actor.User("u-clerk", "CountyReviewer"), Always, null, SubmittedByClerk));

        Assert.Equal(WorkflowErrorCodes.RoleNotPermitted, ex.Code);
    }

    [Fact]
    public void Version1_HasNoSeparation_SoItsSubmitterMayStillApprove()
    {
        Assert.Equal(["Approve", "Return", "Reject"], _runner.PermittedActions(V1, "TownshipReview", Clerk, Always, SubmittedByClerk));
        Assert.Equal("CountyReview", _runner.Fire(V1, "TownshipReview", "Approve", Clerk, Always, null, SubmittedByClerk).ToStep);
    }

    [Fact]
    public void AHostThatForgetsTheHistory_FailsClosed_ForUsers_ButTheSystemNeedsNone()
    {
        Assert.Throws<ArgumentNullException>(() => _runner.PermittedActions(V2, "TownshipReview", SecondClerk, Always));
        Assert.Throws<ArgumentNullException>(() => _runner.Fire(V2, "TownshipReview", "Approve", SecondClerk, Always, null));
        Assert.Empty(_runner.PermittedActions(V2, "TownshipReview", Actor.System, Always));
    }

    [Fact]
    public void PreparedBy_ListsTheDeclaredStepsTheUserActedIn_InDeclarationOrder()
    {
        PriorAct[] history = [new("ObjectionReview", "u-x"), new(WorkflowDefinition.Submission, "u-x"), new("CountyReview", "u-y")];

        Assert.Equal(["Submit", "ObjectionReview"], V2.PreparedBy("FinanceRecheck", "u-x", history));
        Assert.Equal(["CountyReview"], V2.PreparedBy("FinanceRecheck", "u-y", history));
        Assert.Empty(V2.PreparedBy("CountyReview", "u-y", history));
        Assert.Empty(V2.PreparedBy("FinanceRecheck", "system", [new("CountyReview", "system")]));
    }

    [Fact]
    public void Version4_SeparatesEveryCheckingStep_SoAUserHoldingClerkAndReviewerCannotCountyReviewTheirOwnSubmission()
    {
        var v3 = Catalog.Get("standard-subsidy", 3);
        var v4 = Catalog.Get("standard-subsidy", 4);
        Assert.Equal(v3.Transitions, v4.Transitions);
        foreach (var (three, four) in v3.Steps.Zip(v4.Steps, (a, b) => (a, b)))
        {
            Assert.Equal((three.Name, three.Kind, three.Role, three.TimeLimit, three.RemindBefore, three.Escalate, string.Join(",", three.OnEnter), string.Join(",", three.LineActions)),
                (four.Name, four.Kind, four.Role, four.TimeLimit, four.RemindBefore, four.Escalate, string.Join(",", four.OnEnter), string.Join(",", four.LineActions)));
        }
        PriorAct[] history = [new(WorkflowDefinition.Submission, "u-both"), new("TownshipReview", "u-clerk2"), new("CountyReview", "u-reviewer")];

        Assert.Equal(["TownshipReview", "CountyReview", "SampleCheck", "ObjectionReview", "FinanceRecheck"],
            v4.Steps.Where(s => s.SeparateFrom.Count > 0).Select(s => s.Name));
        Assert.Equal(["Submit"], v4.PreparedBy("CountyReview", "u-both", history));
        Assert.Equal(["Submit"], v4.PreparedBy("ObjectionReview", "u-both", history));
        Assert.Equal(["TownshipReview"], v4.PreparedBy("CountyReview", "u-clerk2", history));
        Assert.Equal(["CountyReview"], v4.PreparedBy("SampleCheck", "u-reviewer", history));
        Assert.Empty(v4.PreparedBy("ObjectionReview", "u-reviewer", history));
        Assert.Empty(v3.PreparedBy("CountyReview", "u-both", history));
    }

    [Fact]
    public void Version5_AllowsLineCorrectionsInReturnedAndTownshipReviewOnly_AndKeepsVersion4sTransitionsAndSeparation()
    {
        var v4 = Catalog.Get("standard-subsidy", 4);
        var v5 = Catalog.Get("standard-subsidy", 5);
        Assert.Same(v5, Catalog.Latest("standard-subsidy"));
        Assert.Equal(v4.Transitions, v5.Transitions);
        Assert.Equal(v4.Steps.Select(s => (s.Name, string.Join(",", s.SeparateFrom), string.Join(",", s.LineActions))),
            v5.Steps.Select(s => (s.Name, string.Join(",", s.SeparateFrom), string.Join(",", s.LineActions))));
        Assert.Equal(["TownshipReview", "Returned"], v5.Steps.Where(s => s.AllowsLineCorrections).Select(s => s.Name));
        Assert.DoesNotContain(v4.Steps, s => s.AllowsLineCorrections);
    }
}

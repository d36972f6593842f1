using Microsoft.Extensions.Time.Testing;
using static OneCard.Workflows.Tests.TestData;

namespace OneCard.Workflows.Tests.Running;

/// <summary>One case through the shipped standard-subsidy@1, as the Host would drive it.</summary>
public class StandardSubsidyWalkthroughTests
{
    private static readonly Actor Clerk = Actor.User("u-clerk", "TownshipClerk");
    private static readonly Actor County = Actor.User("u-county", "CountyReviewer");
    private static readonly Actor Inspector = Actor.User("u-inspector", "Inspector");
    private static readonly Actor Finance = Actor.User("u-finance", "FinanceReviewer");

    private readonly WorkflowDefinition _def = StandardSubsidy;
    private readonly FakeTimeProvider _time = new(Cst(2026, 2, 12, 9));
    private readonly Dictionary<string, bool> _facts = [];
    private readonly WorkflowRunner _runner;

    public StandardSubsidyWalkthroughTests() => _runner = new WorkflowRunner(OfficialCalendar, _time);

    // An unknown guard name is a test bug, not "false".
    private bool Guard(string name) => _facts.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException(name);

    private IReadOnlyList<string> Permitted(string step, Actor actor) => _runner.PermittedActions(_def, step, actor, Guard);

    private TransitionResult Fire(string step, string action, Actor actor, string? comment = null) =>
        _runner.Fire(_def, step, action, actor, Guard, comment);

    private WorkflowException Refused(string step, string action, Actor actor, string? comment = null) =>
        Assert.Throws<WorkflowException>(() => Fire(step, action, actor, comment));

    [Fact]
    public void Walkthrough_FromTownshipReviewToPublicized()
    {
        // Township review: 5 working days from Thu 2026-02-12 across the Spring Festival.
        var step = _def.InitialStep;
        var entry = _runner.DeadlineFor(_def, step, _time.GetUtcNow())!;
        Assert.Equal(Cst(2026, 2, 27), entry.DueAt);
        Assert.Equal(Cst(2026, 2, 26), entry.RemindAt);
        Assert.Equal(["Approve", "Return", "Reject"], Permitted(step, Clerk));
        Assert.Empty(Permitted(step, County));
        Assert.Empty(Permitted(step, Actor.System));

        // Returning needs a reason.
        Assert.Equal(WorkflowErrorCodes.CommentRequired, Refused(step, "Return", Clerk).Code);
        Assert.Equal(WorkflowErrorCodes.CommentRequired, Refused(step, "Return", Clerk, "   ").Code);
        var r = Fire(step, "Return", Clerk, "  请补充身份证复印件 ");
        Assert.Equal(("TownshipReview", "Returned", "请补充身份证复印件"), (r.FromStep, r.ToStep, r.Comment));
        Assert.Equal(Cst(2026, 2, 27), r.Deadline!.DueAt);
        Assert.Null(r.Deadline.RemindAt);
        step = r.ToStep;

        // Resubmitted the next day: a fresh 5 working days from Fri 02-13.
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(["Resubmit", "Withdraw"], Permitted(step, Clerk));
        r = Fire(step, "Resubmit", Clerk);
        Assert.Equal("TownshipReview", r.ToStep);
        Assert.Equal(Cst(2026, 2, 28), r.Deadline!.DueAt); // 02-14, 02-24, 02-25, 02-26, 02-27
        step = r.ToStep;

        // A county reviewer cannot act for the township.
        Assert.Equal(WorkflowErrorCodes.RoleNotPermitted, Refused(step, "Approve", County).Code);
        r = Fire(step, "Approve", Clerk);
        Assert.Equal(("CountyReview", false, "standard-subsidy@1", "u-clerk"), (r.ToStep, r.IsFinal, r.VersionKey, r.ActorUserId));
        Assert.Equal(_time.GetUtcNow(), r.At);
        step = r.ToStep;

        // County approves on Mon 03-02: sample check, 10 working days, reminder 2 before.
        _time.SetUtcNow(Cst(2026, 3, 2, 10));
        Assert.Equal(["Approve", "Return", "Reject"], Permitted(step, County));
        r = Fire(step, "Approve", County);
        Assert.Equal("SampleCheck", r.ToStep);
        Assert.Equal(["DrawSample"], r.OnEnter);
        Assert.Equal(Cst(2026, 3, 17), r.Deadline!.DueAt); // 03-03 … 03-16
        Assert.Equal(Cst(2026, 3, 13), r.Deadline.RemindAt); // end of the 8th working day, 03-12
        step = r.ToStep;

        // The inspector cannot complete before every sampled line is checked.
        _facts["AllSampledLinesChecked"] = false;
        Assert.Empty(Permitted(step, Inspector));
        var guardFailed = Refused(step, "Complete", Inspector);
        Assert.Equal(WorkflowErrorCodes.GuardFailed, guardFailed.Code);
        Assert.Equal(["AllSampledLinesChecked"], guardFailed.UnmetGuards);

        _facts["AllSampledLinesChecked"] = true;
        _time.SetUtcNow(Cst(2026, 3, 10, 16));
        Assert.Equal(["Complete"], Permitted(step, Inspector));
        r = Fire(step, "Complete", Inspector);
        Assert.Equal(("Publicity", "AllSampledLinesChecked"), (r.ToStep, r.Guard));
        Assert.Equal(["StartPublicity"], r.OnEnter);
        Assert.Equal(Cst(2026, 3, 18), r.Deadline!.DueAt); // 公示 7 calendar days: end of 03-17
        step = r.ToStep;

        // Publicity ends only by the system, when its time is up.
        _facts["HasOpenObjections"] = true;
        _facts["NoOpenObjections"] = false;
        Assert.Empty(Permitted(step, County));
        Assert.Equal(WorkflowErrorCodes.RoleNotPermitted, Refused(step, "PublicityEnded", County).Code);
        Assert.Equal(["PublicityEnded"], Permitted(step, Actor.System));
        _time.SetUtcNow(r.Deadline.DueAt);
        r = Fire(step, Assert.Single(_def.SystemActions(step)), Actor.System);
        Assert.Equal(("ObjectionReview", "HasOpenObjections", "system"), (r.ToStep, r.Guard, r.ActorUserId));
        Assert.Equal(Cst(2026, 3, 24), r.Deadline!.DueAt); // entered Wed 03-18, which does not count: 03-19, 03-20, 03-23
        step = r.ToStep;

        // Objections must be resolved before completing.
        Assert.Empty(Permitted(step, County));
        Assert.Equal(WorkflowErrorCodes.GuardFailed, Refused(step, "Complete", County).Code);
        _facts["HasOpenObjections"] = false;
        _facts["NoOpenObjections"] = true;
        r = Fire(step, "Complete", County);
        Assert.Equal("FinanceRecheck", r.ToStep);
        step = r.ToStep;

        // Finance: returning needs a comment; approving starts payment.
        Assert.Equal(["Approve", "Return"], Permitted(step, Finance));
        Assert.Equal(WorkflowErrorCodes.CommentRequired, Refused(step, "Return", Finance).Code);
        r = Fire(step, "Approve", Finance);
        Assert.Equal(("Payment", false), (r.ToStep, r.IsFinal));
        Assert.Equal(["CreatePaymentBatch"], r.OnEnter);
        Assert.NotNull(r.Deadline);
        step = r.ToStep;

        // Payment ends when every payment is terminal, and only the system says so.
        _facts["AllPaymentsTerminal"] = false;
        Assert.Equal(WorkflowErrorCodes.RoleNotPermitted, Refused(step, "BankResultsReconciled", Finance).Code);
        Assert.Equal(WorkflowErrorCodes.GuardFailed, Refused(step, "BankResultsReconciled", Actor.System).Code);
        _facts["AllPaymentsTerminal"] = true;
        r = Fire(step, "BankResultsReconciled", Actor.System);
        Assert.Equal(("Publicized", true), (r.ToStep, r.IsFinal));
        Assert.Equal(["Publish"], r.OnEnter);
        Assert.Null(r.Deadline);
        step = r.ToStep;

        // Nothing leaves a final step.
        Assert.Empty(Permitted(step, Actor.System));
        Assert.Empty(Permitted(step, Finance));
        Assert.Equal(WorkflowErrorCodes.TransitionNotAllowed, Refused(step, "Approve", Finance).Code);
    }

    [Fact]
    public void PublicityEnded_GoesToFinanceRecheck_WhenThereAreNoObjections()
    {
        _facts["HasOpenObjections"] = false;
        _facts["NoOpenObjections"] = true;

        var r = Fire("Publicity", "PublicityEnded", Actor.System);

        Assert.Equal(("FinanceRecheck", "NoOpenObjections"), (r.ToStep, r.Guard));
    }

    [Fact]
    public void Reject_EndsInRejected_WithTheReason()
    {
        Assert.Equal(WorkflowErrorCodes.CommentRequired, Refused("CountyReview", "Reject", County).Code);

        var r = Fire("CountyReview", "Reject", County, "不符合补贴条件");

        Assert.Equal(("Rejected", true, "不符合补贴条件"), (r.ToStep, r.IsFinal, r.Comment));
        Assert.Empty(r.OnEnter);
    }

    [Fact]
    public void Withdraw_EndsInWithdrawn_WithoutComment()
    {
        var r = Fire("Returned", "Withdraw", Clerk);

        Assert.Equal(("Withdrawn", true, null), (r.ToStep, r.IsFinal, r.Comment));
    }

    [Fact]
    public void Fire_Throws_TransitionNotAllowed_ForAnActionTheStepDoesNotHave()
    {
        Assert.Equal(WorkflowErrorCodes.TransitionNotAllowed, Refused("TownshipReview", "Complete", Clerk).Code);
        Assert.Equal(WorkflowErrorCodes.TransitionNotAllowed, Refused("Returned", "Approve", Clerk).Code);
    }

    [Fact]
    public void Fire_Throws_UnknownStep_ForAStepNotInTheDefinition()
    {
        Assert.Equal(WorkflowErrorCodes.UnknownStep, Refused("Approved", "Approve", Clerk).Code);
        Assert.Equal(WorkflowErrorCodes.UnknownStep,
            Assert.Throws<WorkflowException>(() => Permitted("Approved", Clerk)).Code);
    }

    [Fact]
    public void Fire_Throws_GuardsAmbiguous_WhenTheHostsGuardsBothHold()
    {
        _facts["HasOpenObjections"] = true;
        _facts["NoOpenObjections"] = true;

        Assert.Equal(WorkflowErrorCodes.GuardsAmbiguous, Refused("Publicity", "PublicityEnded", Actor.System).Code);
        Assert.Equal(WorkflowErrorCodes.GuardsAmbiguous,
            Assert.Throws<WorkflowException>(() => Permitted("Publicity", Actor.System)).Code);
    }

    [Fact]
    public void Fire_Throws_GuardFailed_NamingEveryUnmetGuard()
    {
        _facts["HasOpenObjections"] = false;
        _facts["NoOpenObjections"] = false;

        var ex = Refused("Publicity", "PublicityEnded", Actor.System);

        Assert.Equal(["HasOpenObjections", "NoOpenObjections"], ex.UnmetGuards);
    }

    [Fact]
    public void Fire_AsksEachGuardOnce()
    {
        var asked = new List<string>();
        bool Counting(string name)
        {
            asked.Add(name);
            return name == "NoOpenObjections";
        }

        _runner.Fire(_def, "Publicity", "PublicityEnded", Actor.System, Counting, null);

        Assert.Equal(["HasOpenObjections", "NoOpenObjections"], asked.Order());
    }

    [Fact]
    public void Fire_PropagatesAGuardException_RatherThanTreatingItAsFalse()
    {
        Assert.Throws<KeyNotFoundException>(() => Fire("SampleCheck", "Complete", Inspector));
    }

    [Fact]
    public void Fire_LetsAUserWithSeveralRolesActInEach()
    {
        var both = Actor.User("u-both", "TownshipClerk", "CountyReviewer");

        Assert.Equal("CountyReview", Fire("TownshipReview", "Approve", both).ToStep);
        Assert.Equal("SampleCheck", Fire("CountyReview", "Approve", both).ToStep);
    }

    [Fact]
    public void SystemActor_CannotTakeHumanActions()
    {
        Assert.Equal(WorkflowErrorCodes.RoleNotPermitted, Refused("FinanceRecheck", "Approve", Actor.System).Code);
    }

    public static TheoryData<string, string, string> PermittedByRole()
    {
        var expected = new Dictionary<(string Step, string Role), string>
        {
            [("TownshipReview", "TownshipClerk")] = "Approve,Return,Reject",
            [("Returned", "TownshipClerk")] = "Resubmit,Withdraw",
            [("CountyReview", "CountyReviewer")] = "Approve,Return,Reject",
            [("SampleCheck", "Inspector")] = "Complete",
            [("Publicity", "System")] = "PublicityEnded",
            [("ObjectionReview", "CountyReviewer")] = "Complete",
            [("FinanceRecheck", "FinanceReviewer")] = "Approve,Return",
            [("Payment", "System")] = "BankResultsReconciled",
        };
        var data = new TheoryData<string, string, string>();
        foreach (var step in StandardSubsidy.Steps)
        {
            foreach (var role in new[] { "TownshipClerk", "CountyReviewer", "Inspector", "FinanceReviewer", "System" })
            {
                data.Add(step.Name, role, expected.GetValueOrDefault((step.Name, role), ""));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PermittedByRole))]
    public void PermittedActions_ForEachStepAndRole_WhenGuardsAllowProgress(string step, string role, string expected)
    {
        var actor = role == Actor.SystemRole ? Actor.System : Actor.User("u-" + role, role);
        bool progress(string guard) => guard != "HasOpenObjections"; // every other guard holds

        var actions = _runner.PermittedActions(_def, step, actor, progress);

        Assert.Equal(expected, string.Join(",", actions));
    }
}

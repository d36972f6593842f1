using Microsoft.Extensions.Time.Testing;
using static OneCard.Workflows.Tests.TestData;

namespace OneCard.Workflows.Tests.Running;

/// <summary>
/// Issue 6, item 9: the complaint definition (受理 → 核查 → 答复) runs on the runner with no code of its own, its deadlines
/// counted across the 2026 National Day holiday (1–7 Oct) and its make-up working days (Sun 20 Sep, Sat 10 Oct).
/// </summary>
public class ComplaintHandlingWalkthroughTests
{
    private static readonly Actor Reviewer = new("reviewer", new HashSet<string> { "CountyReviewer" });

    [Fact]
    public void Complaint_RunsEndToEnd_WithDeadlinesAcrossNationalDay2026()
    {
        var def = Catalog.Latest("complaint-handling");
        var clock = new FakeTimeProvider(Cst(2026, 9, 18, 10));
        var runner = new WorkflowRunner(OfficialCalendar, clock);

        // Received Friday 18 Sep: Sun 20 Sep is a make-up working day, so three working days end with Tue 22 Sep.
        var accept = runner.DeadlineFor(def, def.InitialStep, clock.GetUtcNow())!;
        Assert.Equal((Cst(2026, 9, 23), Cst(2026, 9, 22)), (accept.DueAt, accept.RemindAt));

        // Accepted Mon 28 Sep: 29, 30 Sep, (1–7 Oct off), 8, 9, Sat 10 (make-up), 12–16 Oct.
        clock.SetUtcNow(Cst(2026, 9, 28, 9));
        var investigate = runner.Fire(def, "Accept", "Approve", Reviewer, _ => true, null);
        Assert.Equal(("Investigate", Cst(2026, 10, 17), Cst(2026, 10, 15)), (investigate.ToStep, investigate.Deadline!.DueAt, investigate.Deadline.RemindAt));

        // Investigated Fri 9 Oct: Sat 10 Oct (make-up), 12, 13, 14, 15 Oct.
        clock.SetUtcNow(Cst(2026, 10, 9, 15));
        var reply = runner.Fire(def, "Investigate", "Complete", Reviewer, _ => true, null);
        Assert.Equal(("Reply", Cst(2026, 10, 16), Cst(2026, 10, 15)), (reply.ToStep, reply.Deadline!.DueAt, reply.Deadline.RemindAt));

        clock.SetUtcNow(Cst(2026, 10, 14, 11));
        var replied = runner.Fire(def, "Reply", "Complete", Reviewer, _ => true, "已书面答复投诉人");
        Assert.True(replied.IsFinal);
        Assert.Equal("已答复", def.Step(replied.ToStep).TitleZh);
    }

    [Fact]
    public void ComplaintDefinition_NamesNoGuardEffectOrLineAction()
    {
        var def = Catalog.Latest("complaint-handling");

        Assert.All(def.Steps, s => Assert.Empty(s.OnEnter));
        Assert.All(def.Steps, s => Assert.Empty(s.LineActions));
        Assert.All(def.Transitions, t => Assert.Null(t.Guard));
    }
}

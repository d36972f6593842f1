using Microsoft.Extensions.Time.Testing;
using static OneCard.Workflows.Tests.TestData;

namespace OneCard.Workflows.Tests.Running;

public class WorkflowRunnerTests
{
    private static readonly Actor Clerk = Actor.User("u-1", "Clerk");
    private readonly WorkflowDefinition _def = WorkflowDefinitionLoader.Load(Fixture("guarded-same-action.json"), "guarded-same-action.json");
    private readonly WorkflowRunner _runner = new(OfficialCalendar, new FakeTimeProvider(Cst(2026, 10, 9, 17)));

    [Fact]
    public void Fire_ChoosesTheRowWhoseGuardHolds()
    {
        var done = _runner.Fire(_def, "Review", "Approve", Clerk, g => g == "IsComplete", null);
        var cancelled = _runner.Fire(_def, "Review", "Approve", Clerk, g => g == "IsEmpty", null);

        Assert.Equal(("Done", "IsComplete"), (done.ToStep, done.Guard));
        Assert.Equal(("Cancelled", "IsEmpty"), (cancelled.ToStep, cancelled.Guard));
    }

    [Fact]
    public void Fire_ReentersTheSameStep_AndRestartsItsDeadline()
    {
        var r = _runner.Fire(_def, "Review", "Reassign", Clerk, _ => false, "交由同事办理");

        Assert.Equal(("Review", "Review"), (r.FromStep, r.ToStep));
        // Entered Fri 2026-10-09 17:00: Sat 10-10 (make-up), Mon 10-12, Tue 10-13.
        Assert.Equal(Cst(2026, 10, 14), r.Deadline!.DueAt);
    }

    [Fact]
    public void PermittedActions_ListsEachActionOnce_InDefinitionOrder()
    {
        Assert.Equal(["Approve", "Reassign"], _runner.PermittedActions(_def, "Review", Clerk, g => g == "IsEmpty"));
        Assert.Equal(["Reassign"], _runner.PermittedActions(_def, "Review", Clerk, _ => false));
        Assert.Empty(_runner.PermittedActions(_def, "Review", Actor.User("u-2", "Other"), _ => true));
    }

    [Fact]
    public void DeadlineFor_IsNull_ForAStepWithoutTimeLimit()
    {
        Assert.Null(_runner.DeadlineFor(_def, "Done", Cst(2026, 10, 9)));
    }

    [Fact]
    public void Actor_System_HoldsOnlyTheReservedRole()
    {
        Assert.True(Actor.System.IsSystem);
        Assert.Equal(["System"], Actor.System.Roles);
        Assert.False(Clerk.IsSystem);
    }
}

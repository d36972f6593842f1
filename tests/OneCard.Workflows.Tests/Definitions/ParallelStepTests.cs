using System.Text.Json.Nodes;
using static OneCard.Workflows.Tests.TestData;
using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows.Tests.Definitions;

/// <summary>Issue 6, item 1: a Parallel step opens several branch tasks at once where the definition says so.</summary>
public class ParallelStepTests
{
    private const string File = "parallel-joint-review.json";

    private static string Joint(string ownerPath, Action<JsonNode> change) => Mutate(Fixture(File), ownerPath, change);

    private static WorkflowDefinitionError ErrorAt(string json, string code, string path) =>
        Assert.Single(WorkflowDefinitionLoader.Validate(json, File), e => e.Code == code && e.Path == path);

    [Fact]
    public void Load_ReadsBranches_AndKnowsEachBranchsParallelStep()
    {
        var def = WorkflowDefinitionLoader.Load(Fixture(File), File);

        Assert.Equal(StepKind.Parallel, def.Step("JointReview").Kind);
        Assert.Equal(["FinanceOpinion", "CountyOpinion"], def.Step("JointReview").Branches);
        Assert.Equal("JointReview", def.ParallelOf("FinanceOpinion"));
        Assert.Null(def.ParallelOf("Draft"));
        Assert.Empty(def.Step("Draft").Branches);
    }

    [Fact]
    public void Fire_OnABranch_CompletesTheBranch_LeavingOnlyThroughItsOwnRoleAndTheJoinAsTheSystem()
    {
        var def = WorkflowDefinitionLoader.Load(Fixture(File), File);
        var runner = new WorkflowRunner(OfficialCalendar, TimeProvider.System);
        var finance = new Actor("f1", new HashSet<string> { "FinanceReviewer" });

        var done = runner.Fire(def, "FinanceOpinion", "Agree", finance, _ => true, null);
        var refused = runner.Fire(def, "FinanceOpinion", "Refuse", finance, _ => true, "材料不全");

        Assert.True(def.CompletesBranch(done));
        Assert.False(def.CompletesBranch(refused));
        Assert.Equal(["AllAgreed"], runner.PermittedActions(def, "JointReview", Actor.System, _ => true));
        Assert.Empty(runner.PermittedActions(def, "JointReview", finance, _ => true));
        var denied = Assert.Throws<WorkflowException>(() => runner.Fire(def, "CountyOpinion", "Agree", finance, _ => true, null));
        Assert.Equal(WorkflowErrorCodes.RoleNotPermitted, denied.Code);
    }

    [Fact]
    public void Validate_RefusesABranchThatIsNotAHumanStep_AtTheBranch()
    {
        var json = Joint("$.steps[1].branches", b => b[1] = "Done");

        var error = ErrorAt(json, InvalidParallel, "$.steps[1].branches[1]");
        Assert.Contains("并行分支只能是人工步骤", error.MessageZh, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesAnUnknownBranch_AtTheBranch()
    {
        var json = Joint("$.steps[1].branches", b => b[0] = "FinanceOpinon");

        Assert.Contains("FinanceOpinon", ErrorAt(json, UnknownStep, "$.steps[1].branches[0]").MessageZh, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesAParallelStepWithOneBranch()
    {
        var json = Joint("$.steps[1]", s => s["branches"] = new JsonArray("FinanceOpinion"));

        ErrorAt(json, InvalidParallel, "$.steps[1].branches");
    }

    [Fact]
    public void Validate_RefusesBranchesOnAStepThatIsNotParallel()
    {
        var json = Joint("$.steps[0]", s => s["branches"] = new JsonArray("FinanceOpinion", "CountyOpinion"));

        ErrorAt(json, InvalidParallel, "$.steps[0].branches");
    }

    [Fact]
    public void Validate_RefusesAPersonLeavingTheParallelStep_ForTheJoinIsTheSystems()
    {
        var json = Joint("$.transitions[4]", t => t["role"] = "CountyReviewer");

        ErrorAt(json, InvalidParallel, "$.transitions[4].role");
    }

    [Fact]
    public void Validate_RefusesAnotherStepEnteringABranch_AtTheTransition()
    {
        var json = Joint("$.transitions[0]", t => t["to"] = "FinanceOpinion");

        ErrorAt(json, InvalidParallel, "$.transitions[0].to");
    }

    [Fact]
    public void Validate_RefusesABranchWithNoWayBackToItsParallelStep()
    {
        var json = Joint("$.transitions[3]", t => t["to"] = "Done");

        ErrorAt(json, InvalidParallel, "$.steps[3]");
    }

    [Fact]
    public void Validate_RefusesAParallelStepWithATimeLimitOrARole()
    {
        var json = Joint("$.steps[1]", s => { s["timeLimit"] = JsonNode.Parse("""{ "amount": 3, "unit": "WorkingDays" }"""); s["role"] = "CountyReviewer"; });

        ErrorAt(json, InvalidTimeLimit, "$.steps[1].timeLimit");
        ErrorAt(json, InvalidValue, "$.steps[1].role");
    }
}

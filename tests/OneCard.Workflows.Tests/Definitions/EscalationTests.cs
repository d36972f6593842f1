using Microsoft.Extensions.Time.Testing;
using static OneCard.Workflows.Tests.TestData;
using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows.Tests.Definitions;

/// <summary>Issue 6, item 4: a Human step's escalation (上报) after a grace period, read, checked and counted on the calendar.</summary>
public class EscalationTests
{
    private static readonly WorkflowDefinition V2 = Catalog.Get("standard-subsidy", 2);
    private static readonly WorkflowDefinition V3 = Catalog.Get("standard-subsidy", 3);

    private static string WithEscalation(string stepPath, string toRole = "Supervisor", string toLevel = "Up", string unit = "WorkingDays") =>
        Mutate(stepPath, step => step["escalate"] = System.Text.Json.Nodes.JsonNode.Parse(
            $$"""{ "after": { "amount": 2, "unit": "{{unit}}" }, "toRole": "{{toRole}}", "toLevel": "{{toLevel}}" }"""));

    [Fact]
    public void Load_ReadsTheEscalation()
    {
        var def = WorkflowDefinitionLoader.Load(WithEscalation("$.steps[0]", toLevel: "Same"), "m.json");

        Assert.Equal(new Escalation(new TimeLimit(2, TimeUnit.WorkingDays), "Supervisor", EscalationLevel.Same), def.Step("Review").Escalate);
        Assert.Null(def.Step("Done").Escalate);
    }

    [Fact]
    public void Validate_RefusesEscalationOnAStepThatIsNeitherHumanNorSystem()
    {
        var json = WithEscalation("$.steps[1]");

        var error = Assert.Single(WorkflowDefinitionLoader.Validate(json, "m.json"));

        Assert.Equal((InvalidEscalation, "$.steps[1].escalate"), (error.Code, error.Path));
        Assert.Equal("只有人工步骤和系统步骤可以设置上报（escalate）。", error.MessageZh);
    }

    [Fact]
    public void Validate_RefusesEscalationToARoleNobodyHolds_NamingTheKnownRoles()
    {
        var json = WithEscalation("$.steps[0]", toRole: "Supervisr");

        var error = Assert.Single(WorkflowDefinitionLoader.Validate(json, "m.json"));

        Assert.Equal((InvalidEscalation, "$.steps[0].escalate.toRole"), (error.Code, error.Path));
        Assert.Contains("Supervisr", error.MessageZh, StringComparison.Ordinal);
        Assert.Contains("Supervisor", error.MessageZh, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Down", "$.steps[0].escalate.toLevel", InvalidValue)]
    [InlineData("Same", "$.steps[0].escalate.after.unit", UnknownUnit)]
    public void Validate_LocatesSchemaErrorsInsideTheEscalation(string toLevel, string path, string code)
    {
        var json = WithEscalation("$.steps[0]", toLevel: toLevel, unit: toLevel == "Down" ? "WorkingDays" : "Hours");

        var error = Assert.Single(WorkflowDefinitionLoader.Validate(json, "m.json"));

        Assert.Equal((code, path), (error.Code, error.Path));
    }

    [Fact]
    public void DeadlineFor_AddsTheGraceOnTheWorkingDayCalendar_FromTheDueTime()
    {
        var runner = new WorkflowRunner(OfficialCalendar, new FakeTimeProvider(Cst(2026, 9, 28, 9)));
        var def = WorkflowDefinitionLoader.Load(WithEscalation("$.steps[0]"), "m.json");

        // Entered Mon 2026-09-28: 3 working days Tue 29, Wed 30, Thu 10-08 (National Day 10-01…10-07) — due Fri 10-09 00:00.
        // Grace 2 working days across the holiday's make-up day: Fri 10-09 and Sat 10-10 (调休上班), so escalation at Sun 10-11 00:00.
        var deadline = runner.DeadlineFor(def, "Review", Cst(2026, 9, 28, 9))!;

        Assert.Equal(Cst(2026, 10, 9), deadline.DueAt);
        Assert.Equal(Cst(2026, 10, 11), deadline.EscalateAt);
    }

    [Fact]
    public void DeadlineFor_HasNoEscalation_WhereTheStepHasNone()
    {
        var runner = new WorkflowRunner(OfficialCalendar, new FakeTimeProvider(Cst(2026, 3, 2, 9)));

        Assert.Null(runner.DeadlineFor(V2, "TownshipReview", Cst(2026, 3, 2, 9))!.EscalateAt);
    }

    [Fact]
    public void StandardSubsidyV3_IsV2WithEscalationToTheSupervisorUpOnEveryHumanStep()
    {
        Assert.Equal(V2.Transitions, V3.Transitions);
        var escalation = new Escalation(new TimeLimit(2, TimeUnit.WorkingDays), "Supervisor", EscalationLevel.Up);
        foreach (var (two, three) in V2.Steps.Zip(V3.Steps, (a, b) => (a, b)))
        {
            Assert.Equal((two.Name, two.Kind, two.Role, two.TimeLimit, two.RemindBefore, two.TitleZh),
                (three.Name, three.Kind, three.Role, three.TimeLimit, three.RemindBefore, three.TitleZh));
            Assert.Equal([.. two.OnEnter, "|", .. two.LineActions, "|", .. two.SeparateFrom], [.. three.OnEnter, "|", .. three.LineActions, "|", .. three.SeparateFrom]);
            Assert.Equal(two.Kind == StepKind.Human ? escalation : null, three.Escalate);
        }
    }

    [Fact]
    public void After_CountsFromTheDayThatEnded_NotFromTheNextDay()
    {
        // Due Tue 2026-03-10 00:00 (Monday was the last allowed day): 2 working days of grace are Tue 10 and Wed 11.
        Assert.Equal(Cst(2026, 3, 12), OfficialCalendar.After(Cst(2026, 3, 10), new TimeLimit(2, TimeUnit.WorkingDays)));
        Assert.Equal(Cst(2026, 3, 12), OfficialCalendar.After(Cst(2026, 3, 10), new TimeLimit(2, TimeUnit.CalendarDays)));
    }
}

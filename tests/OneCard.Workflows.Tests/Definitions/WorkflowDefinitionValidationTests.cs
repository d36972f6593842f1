using System.Text.Json.Nodes;
using static OneCard.Workflows.Tests.TestData;
using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows.Tests.Definitions;

public class WorkflowDefinitionValidationTests
{
    [Fact]
    public void Load_ReadsMinimalDefinition()
    {
        var def = WorkflowDefinitionLoader.Load(Fixture("valid-minimal.json"), "valid-minimal.json");

        Assert.Equal("mini@1", def.VersionKey);
        Assert.Equal("Review", def.InitialStep);
        Assert.Equal(new TimeLimit(3, TimeUnit.WorkingDays), def.Step("Review").TimeLimit);
        Assert.Equal([new TransitionDefinition("Review", "Approve", "Done", "Clerk", null, false)], def.Transitions);
    }

    [Theory]
    [InlineData("unknown-step-in-transition.json", UnknownStep, "$.transitions[1].to")]
    [InlineData("ambiguous-action.json", AmbiguousAction, "$.transitions[0]")]
    [InlineData("ambiguous-action.json", AmbiguousAction, "$.transitions[1]")]
    [InlineData("ambiguous-action-same-guard.json", AmbiguousAction, "$.transitions[1].guard")]
    [InlineData("human-step-without-role.json", MissingRole, "$.steps[0].role")]
    [InlineData("human-step-without-time-limit.json", MissingTimeLimit, "$.steps[0].timeLimit")]
    [InlineData("unreachable-step.json", UnreachableStep, "$.steps[2]")]
    [InlineData("no-final-reachable.json", NoFinalReachable, "$.steps[0]")]
    [InlineData("no-final-reachable.json", NoFinalReachable, "$.steps[1]")]
    [InlineData("negative-time-limit.json", InvalidTimeLimit, "$.steps[0].timeLimit.amount")]
    [InlineData("unknown-kind.json", UnknownKind, "$.steps[0].kind")]
    [InlineData("duplicate-step-names.json", DuplicateStep, "$.steps[1].name")]
    public void Validate_ReportsLocatedError(string fixture, string code, string path)
    {
        var errors = WorkflowDefinitionLoader.Validate(Fixture(fixture), fixture);

        var error = Assert.Single(errors, e => e.Code == code && e.Path == path);
        Assert.Equal(fixture, error.Source);
        Assert.False(string.IsNullOrWhiteSpace(error.MessageZh));
        Assert.False(string.IsNullOrWhiteSpace(error.MessageEn));
    }

    [Fact]
    public void AllowsLineCorrections_IsReadFromAHumanStep_DefaultsToFalse_AndIsRefusedLocatedOnAFinalStep()
    {
        var minimal = Fixture("valid-minimal.json");
        Assert.False(WorkflowDefinitionLoader.Load(minimal, "m.json").Step("Review").AllowsLineCorrections);

        var allowed = minimal.Replace("\"titleEn\": \"Review\" }", "\"titleEn\": \"Review\", \"allowsLineCorrections\": true }", StringComparison.Ordinal);
        Assert.True(WorkflowDefinitionLoader.Load(allowed, "m.json").Step("Review").AllowsLineCorrections);

        var onFinal = minimal.Replace("\"titleEn\": \"Done\" }", "\"titleEn\": \"Done\", \"allowsLineCorrections\": true }", StringComparison.Ordinal);
        var error = Assert.Single(WorkflowDefinitionLoader.Validate(onFinal, "m.json"));
        Assert.Equal(("$.steps[1].allowsLineCorrections", InvalidValue), (error.Path, error.Code));
    }

    [Fact]
    public void Validate_ReportsOnlyTheUnknownStep_WhenRestIsValid()
    {
        var errors = WorkflowDefinitionLoader.Validate(Fixture("unknown-step-in-transition.json"), "f.json");

        Assert.Equal(UnknownStep, Assert.Single(errors).Code);
    }

    [Fact]
    public void Validate_ReportsInvalidJson_WithLine()
    {
        var error = Assert.Single(WorkflowDefinitionLoader.Validate(Fixture("malformed.json"), "malformed.json"));

        Assert.Equal(InvalidJson, error.Code);
        Assert.StartsWith("$ (line ", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Throws_WithCodeAndEveryError()
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() =>
            WorkflowDefinitionLoader.Load(Fixture("no-final-reachable.json"), "no-final-reachable.json"));

        Assert.Equal("WorkflowDefinitionInvalid", ex.Code);
        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains("$.steps[0]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AcceptsSameActionTwice_WhenEachRowHasItsOwnGuard_AndASelfTransition()
    {
        var def = WorkflowDefinitionLoader.Load(Fixture("guarded-same-action.json"), "guarded-same-action.json");

        Assert.Equal(3, def.TransitionsFrom("Review").Count);
    }

    [Theory]
    [InlineData("$.steps[0]", "timelimit", """{ "amount": 3, "unit": "WorkingDays" }""", UnknownProperty, "$.steps[0].timelimit")]
    [InlineData("$.steps[0].timeLimit", "unit", "\"Weeks\"", UnknownUnit, "$.steps[0].timeLimit.unit")]
    [InlineData("$.steps[0].timeLimit", "amount", "0", InvalidTimeLimit, "$.steps[0].timeLimit.amount")]
    [InlineData("$.steps[0].timeLimit", "amount", "2.5", InvalidValue, "$.steps[0].timeLimit.amount")]
    [InlineData("$.steps[0]", "remindBefore", """{ "amount": 3, "unit": "WorkingDays" }""", InvalidTimeLimit, "$.steps[0].remindBefore.amount")]
    [InlineData("$.steps[0]", "remindBefore", """{ "amount": 1, "unit": "CalendarDays" }""", InvalidTimeLimit, "$.steps[0].remindBefore.unit")]
    [InlineData("$.steps[0]", "kind", "\"human\"", UnknownKind, "$.steps[0].kind")]
    [InlineData("$.steps[0]", "kind", "1", UnknownKind, "$.steps[0].kind")]
    [InlineData("$.steps[0]", "role", "\"System\"", ReservedRole, "$.steps[0].role")]
    [InlineData("$.steps[0]", "parameters", """{ "sampleShare": 0.1 }""", InvalidValue, "$.steps[0].parameters.sampleShare")]
    [InlineData("$.steps[0]", "parameters", """{ "SampleShare": "0.1" }""", InvalidValue, "$.steps[0].parameters.SampleShare")]
    [InlineData("$.steps[0]", "role", "null", InvalidValue, "$.steps[0].role")]
    [InlineData("$", "steps", "[]", InvalidValue, "$.steps")]
    [InlineData("$.steps[0]", "onEnter", """["DrawSample", "DrawSample"]""", InvalidValue, "$.steps[0].onEnter")]
    [InlineData("$.steps[1]", "timeLimit", """{ "amount": 3, "unit": "WorkingDays" }""", InvalidTimeLimit, "$.steps[1].timeLimit")]
    [InlineData("$", "initialStep", "\"Start\"", UnknownStep, "$.initialStep")]
    [InlineData("$", "initialStep", "\"Done\"", InvalidFinalStep, "$.initialStep")]
    [InlineData("$", "version", "0", InvalidValue, "$.version")]
    [InlineData("$", "definitionId", "\"Mini_Process\"", InvalidValue, "$.definitionId")]
    [InlineData("$.transitions[0]", "role", "\"Supervisor\"", NoActionForRole, "$.steps[0]")]
    [InlineData("$.transitions[0]", "commentRequired", "\"yes\"", InvalidValue, "$.transitions[0].commentRequired")]
    [InlineData("$.steps[0]", "separateFrom", """["Submit", "Reveiw"]""", UnknownStep, "$.steps[0].separateFrom[1]")]
    [InlineData("$.steps[0]", "separateFrom", """["Done"]""", InvalidValue, "$.steps[0].separateFrom[0]")]
    [InlineData("$.steps[0]", "separateFrom", "\"Submit\"", InvalidValue, "$.steps[0].separateFrom")]
    [InlineData("$.steps[1]", "separateFrom", """["Review"]""", InvalidValue, "$.steps[1].separateFrom[0]")]
    [InlineData("$.steps[0]", "name", "\"Submit\"", InvalidValue, "$.steps[0].name")]
    public void Validate_ReportsLocatedError_ForMutatedMinimalDefinition(string ownerPath, string property, string valueJson, string code, string path)
    {
        var json = Mutate(ownerPath, node => node[property] = JsonNode.Parse(valueJson));

        var errors = WorkflowDefinitionLoader.Validate(json, "mutated.json");

        Assert.Contains(errors, e => e.Code == code && e.Path == path);
    }

    [Fact]
    public void Validate_RequiresRoleOnEveryTransition_NullMeaningSystemOnly()
    {
        var json = Mutate("$.transitions[0]", node => node.AsObject().Remove("role"));

        var errors = WorkflowDefinitionLoader.Validate(json, "mutated.json");

        Assert.Contains(errors, e => e.Code == MissingProperty && e.Path == "$.transitions[0].role");
    }

    [Fact]
    public void Validate_RejectsTransitionLeavingFinalStep()
    {
        var json = Mutate("$.transitions", node => node.AsArray().Add(JsonNode.Parse(
            """{ "from": "Done", "action": "Reopen", "to": "Review", "role": "Clerk" }""")));

        Assert.Contains(WorkflowDefinitionLoader.Validate(json, "m.json"), e => e.Code == InvalidFinalStep && e.Path == "$.transitions[1].from");
    }

    [Fact]
    public void Validate_RejectsTimerStepWithoutSystemAction()
    {
        var json = Mutate("$.steps", node => node.AsArray().Add(JsonNode.Parse(
            """{ "name": "Wait", "kind": "Timer", "timeLimit": { "amount": 7, "unit": "CalendarDays" }, "titleZh": "等待", "titleEn": "Wait" }""")));
        json = Mutate(json, "$.transitions", node => node.AsArray().Add(JsonNode.Parse(
            """{ "from": "Review", "action": "Hold", "to": "Wait", "role": "Clerk" }""")));
        json = Mutate(json, "$.transitions", node => node.AsArray().Add(JsonNode.Parse(
            """{ "from": "Wait", "action": "Release", "to": "Done", "role": "Clerk" }""")));

        Assert.Contains(WorkflowDefinitionLoader.Validate(json, "m.json"), e => e.Code == InvalidTimerAction && e.Path == "$.steps[2]");
    }
}

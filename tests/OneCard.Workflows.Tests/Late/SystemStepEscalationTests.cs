using Microsoft.Extensions.Time.Testing;
using static OneCard.Workflows.Tests.TestData;
using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows.Tests.Late;

/// <summary>Issue 8, item 6: a System step with a time limit (the bank's confirmation) may escalate like a Human step's task.</summary>
public class SystemStepEscalationTests
{
    private static string SystemStep(bool timeLimit = true, string kind = "System") =>
        Mutate("$.steps[0]", step =>
        {
            var o = step.AsObject();
            o["kind"] = kind;
            o.Remove("role");
            if (!timeLimit) o.Remove("timeLimit");
            o["escalate"] = System.Text.Json.Nodes.JsonNode.Parse("""{ "after": { "amount": 1, "unit": "WorkingDays" }, "toRole": "Supervisor", "toLevel": "Up" }""");
        }).Replace("\"role\":\"Clerk\"", "\"role\":null", StringComparison.Ordinal);

    [Fact]
    public void Load_AcceptsTheEscalationOfASystemStepWithATimeLimit()
    {
        var def = WorkflowDefinitionLoader.Load(SystemStep(), "m.json");

        Assert.Equal(new Escalation(new TimeLimit(1, TimeUnit.WorkingDays), "Supervisor", EscalationLevel.Up), def.Step("Review").Escalate);
    }

    [Fact]
    public void Validate_RefusesTheEscalationOfASystemStepWithoutATimeLimit_AtTheEscalation()
    {
        var error = Assert.Single(WorkflowDefinitionLoader.Validate(SystemStep(timeLimit: false), "m.json"));

        Assert.Equal((InvalidEscalation, "$.steps[0].escalate"), (error.Code, error.Path));
        Assert.Equal("没有时限就不能设置上报（escalate）。", error.MessageZh);
    }

    [Fact]
    public void Validate_RefusesTheEscalationOfATimerStep_ItMovesByItselfWhenDue()
    {
        var error = Assert.Single(WorkflowDefinitionLoader.Validate(SystemStep(kind: "Timer"), "m.json"));

        Assert.Equal((InvalidEscalation, "$.steps[0].escalate"), (error.Code, error.Path));
        Assert.Equal("只有人工步骤和系统步骤可以设置上报（escalate）。", error.MessageZh);
    }

    [Fact]
    public void PaymentBatchV1_AwaitingBank_EscalatesToTheSupervisorUp_OneWorkingDayAfterItsThreeDays()
    {
        var def = Catalog.Get("payment-batch", 1);
        var runner = new WorkflowRunner(OfficialCalendar, new FakeTimeProvider(Cst(2026, 3, 2, 9)));

        // Released Mon 2026-03-02: 3 working days Tue 3, Wed 4, Thu 5 — due Fri 03-06 00:00; the grace day is Fri 6: escalates Sat 03-07 00:00.
        var deadline = runner.DeadlineFor(def, "AwaitingBank", Cst(2026, 3, 2, 9))!;

        Assert.Equal(new Escalation(new TimeLimit(1, TimeUnit.WorkingDays), "Supervisor", EscalationLevel.Up), def.Step("AwaitingBank").Escalate);
        Assert.Equal((Cst(2026, 3, 6), Cst(2026, 3, 7)), (deadline.DueAt, deadline.EscalateAt));
    }
}

using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Persistence;
using OneCard.Specs.Support;
using OneCard.Workflows;

namespace OneCard.Specs.Steps;

/// <summary>
/// The complaint definition (complaint-handling.v1.json) on the case engine. The case is opened directly on the engine:
/// the complaint register (its own use case and page) comes later; acting goes through the generic case API.
/// </summary>
[Binding]
public sealed class ComplaintSteps(ScenarioState state)
{
    [Given(@"^时间来到(\d+)年(\d+)月(\d+)日（星期.）(\d+):(\d+)，法库县按投诉举报处理流程立案一件投诉$")]
    public async Task GivenComplaint(int year, int month, int day, int hour, int minute)
    {
        state.AdvanceTo(Words.Beijing(year, month, day, hour, minute));
        state.CaseId = Guid.CreateVersion7();
        await state.App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            await sp.GetRequiredService<CaseEngine>().StartAsync(
                new CaseEngine.NewCase(new CaseSubject(SubjectKinds.Complaint, state.CaseId), "TS-2026-0001", "210124", null),
                sp.GetRequiredService<WorkflowCatalog>().Latest("complaint-handling"), default);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            return 0;
        });
    }

    [When(@"^时间来到(\d+)年(\d+)月(\d+)日（星期.）(\d+):(\d+)，" + Words.Who + @"(\S+) 办理投诉案件""(\w+)""(?:，意见为""(.+)"")?$")]
    public async Task WhenAct(int year, int month, int day, int hour, int minute, string user, string action, string comment)
    {
        state.AdvanceTo(Words.Beijing(year, month, day, hour, minute));
        await state.PostOk(user, $"/api/cases/Complaint/{state.CaseId}/actions/{action}", new { comment = string.IsNullOrEmpty(comment) ? null : comment });
    }

    [Then(@"^投诉案件处于""(.+)""环节，办理时限为(\d+)年(\d+)月(\d+)日(\d+):(\d+)（北京时间）$")]
    public async Task ThenStepDue(string title, int year, int month, int day, int hour, int minute)
    {
        var view = await state.GetJson("reviewer", $"/api/cases/Complaint/{state.CaseId}");
        Assert.Equal(title, view.GetProperty("stepTitle").GetString());
        var due = Words.Beijing(year, month, day, hour, minute);
        Assert.Equal(due, view.GetProperty("stepDueAt").GetDateTimeOffset());
        var task = Assert.Single(view.GetProperty("openTasks").EnumerateArray());
        Assert.Equal(due, task.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal("CountyReviewer", task.GetProperty("role").GetString());
    }

    [Then(@"^投诉案件已办结，处于""(.+)""环节$")]
    public async Task ThenFinal(string title)
    {
        var view = await state.GetJson("reviewer", $"/api/cases/Complaint/{state.CaseId}");
        Assert.True(view.GetProperty("isFinal").GetBoolean());
        Assert.Equal(title, view.GetProperty("stepTitle").GetString());
        Assert.Empty(view.GetProperty("openTasks").EnumerateArray());
        Assert.Equal(4, view.GetProperty("history").GetArrayLength());
    }
}

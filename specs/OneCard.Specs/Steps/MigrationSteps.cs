using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Cases;
using OneCard.Persistence;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Moving a running case to a newer workflow version (流程版本迁移).</summary>
[Binding]
public sealed class MigrationSteps(ScenarioState state, CaseSteps cases)
{
    [Given(@"^该案件仍按第(\d+)版流程办理$")]
    public async Task GivenPinned(int version) =>
        // As a case started before the newer version was published is.
        await state.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().WorkflowInstances
            .Where(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == state.CaseId)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.DefinitionVersion, version)));

    [When(@"^" + Words.Who + @"(\S+) 将案件迁移到第(\d+)版流程$")]
    public async Task Migrate(string user, int version) =>
        await state.PostOk(user, $"/api/cases/Application/{state.CaseId}/migrate", new { toVersion = version, stepMap = new { } });

    [When(@"^" + Words.Who + @"(\S+) 尝试将案件迁移到第(\d+)版流程$")]
    public async Task TryMigrate(string user, int version) =>
        await state.Remember(await (await state.As(user)).PostAsJsonAsync($"/api/cases/Application/{state.CaseId}/migrate", new { toVersion = version, stepMap = new { } }));

    [Then(@"^案件按第(\d+)版流程处于""(.+)""环节$")]
    public async Task ThenOnVersion(int version, string title)
    {
        var detail = await state.GetJson("supervisor", $"/api/cases/Application/{state.CaseId}");
        Assert.Equal(version, detail.GetProperty("version").GetInt32());
        await cases.ThenStep(title);
    }

    [Then(@"^案件只抽样过一次，""现场抽查""任务没有重新打开$")]
    public async Task ThenNotRedone()
    {
        var (draws, checks) = await state.App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.SampleDraws.CountAsync(d => d.ApplicationId == state.CaseId),
                await db.Tasks.Where(t => t.SubjectId == state.CaseId && t.Step == "SampleCheck").Select(t => t.Status).ToListAsync());
        });
        Assert.Equal(1, draws);
        Assert.Equal([CaseTaskStatus.Completed], checks);
    }

    [Then(@"^审计日志记录了一次""(\w+)""，从""(.+)""到""(.+)""$")]
    public async Task ThenAudited(string action, string from, string to)
    {
        var entries = await state.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog
            .Where(e => e.Action == action && e.EntityId == state.CaseId.ToString()).Select(e => e.DataJson).ToListAsync());
        var data = Assert.Single(entries);
        Assert.Contains($"\"from\":\"{from}\"", data.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains($"\"to\":\"{to}\"", data.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}

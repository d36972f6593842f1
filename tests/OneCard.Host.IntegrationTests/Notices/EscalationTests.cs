using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Notices;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Persistence;
using OneCard.Testing;
using OneCard.Workflows;

namespace OneCard.Host.IntegrationTests.Notices;

/// <summary>Issue 6, items 3 and 4: escalation in the sweep, notices for the people concerned, timers only where there is time.</summary>
public sealed class EscalationTests : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private Task SweepAsync() => app.Services.GetRequiredService<DeadlineSweepJob>().RunAsync(default);

    private Task<int> AuditCountAsync(string action) =>
        app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.CountAsync(e => e.Action == action));

    private async Task<JsonElement> NoticesAsync(string user) => await (await driver.As(user)).GetFromJsonAsync<JsonElement>("/api/notices");

    [Fact]
    public async Task Sweep_EscalatesTheTownshipTask_ToTheCounty_OnlyAfterTheGracePeriod_AndTheCitySupervisorIsNotified()
    {
        // Submitted Mon 2026-03-02 (a township of 法库县): due Tue 03-10 00:00; grace 2 working days (10th, 11th): escalates at Thu 03-12 00:00.
        var id = await driver.SubmitAsync();
        var task = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == id));
        Assert.Equal(new DateTimeOffset(2026, 3, 12, 0, 0, 0, Cst), task.EscalateAt);

        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 11, 23, 59, 0, Cst));
        await SweepAsync();
        Assert.Equal((1, 0), (await AuditCountAsync(NoticeKinds.TaskOverdue), await AuditCountAsync(NoticeKinds.TaskEscalated)));

        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 12, 0, 1, 0, Cst));
        await SweepAsync();
        await SweepAsync();

        task = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Tasks.AsNoTracking().SingleAsync(t => t.SubjectId == id));
        Assert.Equal(("Supervisor", "210124", app.Clock.GetUtcNow()), (task.EscalatedToRole, task.EscalatedToRegionCode, task.EscalatedAt));
        Assert.Equal(1, await AuditCountAsync(NoticeKinds.TaskEscalated));
        var supervisor = await NoticesAsync("supervisor");
        var notice = Assert.Single(supervisor.GetProperty("items").EnumerateArray());
        Assert.Equal((NoticeKinds.TaskEscalated, $"applications/{id}"), (notice.GetProperty("kind").GetString(), notice.GetProperty("link").GetString()));
        Assert.Contains("已上报沈阳市 法库县监管人员", notice.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, supervisor.GetProperty("unread").GetInt32());
    }

    [Fact]
    public async Task ReminderAndOverdue_NotifyTheTaskRoleInTheRegionAndAbove_NotTheNeighbouringTownship()
    {
        await driver.SubmitAsync();
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 9, 0, 0, Cst));
        await SweepAsync();

        foreach (var clerk in new[] { "clerk", "clerk.review" })
        {
            var kinds = (await NoticesAsync(clerk)).GetProperty("items").EnumerateArray().Select(n => n.GetProperty("kind").GetString()).Order().ToList();
            Assert.Equal([NoticeKinds.TaskOverdue, NoticeKinds.TaskReminded], kinds);
        }
        Assert.Equal(0, (await NoticesAsync("clerk2")).GetProperty("unread").GetInt32());
        Assert.Equal(0, (await NoticesAsync("supervisor")).GetProperty("unread").GetInt32());
        // Each notice also waits in the outbox, addressed to the user (no phone or e-mail on record).
        var outbox = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().OutboxMessages.AsNoTracking().ToListAsync());
        Assert.Equal(4, outbox.Count);
        Assert.All(outbox, m => Assert.Equal(OutboxChannels.InApp, m.Channel));
    }

    [Fact]
    public async Task TwoConcurrentSweeps_EscalateEachTaskOnce_WithOneAuditEntryAndOneNoticePerPerson()
    {
        for (var i = 0; i < 4; i++) await driver.SubmitAsync();
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 12, 9, 0, 0, Cst));

        var first = app.Services.GetRequiredService<DeadlineSweepJob>();
        var second = app.Services.GetRequiredService<DeadlineSweepJob>();
        await Task.WhenAll(Task.Run(() => first.RunAsync(default)), Task.Run(() => second.RunAsync(default)));

        Assert.Equal((4, 4, 4), (await AuditCountAsync(NoticeKinds.TaskReminded), await AuditCountAsync(NoticeKinds.TaskOverdue),
            await AuditCountAsync(NoticeKinds.TaskEscalated)));
        var escalatedNotices = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Notices
            .Where(n => n.Kind == NoticeKinds.TaskEscalated).GroupBy(n => n.RecipientId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        var only = Assert.Single(escalatedNotices);
        Assert.Equal(("u-supervisor", 4), (only.Key, only.Count));
    }

    [Fact]
    public async Task NoticeCentre_MarksOneAndAllRead_AndAnswers404ForAnotherPersonsNotice()
    {
        await driver.SubmitAsync();
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 9, 0, 0, Cst));
        await SweepAsync();
        var clerk = await driver.As("clerk");
        var items = (await NoticesAsync("clerk")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);

        Assert.Equal(HttpStatusCode.NotFound, (await (await driver.As("clerk2")).PostAsync($"/api/notices/{items[0].GetProperty("id").GetGuid()}/read", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await clerk.PostAsync($"/api/notices/{items[0].GetProperty("id").GetGuid()}/read", null)).StatusCode);
        Assert.Equal(1, (await NoticesAsync("clerk")).GetProperty("unread").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, (await clerk.PostAsync("/api/notices/read-all", null)).StatusCode);
        Assert.Equal(0, (await NoticesAsync("clerk")).GetProperty("unread").GetInt32());
        Assert.Equal(2, (await NoticesAsync("clerk.review")).GetProperty("unread").GetInt32());
    }

    [Fact]
    public async Task EnteringHumanSteps_SchedulesNoTimerJob_AndEnteringPublicitySchedulesOne()
    {
        var storage = app.Services.GetRequiredService<JobStorage>();
        int TimerJobs() => storage.GetMonitoringApi().ScheduledJobs(0, 1000).Count(j => j.Value.Job?.Type == typeof(StepTimerJob));

        var id = await driver.DriveToAsync("SampleCheck"); // TownshipReview, CountyReview, SampleCheck: human steps with deadlines
        Assert.Equal(0, TimerJobs());

        var inspector = await driver.As("inspector");
        foreach (var line in (await driver.GetAsync(id, "inspector")).GetProperty("lines").EnumerateArray())
            (await inspector.PostAsJsonAsync($"/api/applications/{id}/lines/{line.GetProperty("lineNo").GetInt32()}/sample-result", new { passed = true, note = "一致" })).EnsureSuccessStatusCode();
        await driver.ActAsync(id, "inspector", "Complete");

        Assert.Equal(1, TimerJobs());
    }

    [Fact]
    public void EscalationRoles_AreRolesStaffCanHold()
    {
        Assert.Subset(Roles.Human.Where(r => r != Roles.Administrator).ToHashSet(), Escalation.KnownRoles.ToHashSet());
    }
}

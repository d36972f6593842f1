using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Notices;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Late;

/// <summary>
/// Issue 8, item 6: the payment step's time limit is watched — a batch the bank has not confirmed in time is marked late by
/// the sweep, escalates once to the supervisors one level up after its grace, and shows in the supervisor's late-payment view.
/// Time is the test clock; the sweep is run directly.
/// </summary>
public sealed class LatePaymentTests : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private OneCardApp app = null!;
    private LateDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new LateDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static DateTimeOffset At(int month, int day, int hour = 0, int minute = 0) => new(2026, month, day, hour, minute, 0, Cst);

    private Task<JsonElement> LateListAsync(string query = "", string user = "supervisor") => driver.GetAsync(user, "/api/supervision/late-payments" + query);

    private async Task<IReadOnlyList<JsonElement>> NoticesAsync(string user, string kind) =>
        [.. (await driver.GetAsync(user, "/api/notices")).GetProperty("items").EnumerateArray().Where(n => n.GetProperty("kind").GetString() == kind)];

    [Fact]
    public async Task Sweep_MarksTheBatchLateAtItsDueTime_AndEscalatesItOnceAfterTheGrace_ToTheCitySupervisor()
    {
        // Released Tue 2026-03-10 09:00: 3 working days (Wed 11, Thu 12, Fri 13) — due Sat 03-14 00:00; one working day of
        // grace counted from the due day (Sat, Sun rest; Mon 16) — escalates Tue 03-17 00:00.
        var batchId = await driver.ReleasedBatchAsync();
        Assert.Equal(At(3, 14), (await driver.InstanceAsync(batchId)).StepDueAt);

        app.Clock.SetUtcNow(At(3, 13, 23, 59));
        await driver.SweepAsync();
        Assert.Null((await driver.InstanceAsync(batchId)).StepOverdueAt);
        Assert.Equal(0, (await LateListAsync()).GetProperty("total").GetInt32());

        app.Clock.SetUtcNow(At(3, 14, 0, 1));
        await driver.SweepAsync();
        var instance = await driver.InstanceAsync(batchId);
        Assert.Equal((At(3, 14, 0, 1), (DateTimeOffset?)null), (instance.StepOverdueAt, instance.StepEscalatedAt));
        var item = Assert.Single((await LateListAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal(batchId, item.GetProperty("batchId").GetGuid());
        Assert.Equal(At(3, 17), item.GetProperty("escalateAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("escalatedAt").ValueKind);
        Assert.Equal("待银行回盘", item.GetProperty("stepTitle").GetString());
        Assert.Equal($"finance/batches/{batchId}", item.GetProperty("link").GetString());

        app.Clock.SetUtcNow(At(3, 16, 23, 59));
        await driver.SweepAsync();
        Assert.Equal((1, 0), (await driver.AuditCountAsync("StepOverdue", batchId), await driver.AuditCountAsync(NoticeKinds.StepEscalated, batchId)));
        Assert.Empty(await NoticesAsync("supervisor", NoticeKinds.StepEscalated));

        app.Clock.SetUtcNow(At(3, 17, 0, 1));
        await driver.SweepAsync();
        await driver.SweepAsync();
        Assert.Equal((1, 1), (await driver.AuditCountAsync("StepOverdue", batchId), await driver.AuditCountAsync(NoticeKinds.StepEscalated, batchId)));
        Assert.Equal(At(3, 17, 0, 1), (await driver.InstanceAsync(batchId)).StepEscalatedAt);

        var notice = Assert.Single(await NoticesAsync("supervisor", NoticeKinds.StepEscalated));
        Assert.Equal($"finance/batches/{batchId}", notice.GetProperty("link").GetString());
        Assert.Contains("待银行回盘", notice.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("已上报沈阳市", notice.GetProperty("text").GetString(), StringComparison.Ordinal);
        // Kangping's supervisor is not over this batch's county: nothing for them.
        Assert.Empty(await NoticesAsync("finance.kangping", NoticeKinds.StepEscalated));
        var outbox = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().OutboxMessages.AsNoTracking()
            .CountAsync(m => m.NoticeId == notice.GetProperty("id").GetGuid()));
        Assert.Equal(1, outbox);

        var escalated = Assert.Single((await LateListAsync("?escalated=true")).GetProperty("items").EnumerateArray());
        Assert.Equal(At(3, 17, 0, 1), escalated.GetProperty("escalatedAt").GetDateTimeOffset());
        Assert.Equal(2, escalated.GetProperty("lateWorkingDays").GetInt32()); // Mon 16 and Tue 17 have begun
        Assert.Equal(0, (await LateListAsync("?escalated=false")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task TheAgreementsTimeToConfirm_IsTheBanksTimeLimit_InsteadOfTheStepsDefault()
    {
        // The agreements promise 5 working days. Released Tue 2026-03-10 09:00: Wed 11, Thu 12, Fri 13, Mon 16, Tue 17 — due Wed 03-18 00:00.
        await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().BankAgreements.IgnoreQueryFilters()
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.ConfirmWithinWorkingDays, 5)));
        var batchId = await driver.ReleasedBatchAsync();
        Assert.Equal(At(3, 18), (await driver.InstanceAsync(batchId)).StepDueAt);

        app.Clock.SetUtcNow(At(3, 17, 23, 59));
        await driver.SweepAsync();
        Assert.Null((await driver.InstanceAsync(batchId)).StepOverdueAt);

        app.Clock.SetUtcNow(At(3, 18, 0, 1));
        await driver.SweepAsync();
        Assert.NotNull((await driver.InstanceAsync(batchId)).StepOverdueAt);
    }

    [Fact]
    public async Task TwoConcurrentSweeps_EscalateTheLateBatchOnce_WithOneAuditEntryAndOneNoticePerPerson()
    {
        var batchId = await driver.ReleasedBatchAsync();
        app.Clock.SetUtcNow(At(3, 17, 0, 1));

        await Task.WhenAll(driver.SweepAsync(), driver.SweepAsync(), driver.SweepAsync());

        Assert.Equal((1, 1), (await driver.AuditCountAsync("StepOverdue", batchId), await driver.AuditCountAsync(NoticeKinds.StepEscalated, batchId)));
        var perRecipient = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Notices.AsNoTracking()
            .Where(n => n.Kind == NoticeKinds.StepEscalated && n.SubjectId == batchId)
            .GroupBy(n => n.RecipientId).Select(g => g.Count()).ToListAsync());
        Assert.NotEmpty(perRecipient);
        Assert.All(perRecipient, c => Assert.Equal(1, c));
    }

    [Fact]
    public async Task ABatchConfirmedInTime_IsNeverMarkedLate()
    {
        var batchId = await driver.ReleasedBatchAsync();
        app.Clock.SetUtcNow(At(3, 13, 16));
        await driver.ConfirmAsync(batchId);

        app.Clock.SetUtcNow(At(3, 20));
        await driver.SweepAsync();

        var instance = await driver.InstanceAsync(batchId);
        Assert.Equal(("Reconciled", (DateTimeOffset?)null), (instance.Step, instance.StepOverdueAt));
        Assert.Equal(0, await driver.AuditCountAsync("StepOverdue", batchId));
        Assert.Equal(0, (await LateListAsync()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task ABatchConfirmedLate_BeforeItsGraceEnds_LeavesTheList_AndNeverEscalates()
    {
        var batchId = await driver.ReleasedBatchAsync();
        app.Clock.SetUtcNow(At(3, 16, 10));
        await driver.SweepAsync();
        Assert.Equal(1, (await LateListAsync()).GetProperty("total").GetInt32());

        await driver.ConfirmAsync(batchId);
        app.Clock.SetUtcNow(At(3, 18));
        await driver.SweepAsync();

        var instance = await driver.InstanceAsync(batchId);
        Assert.Equal(("Reconciled", (DateTimeOffset?)null, (DateTimeOffset?)null), (instance.Step, instance.StepOverdueAt, instance.StepEscalatedAt));
        Assert.Equal((1, 0), (await driver.AuditCountAsync("StepOverdue", batchId), await driver.AuditCountAsync(NoticeKinds.StepEscalated, batchId)));
        Assert.Equal(0, (await LateListAsync()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task LatePayments_RefusesARegionOutsideTheUsersScope_AndAnUnknownOne_NamingTheParameter()
    {
        var response = await (await driver.Cases.As("supervisor")).GetAsync("/api/supervision/late-payments?region=210200");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("参数 region：无权查看", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        response = await (await driver.Cases.As("supervisor")).GetAsync("/api/supervision/late-payments?region=219999");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("未找到行政区划 219999", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LatePayments_IsNotForAClerk()
    {
        var response = await (await driver.Cases.As("clerk")).GetAsync("/api/supervision/late-payments");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Sweep_MarksEveryOtherLateBatch_WhenOneBatchsMarkFails_AndMarksThatOneOnceItCan()
    {
        var a = await driver.ReleasedBatchAsync();
        var b = await driver.ReleasedBatchAsync(); // released eight days later (the case's publicity): due after a, swept after it
        var caseA = await driver.InstanceAsync(a);
        var dueB = (await driver.InstanceAsync(b)).StepDueAt!.Value;
        Assert.True(caseA.StepDueAt < dueB);
        app.Clock.SetUtcNow(dueB.AddMinutes(1));

        // A fault of a's case alone: the database refuses its late mark.
        await using (await RowFault.RefuseAsync(app.ConnectionString, "WorkflowInstances", $"NEW.\"Id\" = '{caseA.Id}' AND NEW.\"StepOverdueAt\" IS NOT NULL"))
        {
            // b is marked all the same; the run then ends by throwing, so that the job shows as failed.
            var failed = await Assert.ThrowsAsync<InvalidOperationException>(driver.SweepAsync);
            Assert.Contains("1 item(s) failed", failed.Message, StringComparison.Ordinal);
            Assert.Null((await driver.InstanceAsync(a)).StepOverdueAt);
            Assert.Equal(dueB.AddMinutes(1), (await driver.InstanceAsync(b)).StepOverdueAt);
            Assert.Equal((0, 1), (await driver.AuditCountAsync("StepOverdue", a), await driver.AuditCountAsync("StepOverdue", b)));
        }

        // Once it can be written, the next sweep marks a (and escalates it: its grace has passed too); b is not marked again.
        await driver.SweepAsync();
        Assert.NotNull((await driver.InstanceAsync(a)).StepOverdueAt);
        Assert.Equal((1, 1), (await driver.AuditCountAsync("StepOverdue", a), await driver.AuditCountAsync("StepOverdue", b)));
        Assert.Equal(1, await driver.AuditCountAsync(NoticeKinds.StepEscalated, a));
    }
}

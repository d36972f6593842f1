using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Calendar;

/// <summary>An administrator enters next year's official holiday notice; deadlines, health and audit follow.</summary>
public sealed class CalendarYearsTests
{
    /// <summary>Monday 2026-12-28: a township review of 5 working days runs into 2027, which the shipped file lacks.</summary>
    private static readonly DateTimeOffset LateDecember = new(2026, 12, 28, 9, 0, 0, TimeSpan.FromHours(8));

    private static object Notice2027(object[]? holidays = null, string[]? makeUp = null) => new
    {
        year = 2027,
        documentNumber = "国办发明电〔2026〕9号",
        holidays = holidays ?? new object[]
        {
            new { name = "元旦", first = "2027-01-01", last = "2027-01-03" },
            new { name = "春节", first = "2027-02-06", last = "2027-02-13" },
            new { name = "国庆节", first = "2027-10-01", last = "2027-10-07" },
        },
        makeUpWorkdays = makeUp ?? ["2027-02-20", "2027-10-09"],
    };

    [Fact]
    public async Task EnteringNextYear_MakesDeadlinesIntoItFinal_CountedOnItsHolidays_Audited_AndHealthy()
    {
        await using var app = await OneCardApp.StartAsync(start: LateDecember);
        Assert.Equal("Degraded", await app.CreateClient().GetStringAsync("/health"));
        var admin = await app.SignInAsync("admin");

        var entered = await admin.PostAsJsonAsync("/api/calendar/years", Notice2027());

        Assert.Equal(HttpStatusCode.Created, entered.StatusCode);
        Assert.Equal("Healthy", await app.CreateClient().GetStringAsync("/health"));
        var driver = new CaseDriver(app);
        await driver.SubmitAsync();
        var task = (await (await driver.As("clerk.review")).GetFromJsonAsync<JsonElement>("/api/tasks"))[0];
        // 12-29, 12-30, 12-31, (元旦 01-01..03), 01-04, 01-05: the fifth working day ends at 2027-01-06 00:00 +08:00.
        Assert.False(task.GetProperty("dueAtIsProvisional").GetBoolean());
        Assert.Equal(new DateTimeOffset(2027, 1, 6, 0, 0, 0, TimeSpan.FromHours(8)), task.GetProperty("dueAt").GetDateTimeOffset());

        var audit = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.AsNoTracking()
            .Where(e => e.EntityType == "HolidayNotice").ToListAsync());
        var entry = Assert.Single(audit);
        Assert.Equal(("CalendarYearEntered", "2027", "u-admin"), (entry.Action, entry.EntityId, entry.ActorId));
        Assert.Contains("国办发明电〔2026〕9号", JsonDocument.Parse(entry.DataJson).RootElement.GetProperty("documentNumber").GetString());

        var years = await admin.GetFromJsonAsync<JsonElement>("/api/calendar/years");
        Assert.Equal([("2025", "Shipped"), ("2026", "Shipped"), ("2027", "Entered")],
            years.EnumerateArray().Select(y => (y.GetProperty("year").GetInt32().ToString(), y.GetProperty("source").GetString()!)));

        // Another host on the same database reads the entered year when it starts.
        await using var other = await OneCardApp.StartAsync(start: LateDecember, database: app.ConnectionString);
        Assert.Equal("Healthy", await other.CreateClient().GetStringAsync("/health"));
    }

    [Fact]
    public async Task EnteringABadNotice_Is422WithLocatedErrors_AndStoresNothing()
    {
        await using var app = await OneCardApp.StartAsync(start: LateDecember);
        var admin = await app.SignInAsync("admin");

        var response = await admin.PostAsJsonAsync("/api/calendar/years", Notice2027(
            [new { name = "劳动节", first = "2027-05-01", last = "2027-05-05" }, new { name = "端午节", first = "2027-05-04", last = "2027-05-06" }],
            ["2027-05-12"]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("CalendarNoticeInvalid", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Equal([("holidays[1]", "CalendarHolidaysOverlap"), ("makeUpWorkdays[0]", "CalendarMakeUpDayNotWeekend")], errors);
        Assert.Contains("2027-05-12是星期三", problem.GetProperty("errors")[1].GetProperty("message").GetString());

        var shipped = await admin.PostAsJsonAsync("/api/calendar/years", new { year = 2026, documentNumber = "国办发明电〔2025〕7号",
            holidays = new[] { new { name = "元旦", first = "2026-01-01", last = "2026-01-03" } }, makeUpWorkdays = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, shipped.StatusCode);
        Assert.Contains("CalendarYearShipped", await shipped.Content.ReadAsStringAsync());

        var (notices, audited) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.HolidayNotices.CountAsync(), await db.AuditLog.CountAsync(e => e.EntityType == "HolidayNotice"));
        });
        Assert.Equal((0, 0), (notices, audited));
        Assert.Equal("Degraded", await app.CreateClient().GetStringAsync("/health"));
    }

    [Theory]
    [InlineData("clerk")]
    [InlineData("supervisor")]
    [InlineData("finance")]
    public async Task EnteringAYear_IsForbidden_ForAnyoneButAnAdministrator(string userName)
    {
        await using var app = await OneCardApp.StartAsync(start: LateDecember);
        var client = await app.SignInAsync(userName);

        var response = await client.PostAsJsonAsync("/api/calendar/years", Notice2027());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().HolidayNotices.CountAsync()));
    }

    [Fact]
    public async Task ACorrection_IsANewAuditedRevision_UntilTheYearStarts()
    {
        await using var app = await OneCardApp.StartAsync(start: LateDecember);
        var admin = await app.SignInAsync("admin");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/calendar/years", Notice2027())).StatusCode);

        var corrected = await admin.PostAsJsonAsync("/api/calendar/years", Notice2027(makeUp: ["2027-02-20"]));
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
        Assert.Equal(2, (await corrected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt32());

        app.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.FromHours(8)));
        admin = await app.SignInAsync("admin"); // the session does not outlive a week
        var late = await admin.PostAsJsonAsync("/api/calendar/years", Notice2027());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, late.StatusCode);
        Assert.Contains("CalendarYearStarted", await late.Content.ReadAsStringAsync());

        var actions = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.AsNoTracking()
            .Where(e => e.EntityType == "HolidayNotice").OrderBy(e => e.Seq).Select(e => e.Action).ToListAsync());
        Assert.Equal(["CalendarYearEntered", "CalendarYearCorrected"], actions);
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Calendar;
using OneCard.Domain.Errors;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Calendar;

/// <summary>
/// The years of the working-day calendar, and an administrator entering a new year's official holiday notice
/// (国务院办公厅关于部分节假日安排的通知) so that deadlines into that year stop being provisional without a release.
/// </summary>
public static class CalendarYears
{
    public sealed record HolidayRequest(string? Name, string? First, string? Last);
    public sealed record Request(int Year, string? DocumentNumber, IReadOnlyList<HolidayRequest>? Holidays, IReadOnlyList<string?>? MakeUpWorkdays);

    /// <summary>A covered year. <see cref="Source"/>: <c>Shipped</c> (随版本发布) or <c>Entered</c> (管理员录入).</summary>
    public sealed record YearView(int Year, string Source, string? DocumentNumber, int? Revision, string? EnteredBy, DateTimeOffset? EnteredAt,
        IReadOnlyList<HolidayRange> Holidays, int HolidayDays, IReadOnlyList<DateOnly> MakeUpWorkdays);

    public sealed record Outcome(YearView? Result, IReadOnlyList<HolidayNoticeError> Errors);

    public static void MapCalendarYears(this RouteGroupBuilder api)
    {
        api.MapGet("/calendar/years", async Task<Ok<IReadOnlyList<YearView>>> (Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.ListAsync(ct)))
            .WithName("ListCalendarYears").WithSummary("The years the working-day calendar covers, shipped or entered");

        api.MapPost("/calendar/years", async Task<Results<Created<YearView>, ProblemHttpResult>> (Request request, Handler handler, CancellationToken ct) =>
            {
                var outcome = await handler.EnterAsync(request, ct);
                return outcome.Errors.Count > 0
                    ? Problems(outcome.Errors)
                    : TypedResults.Created($"/api/calendar/years/{outcome.Result!.Year}", outcome.Result);
            })
            .WithName("EnterCalendarYear").WithSummary("Enter a year's official holiday notice (administrators; field = holidays[i].first …)")
            .RequireAuthorization(p => p.RequireRole(Roles.Administrator));
    }

    /// <summary>422 listing every problem, each located by field.</summary>
    public static ProblemHttpResult Problems(IReadOnlyList<HolidayNoticeError> errors) => TypedResults.Problem(
        title: Resources.Ui.F("Admin.Calendar.Refused", errors.Count),
        detail: string.Join(Resources.Ui.T("Admin.Calendar.Separator"), errors.Select(e => Resources.Ui.Pick(e.MessageZh, e.MessageEn))),
        statusCode: StatusCodes.Status422UnprocessableEntity,
        extensions: new Dictionary<string, object?>
        {
            ["code"] = "CalendarNoticeInvalid",
            ["errors"] = errors.Select(e => new { field = e.Field, code = e.Code, message = e.MessageZh, messageEn = e.MessageEn }).ToList(),
        });

    /// <summary>The use case; the API and the administrator's page both call it.</summary>
    public sealed class Handler(OneCardDbContext db, UserContext user, CalendarProvider calendars, AuditWriter audit, TimeProvider time)
    {
        public Task<IReadOnlyList<YearView>> ListAsync(CancellationToken ct)
        {
            _ = user.Required;
            var shipped = calendars.Shipped.CoveredYears.Select(y => new YearView(y, "Shipped", null, null, null, null, [],
                calendars.Shipped.HolidaysIn(y).Count, calendars.Shipped.MakeUpWorkdaysIn(y)));
            var entered = calendars.Entered.Where(r => !calendars.Shipped.Covers(r.Year)).Select(View);
            IReadOnlyList<YearView> years = [.. shipped.Concat(entered).OrderBy(v => v.Year)];
            return Task.FromResult(years);
        }

        public async Task<Outcome> EnterAsync(Request request, CancellationToken ct)
        {
            var admin = user.Required;
            if (!admin.Holds(Roles.Administrator))
                throw new OneCardException(ErrorKind.Forbidden, "NotAdministrator", "只有系统管理员可以录入节假日安排", "Only an administrator can enter the holiday calendar.");

            var (notice, errors) = Parse(request);
            if (notice is not null) errors.AddRange(notice.Validate());
            if (errors.Count > 0) return new Outcome(null, errors);

            // Reload first: another host may have entered this year a moment ago.
            await calendars.ReloadAsync(db, ct);
            var today = WorkingDayCalendar.LocalDate(time.GetUtcNow());
            var previous = calendars.Entered.FirstOrDefault(r => r.Year == notice!.Year);
            if (calendars.Shipped.Covers(notice!.Year))
                errors.Add(new("year", "CalendarYearShipped", $"{notice.Year}年的节假日安排已随版本发布，不能在此修改",
                    $"{notice.Year} is in the shipped calendar and cannot be entered."));
            else if (previous is not null && notice.Year <= today.Year)
                errors.Add(new("year", "CalendarYearStarted", $"{notice.Year}年已经开始，已录入的安排不能再更正（期限已按其计算）",
                    $"{notice.Year} has started; its entered notice can no longer be corrected."));
            if (errors.Count > 0) return new Outcome(null, errors);

            var (holidays, workdays) = notice.Dates();
            var record = new HolidayNoticeRecord
            {
                Id = Guid.CreateVersion7(), Year = notice.Year, Revision = (previous?.Revision ?? 0) + 1,
                DocumentNumber = notice.DocumentNumber.Trim(), HolidaysJson = CalendarProvider.HolidaysToJson(notice.Holidays),
                MakeUpWorkdaysJson = CalendarProvider.WorkdaysToJson(notice.MakeUpWorkdays), EnteredBy = admin.Id, EnteredAt = time.GetUtcNow(),
            };
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                db.HolidayNotices.Add(record);
                await audit.AppendAsync(db, admin.Id, previous is null ? "CalendarYearEntered" : "CalendarYearCorrected", "HolidayNotice",
                    record.Year.ToString(CultureInfo.InvariantCulture), admin.RegionCode,
                    new
                    {
                        year = record.Year, revision = record.Revision, documentNumber = record.DocumentNumber,
                        holidays = notice.Holidays, makeUpWorkdays = workdays, holidayDays = holidays.Count,
                        replacesRevision = previous?.Revision,
                    }, ct);
                // A concurrent entry of the same revision fails here on the unique (year, revision) index: 409.
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }

            await calendars.ReloadAsync(db, ct);
            return new Outcome(View(record), []);
        }

        private static YearView View(HolidayNoticeRecord r)
        {
            var notice = CalendarProvider.ToNotice(r);
            return new YearView(r.Year, "Entered", r.DocumentNumber, r.Revision, r.EnteredBy, r.EnteredAt, notice.Holidays,
                notice.Dates().Holidays.Count, [.. notice.MakeUpWorkdays.Order()]);
        }

        /// <summary>Reads the request's dates (yyyy-MM-dd), locating every unreadable one.</summary>
        private static (HolidayNotice? Notice, List<HolidayNoticeError> Errors) Parse(Request request)
        {
            var errors = new List<HolidayNoticeError>();
            DateOnly? Date(string? text, string field, string what)
            {
                if (DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
                errors.Add(new(field, "CalendarDateInvalid", $"{what}“{text}”不是有效日期（格式 yyyy-MM-dd）", $"{field}: '{text}' is not a yyyy-MM-dd date."));
                return null;
            }

            var holidays = new List<HolidayRange>();
            var requested = request.Holidays ?? [];
            for (var i = 0; i < requested.Count; i++)
            {
                var h = requested[i];
                var first = Date(h.First, $"holidays[{i}].first", $"第{i + 1}项放假的开始日期");
                var last = Date(h.Last, $"holidays[{i}].last", $"第{i + 1}项放假的结束日期");
                if (first is not null && last is not null) holidays.Add(new HolidayRange(h.Name?.Trim() ?? "", first.Value, last.Value));
            }

            var workdays = new List<DateOnly>();
            var requestedDays = request.MakeUpWorkdays ?? [];
            for (var i = 0; i < requestedDays.Count; i++)
                if (Date(requestedDays[i], $"makeUpWorkdays[{i}]", $"第{i + 1}个调休上班日") is { } d) workdays.Add(d);

            return errors.Count > 0 ? (null, errors) : (new HolidayNotice(request.Year, request.DocumentNumber ?? "", holidays, workdays), errors);
        }
    }
}

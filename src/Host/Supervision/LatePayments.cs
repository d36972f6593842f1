using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Regions;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Supervision;

/// <summary>
/// The supervisor's late-payment watch (支付逾期): payment batches whose case the deadline sweep marked late — still waiting
/// for the bank's confirmation past the step's time limit — most late first, with where each stands in its escalation. The
/// mark and the escalation are the instance's (<see cref="WorkflowInstance.StepOverdueAt"/>,
/// <see cref="WorkflowInstance.StepEscalatedAt"/>); nothing here names a step: the batch's definition says what is late.
/// </summary>
public static class LatePayments
{
    public const int MaxPageSize = 100;

    /// <summary>What the supervisor asked for.</summary>
    /// <param name="Region">A region (6- or 9-digit code) to narrow to, inside the user's own scope; null: the whole scope.</param>
    /// <param name="Bank">An agent bank's code; null: every bank.</param>
    /// <param name="Escalated">True: escalated only; false: not yet escalated only; null: both.</param>
    public sealed record Filter(string? Region = null, string? Bank = null, bool? Escalated = null);

    /// <param name="Link">The batch's page (relative to the app base).</param>
    /// <param name="LateHours">Hours from the due time to now, one decimal.</param>
    /// <param name="LateWorkingDays">Working days on the official calendar from the due time to now (the day that is running counts once it began).</param>
    /// <param name="EscalateAt">When the step escalates (due time plus its grace), or null for a step that does not.</param>
    public sealed record Item(Guid BatchId, string BatchNo, string Link, string AgentBankCode, string BankName, string RegionCode, string RegionName,
        string Kind, string Step, string StepTitle, int LineCount, decimal TotalAmount, DateTimeOffset? ReleasedAt, DateTimeOffset DueAt,
        DateTimeOffset MarkedLateAt, double LateHours, int LateWorkingDays, DateTimeOffset? EscalateAt, DateTimeOffset? EscalatedAt);

    public sealed record Option(string Value, string Label);

    /// <param name="Banks">The banks of the batches the user may see, for the filter.</param>
    public sealed record Page(int Total, int PageNo, int PageSize, DateTimeOffset Now, IReadOnlyList<Item> Items, IReadOnlyList<Option> Banks);

    public static void MapLatePayments(this RouteGroupBuilder api)
    {
        var supervision = api.MapGroup("/supervision").RequireAuthorization(p => p.RequireRole(Roles.Supervisor, Roles.Administrator, Roles.FinanceReviewer));
        supervision.MapGet("/late-payments", async Task<Ok<Page>> (string? region, string? bank, bool? escalated, int? page, int? pageSize,
                Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.ListAsync(new Filter(region, bank, escalated), page ?? 1, pageSize ?? 20, ct)))
            .WithName("LatePayments").WithSummary("Payment batches marked late (not confirmed by the bank in time), most late first, with their escalation");
    }

    public sealed class Handler(OneCardDbContext db, UserContext user, RegionDirectory regions, WorkingDayCalendar calendar,
        WorkflowCatalog workflows, TimeProvider time)
    {
        public async Task<Page> ListAsync(Filter filter, int page, int pageSize, CancellationToken ct)
        {
            var prefix = ScopePrefix(filter.Region, user.Required, regions);
            pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
            page = Math.Max(page, 1);
            var now = time.GetUtcNow();

            // The query filters keep both sets to the user's region (and department); the join is on the case's subject.
            var late = from b in db.PaymentBatches.AsNoTracking()
                       join i in db.WorkflowInstances.AsNoTracking() on new { Kind = SubjectKinds.PaymentBatch, Id = b.Id } equals new { Kind = i.SubjectKind, Id = i.SubjectId }
                       where !i.IsFinal && i.StepOverdueAt != null && i.StepDueAt != null
                       select new { Batch = b, Instance = i };
            if (prefix is not null) late = late.Where(x => x.Batch.RegionCode.StartsWith(prefix));
            var banks = await late.Select(x => x.Batch.AgentBankCode).Distinct().ToListAsync(ct);
            if (!string.IsNullOrWhiteSpace(filter.Bank)) late = late.Where(x => x.Batch.AgentBankCode == filter.Bank);
            if (filter.Escalated is { } escalated) late = late.Where(x => (x.Instance.StepEscalatedAt != null) == escalated);

            var total = await late.CountAsync(ct);
            var rows = await late.OrderBy(x => x.Instance.StepDueAt).ThenBy(x => x.Batch.BatchNo)
                .Skip((page - 1) * pageSize).Take(pageSize)
                .Select(x => new
                {
                    x.Batch.Id, x.Batch.BatchNo, x.Batch.AgentBankCode, x.Batch.RegionCode, x.Batch.Kind, x.Batch.LineCount, x.Batch.TotalAmount,
                    x.Batch.ReleasedAt, x.Instance.DefinitionId, x.Instance.DefinitionVersion, x.Instance.Step, DueAt = x.Instance.StepDueAt!.Value,
                    MarkedLateAt = x.Instance.StepOverdueAt!.Value, x.Instance.StepEscalatedAt,
                })
                .ToListAsync(ct);
            var names = await BankNamesAsync(db, banks, ct);

            var items = rows.Select(r =>
            {
                var step = workflows.Get(r.DefinitionId, r.DefinitionVersion).Step(r.Step);
                return new Item(r.Id, r.BatchNo, CaseLinks.For(SubjectKinds.PaymentBatch, r.Id), r.AgentBankCode, names.GetValueOrDefault(r.AgentBankCode, r.AgentBankCode),
                    r.RegionCode, regions.FullName(r.RegionCode), r.Kind.ToString(), r.Step, Resources.Ui.Pick(step.TitleZh, step.TitleEn), r.LineCount, r.TotalAmount, r.ReleasedAt,
                    r.DueAt, r.MarkedLateAt, Math.Round((now - r.DueAt).TotalHours, 1), WorkingDaysLate(r.DueAt, now),
                    step.Escalate is { } e ? calendar.After(r.DueAt, e.After) : null, r.StepEscalatedAt);
            }).ToList();
            return new Page(total, page, pageSize, now, items,
                [.. banks.Order(StringComparer.Ordinal).Select(b => new Option(b, names.GetValueOrDefault(b, b)))]);
        }

        // Counts the working days that began between the due time (00:00 of a day, China time) and now: due Fri 00:00 and now
        // Fri 10:00 is one working day late; now Mon 09:00 after a plain weekend is two.
        private int WorkingDaysLate(DateTimeOffset due, DateTimeOffset now) =>
            calendar.WorkingDaysBetween(WorkingDayCalendar.LocalDate(due).AddDays(-1), WorkingDayCalendar.LocalDate(now));
    }

    /// <summary>The bank names by code, for the codes given, in the current UI culture (the Chinese name when no English one is registered).</summary>
    internal static async Task<Dictionary<string, string>> BankNamesAsync(OneCardDbContext db, IReadOnlyCollection<string> codes, CancellationToken ct) =>
        (await db.AgentBanks.AsNoTracking().Where(b => codes.Contains(b.Code)).Select(b => new { b.Code, b.NameZh, b.NameEn }).ToListAsync(ct))
            .ToDictionary(b => b.Code, b => Resources.Ui.Pick(b.NameZh, b.NameEn), StringComparer.Ordinal);

    /// <summary>
    /// The region prefix a request narrows to, refused (located, in Chinese) when the code is unknown or outside the user's
    /// own region; null when the request names none (the query filters already keep the user's scope).
    /// </summary>
    internal static string? ScopePrefix(string? region, CurrentUser user, RegionDirectory regions)
    {
        if (string.IsNullOrWhiteSpace(region)) return null;
        var found = regions.Find(region.Trim())
            ?? throw new OneCardException(ErrorKind.NotFound, "RegionNotFound", $"参数 region：未找到行政区划 {region}", $"Region {region} not found.");
        if (!RegionScope.For(user.RegionCode).Contains(found.Code) && !RegionScope.For(found.Code).Contains(user.RegionCode))
            throw new OneCardException(ErrorKind.Forbidden, "RegionOutOfScope", $"参数 region：无权查看{regions.FullName(found.Code)}的数据",
                $"Region {found.Code} is outside your scope.");
        return RegionScope.For(found.Code).Prefix;
    }
}

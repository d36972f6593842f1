using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Applications;

/// <summary>Reading cases in the user's scope: the list, and one case with its lines, history and allowed actions.</summary>
public static class ReadApplications
{
    public sealed record Summary(Guid Id, string Number, string PolicyCode, string Period, string RegionCode, string RegionName,
        string Step, string StepTitle, DateTimeOffset SubmittedAt, int LineCount, int EligibleCount, decimal PayableAmount, bool IsFinal);
    public sealed record LineView(Guid Id, int LineNo, string Name, string IdNumberMasked, JsonElement Facts, decimal? Amount, string Outcome,
        string? ReasonZh, JsonElement RuleResults, string RuleSetKey, JsonElement? Warnings, bool Sampled, string? SampleResult, string? SampleNote,
        string? ReasonEn = null);
    /// <param name="ActorName">Who acted, as people read it ("钱审核（大孤家子镇）", 系统).</param>
    public sealed record EventView(int Seq, string FromStep, string Action, string ToStep, string ActorId, DateTimeOffset At, string? Comment, string? ActorName = null);
    public sealed record ObjectionView(Guid Id, int? LineNo, string Text, DateTimeOffset LodgedAt, string Status, string? Resolution, string? ContactMasked = null);
    public sealed record Detail(Summary Case, string RuleSetKey, string WorkflowKey, DateTimeOffset? StepDueAt, bool StepOverdue,
        IReadOnlyList<string> PermittedActions, IReadOnlyList<string> LineActions, DateTimeOffset? PublicityEndsAt,
        IReadOnlyList<LineView> Lines, IReadOnlyList<EventView> History, IReadOnlyList<ObjectionView> Objections, object? SampleDraw);

    /// <summary>
    /// The list's filters, sort and page. Policy code, step name, region (code prefix: a county or a township), due state
    /// (<see cref="Tasks.Inbox.DueStates"/>: overdue / soon (within a day) / normal, open cases only), Q: text in the
    /// case number or the region's name (e.g. "大孤家子"). Sort: "submitted", "number", "due", "payable", "lines", a
    /// leading "-" for descending; default "-submitted" (newest first).
    /// </summary>
    public sealed record Query(string? Policy = null, string? Step = null, string? Region = null, string? Due = null, string? Q = null,
        string? Sort = null, int Page = 1, int PageSize = DefaultPageSize);

    public sealed record SummaryPage(IReadOnlyList<Summary> Items, int Total, int Page, int PageSize);

    /// <summary>Rows per page unless asked (the API's callers that read one list get up to this many, and the total in the header).</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest page a caller may ask for.</summary>
    public const int MaxPageSize = 500;

    /// <summary>Header carrying the number of cases matching the filters (the body is one page): the same as the inbox's.</summary>
    public const string TotalHeader = Tasks.Inbox.TotalHeader;

    public static void MapReadApplications(this RouteGroupBuilder api)
    {
        api.MapGet("/applications", async Task<Ok<IReadOnlyList<Summary>>> ([AsParameters] Query query, HttpResponse response, Handler handler, CancellationToken ct) =>
            {
                var page = await handler.ListAsync(query, ct);
                response.Headers[TotalHeader] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Ok(page.Items);
            })
            .WithName("ListApplications")
            .WithSummary("Applications in the user's region, filtered (policy, step, region, due, q), sorted and paged; total in X-Total-Count");
        api.MapGet("/applications/{id:guid}", async Task<Ok<Detail>> (Guid id, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.GetAsync(id, ct)))
            .WithName("GetApplication").WithSummary("One application with lines, rule results, history and allowed actions (404 outside the user's region)");
    }

    /// <summary>The queries; the web UI calls them too.</summary>
    public sealed class Handler(OneCardDbContext db, WorkflowCatalog workflows, CaseEngine engine, RegionDirectory regions, UserContext user, TimeProvider time)
    {
        /// <summary>
        /// A third party (an inspector, or anyone from an outside organisation) sees a case only during its check; a government
        /// user who holds the inspector's role beside another keeps what the other role sees.
        /// </summary>
        private bool CheckScoped => user.User is { } u && (u.IsThirdParty || u.Roles.All(r => r == Roles.Inspector));

        /// <summary>
        /// Whether a check-scoped user may see a case in <paramref name="instance"/>'s current step: only while the step is
        /// theirs to take (its role is the user's role, e.g. Inspector). The definition says which step that is, so a
        /// renamed step in a newer version still works.
        /// </summary>
        private bool CheckOpenFor(Domain.Cases.WorkflowInstance instance) =>
            !instance.IsFinal && user.User is { } u && workflows.Get(instance.DefinitionId, instance.DefinitionVersion).Step(instance.Step).Role is { } role && u.Holds(role);

        /// <summary>Every "definition@version|step" whose step's role the user holds: a check-scoped user's cases, decided in SQL.</summary>
        private List<string> StepKeysOfUsersRole() =>
        [
            .. from d in workflows.All
               from s in d.Steps
               where s.Role is not null && user.User?.Holds(s.Role) == true
               select $"{d.DefinitionId}@{d.Version}|{s.Name}",
        ];

        public async Task<IReadOnlyList<Summary>> ListAsync(CancellationToken ct) => (await ListAsync(new Query(), ct)).Items;

        /// <summary>
        /// One page of the cases in the user's scope and the number of all that match: filtered, sorted and cut in the
        /// database, so the total is the truth however many cases there are (region scope is the context's query filter).
        /// </summary>
        public async Task<SummaryPage> ListAsync(Query query, CancellationToken ct)
        {
            var rows = from a in db.Applications.AsNoTracking()
                       join i in db.WorkflowInstances.AsNoTracking().Where(i => i.SubjectKind == SubjectKinds.Application) on a.Id equals i.SubjectId
                       select new { a, i };
            // A third-party inspector sees the cases waiting for their check, and nothing else: the definition each case is
            // pinned to says which step that is.
            if (CheckScoped)
            {
                var keys = StepKeysOfUsersRole();
                rows = rows.Where(r => !r.i.IsFinal && keys.Contains(r.i.DefinitionId + "@" + r.i.DefinitionVersion.ToString() + "|" + r.i.Step));
            }
            if (Blank(query.Policy) is { } policy) rows = rows.Where(r => r.a.PolicyCode == policy);
            if (Blank(query.Step) is { } stepName) rows = rows.Where(r => r.i.Step == stepName);
            if (Blank(query.Region) is { } region) rows = rows.Where(r => r.a.RegionCode.StartsWith(region));
            var now = time.GetUtcNow();
            var soon = now.AddDays(1);
            rows = Blank(query.Due) switch
            {
                null => rows,
                Tasks.Inbox.DueStates.Overdue => rows.Where(r => !r.i.IsFinal && r.i.StepDueAt <= now),
                Tasks.Inbox.DueStates.Soon => rows.Where(r => !r.i.IsFinal && r.i.StepDueAt > now && r.i.StepDueAt <= soon),
                Tasks.Inbox.DueStates.Normal => rows.Where(r => !r.i.IsFinal && (r.i.StepDueAt == null || r.i.StepDueAt > soon)),
                var other => throw new OneCardException(ErrorKind.Invalid, "UnknownDueState",
                    $"办理时限筛选“{other}”无效，可选：overdue（逾期）、soon（即将到期）、normal（正常）", $"Unknown due state '{other}'."),
            };
            if (Blank(query.Q) is { } text)
            {
                var places = regions.Matching(text);
                rows = rows.Where(r => r.a.Number.Contains(text) || places.Contains(r.a.RegionCode));
            }

            var total = await rows.CountAsync(ct);
            var (key, descending) = SortKey(query.Sort);
            rows = (key, descending) switch
            {
                ("number", false) => rows.OrderBy(r => r.a.Number).ThenBy(r => r.a.Id),
                ("number", true) => rows.OrderByDescending(r => r.a.Number).ThenBy(r => r.a.Id),
                ("due", false) => rows.OrderBy(r => r.i.StepDueAt == null).ThenBy(r => r.i.StepDueAt).ThenBy(r => r.a.Id),
                ("due", true) => rows.OrderBy(r => r.i.StepDueAt == null).ThenByDescending(r => r.i.StepDueAt).ThenBy(r => r.a.Id),
                ("payable", false) => rows.OrderBy(r => r.a.PayableAmount).ThenBy(r => r.a.Id),
                ("payable", true) => rows.OrderByDescending(r => r.a.PayableAmount).ThenBy(r => r.a.Id),
                ("lines", false) => rows.OrderBy(r => r.a.LineCount).ThenBy(r => r.a.Id),
                ("lines", true) => rows.OrderByDescending(r => r.a.LineCount).ThenBy(r => r.a.Id),
                ("submitted", false) => rows.OrderBy(r => r.a.SubmittedAt).ThenBy(r => r.a.Id),
                _ => rows.OrderByDescending(r => r.a.SubmittedAt).ThenBy(r => r.a.Id),
            };
            var size = Math.Clamp(query.PageSize, 1, MaxPageSize);
            var number = Math.Max(1, query.Page);
            var page = await rows.Skip((number - 1) * size).Take(size).ToListAsync(ct);
            return new SummaryPage([.. page.Select(r => ToSummary(r.a, r.i))], total, number, size);
        }

        /// <summary>The sort keys the list knows; anything else is refused in Chinese rather than silently ignored.</summary>
        public static readonly IReadOnlyList<string> SortKeys = ["submitted", "number", "due", "payable", "lines"];

        private static (string Key, bool Descending) SortKey(string? sort)
        {
            if (Blank(sort) is not { } s) return ("submitted", true);
            var descending = s.StartsWith('-');
            var key = descending ? s[1..] : s;
            if (!SortKeys.Contains(key))
                throw new OneCardException(ErrorKind.Invalid, "UnknownSort",
                    $"排序字段“{s}”无效，可选：{string.Join("、", SortKeys)}（前加“-”为降序）", $"Unknown sort '{s}'.");
            return (key, descending);
        }

        private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

        /// <summary>Display names of the people who acted (see <see cref="Tasks.ActorNames"/>), for any case page's history.</summary>
        public Task<IReadOnlyDictionary<string, string>> ActorNamesAsync(IEnumerable<string> actorIds, CancellationToken ct) =>
            Tasks.ActorNames.ResolveAsync(db, regions, actorIds, ct);

        public async Task<Detail> GetAsync(Guid id, CancellationToken ct)
        {
            var application = await db.Applications.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct)
                ?? throw OneCardException.NotFound("Application", "申报");
            var instance = await db.WorkflowInstances.AsNoTracking().Include(i => i.History).SingleAsync(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == id, ct);
            var inspector = CheckScoped;
            // Only while the sample check is open: before it and after it the case does not exist for a third party.
            if (inspector && !CheckOpenFor(instance))
                throw OneCardException.NotFound("Application", "申报");
            var linesQuery = db.ClaimLines.AsNoTracking().Where(l => l.ApplicationId == id);
            // A third-party inspector sees only the lines drawn for the check, nothing else of the case.
            if (inspector) linesQuery = linesQuery.Where(l => l.Sampled);
            var lines = await linesQuery.OrderBy(l => l.LineNo).ToListAsync(ct);
            var objections = inspector ? [] :
                await db.Objections.AsNoTracking().Where(o => o.ApplicationId == id).OrderBy(o => o.LodgedAt).ToListAsync(ct);
            var draw = await db.SampleDraws.AsNoTracking().SingleOrDefaultAsync(d => d.ApplicationId == id, ct);
            var step = workflows.Get(instance.DefinitionId, instance.DefinitionVersion).Step(instance.Step);
            // Separation of duties reads the engine's history: the transitions, and the line corrections (更正明细) made in a step.
            var acts = await engine.HistoryAsync(instance.Id, ct);
            var permitted = await engine.PermittedActionsAsync(instance, ct, acts);
            var lineActions = user.User is not null && step.Role is { } stepRole && !instance.IsFinal
                && (await engine.RolesOnAsync(instance.PolicyCode, ct)).Contains(stepRole)
                && (await engine.PreparedByCurrentUserAsync(instance, ct, acts)).Count == 0 ? step.LineActions : [];
            var names = inspector ? new Dictionary<string, string>() : await Tasks.ActorNames.ResolveAsync(db, regions, instance.History.Select(h => h.ActorId), ct);
            return new Detail(
                ToSummary(application, instance), application.RuleSetKey, $"{instance.DefinitionId}@{instance.DefinitionVersion}", instance.StepDueAt,
                instance.StepDueAt is { } due && due <= time.GetUtcNow() && !instance.IsFinal, permitted, lineActions, application.PublicityEndsAt,
                lines.Select(l => new LineView(l.Id, l.LineNo, l.Name, l.IdNumberMasked, Parse(l.FactsJson), l.Amount, l.Outcome.ToString(), l.ReasonZh,
                    Parse(l.RuleResultsJson), l.RuleSetKey, l.WarningsJson is null ? null : Parse(l.WarningsJson), l.Sampled, l.SampleResult?.ToString(),
                    l.SampleNote, l.ReasonEn)).ToList(),
                instance.History.Where(_ => !inspector).OrderBy(h => h.Seq).Select(h => new EventView(h.Seq, h.FromStep, h.Action, h.ToStep, h.ActorId, h.At, h.Comment,
                    names.GetValueOrDefault(h.ActorId, h.ActorId))).ToList(),
                objections.Select(o => new ObjectionView(o.Id, o.LineNo, o.Text, o.LodgedAt, o.Status.ToString(), o.Resolution, o.ContactMasked)).ToList(),
                draw is null ? null : new { draw.Seed, draw.Share, draw.Minimum, draw.PopulationCount, draw.SampleCount, draw.Algorithm, draw.DrawnAt });
        }

        private Summary ToSummary(Application a, Domain.Cases.WorkflowInstance i) => new(
            a.Id, a.Number, a.PolicyCode, a.Period, a.RegionCode, regions.FullName(a.RegionCode), i.Step,
            workflows.Get(i.DefinitionId, i.DefinitionVersion).Step(i.Step).TitleZh, a.SubmittedAt, a.LineCount, a.EligibleCount,
            a.PayableAmount, i.IsFinal);

        private static JsonElement Parse(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
    }
}

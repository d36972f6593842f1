using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Tasks;

/// <summary>
/// The task inbox: open tasks for the user's role(s) in the user's region, plus tasks escalated to them (read-only,
/// 已上报). Filtered, sorted and paged in the database; separation of duties is part of the query, so a page is never
/// short because rows were dropped after the page was cut.
/// </summary>
public static class Inbox
{
    /// <summary>Due states as the filter names them: 逾期, 即将到期 (reminder time reached, or due within a day), 正常.</summary>
    public static class DueStates
    {
        public const string Overdue = "overdue";
        public const string Soon = "soon";
        public const string Normal = "normal";
    }

    /// <summary>
    /// Filters: policy code, step name, region (code prefix, e.g. a township), due state (<see cref="DueStates"/>), claim
    /// ("mine": claimed by or assigned to me; "unclaimed"), Q: text in the case reference or the region's name (e.g. "大孤家子");
    /// sort: "due" (default), "created", "reference", a leading "-" for descending.
    /// </summary>
    public sealed record Query(string? Policy = null, string? Step = null, string? Region = null, string? Due = null, string? Claim = null,
        string? Sort = null, int Page = 1, int PageSize = 50, string? Q = null);

    /// <summary>The sort keys the inbox knows; anything else is refused in Chinese rather than silently ignored.</summary>
    public static readonly IReadOnlyList<string> SortKeys = ["due", "created", "reference"];

    /// <summary>The largest page a caller may ask for.</summary>
    public const int MaxPageSize = 500;

    public sealed record TaskView(Guid Id, string SubjectKind, Guid SubjectId, Guid? ApplicationId, string Reference, string? PolicyCode,
        string RegionCode, string RegionName, string Step, string StepTitle, DateTimeOffset CreatedAt, DateTimeOffset? DueAt, bool DueAtIsProvisional,
        bool IsOverdue, DateTimeOffset? OverdueAt, string DueState, string? AssigneeId, string? AssigneeName, bool ClaimedByMe,
        bool IsEscalated, int? LineCount, decimal? PayableAmount, string? WorkflowKey = null)
    {
        /// <summary>The case page of the subject; null for kinds that have no page yet.</summary>
        public string Link => CaseLinks.For(SubjectKind, SubjectId);
    }

    public sealed record TaskPage(IReadOnlyList<TaskView> Items, int Total, int Page, int PageSize);

    /// <summary>Header carrying the number of tasks matching the filters (the body is one page).</summary>
    public const string TotalHeader = "X-Total-Count";

    public static void MapInbox(this RouteGroupBuilder api) =>
        api.MapGet("/tasks", async Task<Ok<IReadOnlyList<TaskView>>> ([AsParameters] Query query, HttpResponse response, Handler handler, CancellationToken ct) =>
        {
            var page = await handler.ListAsync(query, ct);
            response.Headers[TotalHeader] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Ok(page.Items);
        }).WithName("ListTasks").WithSummary("My open tasks, filtered (policy, step, region, due, claim, q), sorted and paged; total in X-Total-Count");

    /// <summary>The inbox query; the web UI calls it too.</summary>
    public sealed class Handler(OneCardDbContext db, WorkflowCatalog workflows, RegionDirectory regions, UserContext user, TimeProvider time)
    {
        public Task<TaskPage> ListAsync(CancellationToken ct) => ListAsync(new Query(), ct);

        public async Task<TaskPage> ListAsync(Query query, CancellationToken ct)
        {
            var me = user.Required;
            // Every role the user holds. Where the user's department narrows some of them but the database does not filter by it
            // (they also hold a role across departments), a task of a bound role shows only on a case of their department's policy.
            var perCase = me.ActsPerCaseDepartment;
            string[] free = [.. me.Roles.Where(r => !perCase || !Roles.IsDepartmentBound(r))];
            string[] bound = [.. me.Roles.Where(r => perCase && Roles.IsDepartmentBound(r))];
            var department = me.DepartmentCode;
            var now = time.GetUtcNow();
            var soon = now.AddDays(1);
            var separated = SeparationKeys();

            var tasks = db.Tasks.AsNoTracking().Where(t => t.Status == CaseTaskStatus.Open
                && (free.Contains(t.Role) || (t.EscalatedToRole != null && free.Contains(t.EscalatedToRole))
                    || ((bound.Contains(t.Role) || (t.EscalatedToRole != null && bound.Contains(t.EscalatedToRole)))
                        && (t.PolicyCode == null || db.Policies.Any(p => p.Code == t.PolicyCode && p.DepartmentCode == department)))));
            if (!string.IsNullOrWhiteSpace(query.Policy)) tasks = tasks.Where(t => t.PolicyCode == query.Policy);
            if (!string.IsNullOrWhiteSpace(query.Step)) tasks = tasks.Where(t => t.Step == query.Step);
            if (!string.IsNullOrWhiteSpace(query.Region)) tasks = tasks.Where(t => t.RegionCode.StartsWith(query.Region));
            tasks = query.Due switch
            {
                DueStates.Overdue => tasks.Where(t => t.OverdueAt != null || t.DueAt <= now),
                DueStates.Soon => tasks.Where(t => t.OverdueAt == null && t.DueAt > now && (t.RemindAt <= now || t.DueAt <= soon)),
                DueStates.Normal => tasks.Where(t => t.OverdueAt == null && (t.DueAt == null || (t.DueAt > soon && (t.RemindAt == null || t.RemindAt > now)))),
                _ => tasks,
            };
            tasks = query.Claim switch
            {
                "mine" => tasks.Where(t => t.AssigneeId == me.Id),
                "unclaimed" => tasks.Where(t => t.AssigneeId == null),
                _ => tasks,
            };
            var sort = string.IsNullOrWhiteSpace(query.Sort) ? "due" : query.Sort.Trim();
            if (!SortKeys.Contains(sort.TrimStart('-')))
                throw new OneCardException(ErrorKind.Invalid, "UnknownSort",
                    $"排序字段“{sort}”无效，可选：{string.Join("、", SortKeys)}（前加“-”为降序）", $"Unknown sort '{sort}'.");
            var text = string.IsNullOrWhiteSpace(query.Q) ? null : query.Q.Trim();
            IReadOnlyList<string> places = text is null ? [] : regions.Matching(text);

            var rows = from t in tasks
                       join i in db.WorkflowInstances.AsNoTracking() on t.InstanceId equals i.Id
                       // Separation of duties: not a task whose step checks something this user prepared on this case.
                       where !db.WorkflowEvents.Any(e => e.InstanceId == t.InstanceId && e.ActorId == me.Id
                                                         && separated.Contains(i.DefinitionId + "@" + i.DefinitionVersion.ToString() + "|" + t.Step + "|" + e.FromStep))
                       // …nor one whose step checks a step in which this user corrected the case's lines (更正明细 is acting in it).
                       where !db.LineCorrections.Any(c => c.InstanceId == t.InstanceId && c.CorrectedBy == me.Id
                                                          && separated.Contains(i.DefinitionId + "@" + i.DefinitionVersion.ToString() + "|" + t.Step + "|" + c.Step))
                       join a in db.Applications.AsNoTracking() on t.SubjectId equals a.Id into apps
                       from a in apps.DefaultIfEmpty()
                       join u in db.Users.AsNoTracking() on t.AssigneeId equals u.Id into users
                       from u in users.DefaultIfEmpty()
                       select new
                       {
                           // The user's own task (a role they act in on this case), not one escalated to them (已上报, read-only).
                           Own = free.Contains(t.Role) || (bound.Contains(t.Role)
                               && (t.PolicyCode == null || db.Policies.Any(p => p.Code == t.PolicyCode && p.DepartmentCode == department))),
                           t, i.Reference, i.DefinitionId, i.DefinitionVersion, AssigneeName = u == null ? null : u.DisplayName,
                           LineCount = a == null ? (int?)null : a.LineCount, Payable = a == null ? (decimal?)null : a.PayableAmount,
                       };
            if (text is not null) rows = rows.Where(r => r.Reference.Contains(text) || places.Contains(r.t.RegionCode));
            var total = await rows.CountAsync(ct);
            rows = sort switch
            {
                "-due" => rows.OrderByDescending(r => r.t.DueAt).ThenBy(r => r.t.Id),
                "created" => rows.OrderBy(r => r.t.CreatedAt).ThenBy(r => r.t.Id),
                "-created" => rows.OrderByDescending(r => r.t.CreatedAt).ThenBy(r => r.t.Id),
                "reference" => rows.OrderBy(r => r.Reference).ThenBy(r => r.t.Id),
                "-reference" => rows.OrderByDescending(r => r.Reference).ThenBy(r => r.t.Id),
                _ => rows.OrderBy(r => r.t.DueAt).ThenBy(r => r.t.Id),
            };
            var size = Math.Clamp(query.PageSize, 1, MaxPageSize);
            var number = Math.Max(1, query.Page);
            var page = await rows.Skip((number - 1) * size).Take(size).ToListAsync(ct);

            return new TaskPage([.. page.Select(r =>
            {
                var t = r.t;
                var overdue = t.OverdueAt is not null || t.DueAt <= now;
                var dueSoon = !overdue && t.DueAt is not null && (t.RemindAt <= now || t.DueAt <= soon);
                return new TaskView(t.Id, t.SubjectKind, t.SubjectId, t.SubjectKind == SubjectKinds.Application ? t.SubjectId : null, r.Reference,
                    t.PolicyCode, t.RegionCode, regions.FullName(t.RegionCode), t.Step,
                    workflows.Get(r.DefinitionId, r.DefinitionVersion).Step(t.Step).TitleZh, t.CreatedAt, t.DueAt, t.DueAtIsProvisional,
                    overdue, t.OverdueAt, overdue ? DueStates.Overdue : dueSoon ? DueStates.Soon : DueStates.Normal,
                    t.AssigneeId, r.AssigneeName, t.AssigneeId == me.Id, !r.Own, r.LineCount, r.Payable, $"{r.DefinitionId}@{r.DefinitionVersion}");
            })], total, number, size);
        }

        /// <summary>
        /// "definition@version|step|fromStep" for every step that declares separation of duties and every history event that
        /// prepared it (the submission's event has no from-step), so the database can apply the rule row by row.
        /// </summary>
        private List<string> SeparationKeys() =>
        [
            .. from d in workflows.All
               from s in d.Steps
               from prepared in s.SeparateFrom
               select $"{d.DefinitionId}@{d.Version}|{s.Name}|{(prepared == WorkflowDefinition.Submission ? "" : prepared)}",
        ];
    }
}

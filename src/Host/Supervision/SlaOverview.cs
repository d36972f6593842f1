using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Regions;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Supervision;

/// <summary>
/// The supervisor's SLA figures for a region: open, due soon, overdue and escalated tasks now, and on-time rate and time
/// in step for tasks completed in the period, by the next region level down, by step and by policy. Every figure is a
/// GROUP BY in the database; no task row is loaded (the embedded SQLite mode sorts step durations in memory, see <see cref="StepTimes"/>).
/// </summary>
public static class SlaOverview
{
    /// <summary>Counts for one group. <see cref="OnTimeRate"/>: completed before the due time ÷ completed (null when none completed).</summary>
    public sealed record Figures(int Open, int DueSoon, int Overdue, int Escalated, int Completed, int OnTime)
    {
        public static readonly Figures None = new(0, 0, 0, 0, 0, 0);
        public double? OnTimeRate => Completed == 0 ? null : Math.Round((double)OnTime / Completed, 4);
        public Figures Plus(Figures o) => new(Open + o.Open, DueSoon + o.DueSoon, Overdue + o.Overdue, Escalated + o.Escalated,
            Completed + o.Completed, OnTime + o.OnTime);
    }

    /// <param name="CanDrillDown">The row is a known child region (down to a township) that the supervisor may look into.</param>
    public sealed record RegionRow(string Code, string Name, bool CanDrillDown, Figures Figures);
    /// <param name="MedianHours">Median time in the step (created → completed) of tasks completed in the period.</param>
    /// <param name="P90Hours">90th percentile of the same (continuous, as PostgreSQL's <c>percentile_cont</c>).</param>
    public sealed record StepRow(string Step, string Title, Figures Figures, double? MedianHours, double? P90Hours);
    public sealed record PolicyRow(string? PolicyCode, string Name, Figures Figures);
    public sealed record Crumb(string Code, string Name);
    public sealed record Option(string Value, string Label);

    public sealed record Overview(string RegionCode, string RegionName, string Level, IReadOnlyList<Crumb> Path,
        DateTimeOffset From, DateTimeOffset To, DateTimeOffset Now, DateTimeOffset DueSoonBefore, Figures Total,
        IReadOnlyList<RegionRow> Regions, IReadOnlyList<StepRow> Steps, IReadOnlyList<PolicyRow> Policies,
        IReadOnlyList<Option> PolicyOptions, IReadOnlyList<Option> StepOptions, IReadOnlyList<Option> DefinitionOptions);

    public static void MapSlaOverview(this RouteGroupBuilder api) =>
        api.MapGet("/supervision/sla", async Task<Ok<Overview>> ([AsParameters] SlaQuery query, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.GetAsync(query.ToFilter(), ct)))
            .WithName("SlaOverview").WithSummary("SLA figures for a region: backlog now, on-time rate and time in step over a period")
            .RequireAuthorization(p => p.RequireRole(Roles.Supervisor, Roles.Administrator));

    public sealed class Handler(OneCardDbContext db, UserContext user, RegionDirectory regions, WorkingDayCalendar calendar,
        WorkflowCatalog workflows, TimeProvider time)
    {
        public async Task<Overview> GetAsync(SlaFilter filter, CancellationToken ct)
        {
            var me = user.Required;
            var scope = SlaScope.Resolve(filter, me, regions, calendar, time);
            var region = scope.Region;
            var n = region.ChildKeyLength;

            var openByRegion = await OpenByAsync(scope, ChildKey(n), ct);
            var doneByRegion = await CompletedByAsync(scope, ChildKey(n), ct);
            var openByStep = await OpenByAsync(scope, t => t.Step, ct);
            var stepTimes = await StepTimes.ForAsync(db, scope, ct);
            var openByPolicy = await OpenByAsync(scope, t => t.PolicyCode ?? "", ct);
            var doneByPolicy = await CompletedByAsync(scope, t => t.PolicyCode ?? "", ct);

            // Every child region is listed (zero rows included) so that the supervisor sees where nothing is waiting;
            // a task registered at the region itself (not a child) shows as 本级.
            var children = Children(region.Code).ToDictionary(c => c.Code[..Math.Min(n, c.Code.Length)], StringComparer.Ordinal);
            var keys = children.Keys.Union(openByRegion.Keys).Union(doneByRegion.Keys).ToList();
            var regionRows = keys.Select(k =>
                {
                    var child = children.GetValueOrDefault(k) ?? regions.Find(region.ChildCode(k));
                    var code = child?.Code ?? k;
                    var isSelf = code == region.Code;
                    var name = isSelf ? Resources.Ui.T("Supervision.Sla.Self") : child?.Name ?? k;
                    return new RegionRow(code, name, !isSelf && child is not null, Merge(openByRegion, doneByRegion, k));
                })
                .OrderByDescending(r => r.Figures.Overdue).ThenByDescending(r => r.Figures.Open).ThenBy(r => r.Code, StringComparer.Ordinal).ToList();

            var stepRows = openByStep.Keys.Union(stepTimes.Keys).Select(s =>
                {
                    var times = stepTimes.GetValueOrDefault(s);
                    var open = openByStep.GetValueOrDefault(s) ?? Figures.None;
                    var figures = open with { Completed = times?.Completed ?? 0, OnTime = times?.OnTime ?? 0 };
                    return new StepRow(s, StepTitles.Of(workflows, s), figures, times?.MedianHours, times?.P90Hours);
                })
                .OrderByDescending(r => r.Figures.Overdue).ThenByDescending(r => r.Figures.Open).ThenBy(r => r.Step, StringComparer.Ordinal).ToList();

            // Names in the current UI culture: the page (and the API) show them as the user reads.
            var policies = (await db.Policies.AsNoTracking().Select(p => new { p.Code, p.NameZh, p.NameEn }).ToListAsync(ct))
                .Select(p => new Option(p.Code, Resources.Ui.Pick(p.NameZh, p.NameEn))).ToList();
            var policyRows = openByPolicy.Keys.Union(doneByPolicy.Keys).Select(k => new PolicyRow(k == "" ? null : k,
                    k == "" ? Resources.Ui.T("Supervision.Sla.NoPolicy") : policies.FirstOrDefault(p => p.Value == k)?.Label ?? k, Merge(openByPolicy, doneByPolicy, k)))
                .OrderByDescending(r => r.Figures.Overdue).ThenByDescending(r => r.Figures.Open).ToList();

            var total = regionRows.Aggregate(Figures.None, (sum, r) => sum.Plus(r.Figures));
            var stepOptions = workflows.All.SelectMany(d => d.Steps.Where(s => s.Kind == StepKind.Human))
                .DistinctBy(s => s.Name).Select(s => new Option(s.Name, StepTitles.Of(workflows, s.Name))).ToList();
            var definitionOptions = workflows.All.GroupBy(d => d.DefinitionId)
                .Select(g => g.MaxBy(d => d.Version)!).Select(d => new Option(d.DefinitionId, Resources.Ui.Pick(d.TitleZh, d.TitleEn))).ToList();
            return new Overview(region.Code, region.Name, region.Level.ToString(), Path(region.Code, me), scope.From, scope.To, scope.Now,
                scope.DueSoonBefore, total, regionRows, stepRows, policyRows, policies, stepOptions, definitionOptions);
        }

        /// <summary>The child-region key of a task's region, with the length as a constant so that SELECT and GROUP BY are one expression.</summary>
        private static Expression<Func<CaseTask, string>> ChildKey(int length) => length switch
        {
            4 => t => t.RegionCode.Substring(0, 4),
            6 => t => t.RegionCode.Substring(0, 6),
            9 => t => t.RegionCode.Substring(0, 9),
            _ => t => t.RegionCode.Substring(0, 12),
        };

        private IEnumerable<Region> Children(string code) =>
            regions.Codes.Select(regions.Find).OfType<Region>().Where(r => r.ParentCode == code).OrderBy(r => r.Code, StringComparer.Ordinal);

        /// <summary>Breadcrumbs from the user's own region down to <paramref name="code"/>.</summary>
        private IReadOnlyList<Crumb> Path(string code, CurrentUser me)
        {
            var path = new List<Crumb>();
            for (var r = regions.Find(code); r is not null; r = r.ParentCode is null ? null : regions.Find(r.ParentCode))
            {
                path.Insert(0, new Crumb(r.Code, r.Name));
                if (r.Code == me.RegionCode) break;
            }
            return path;
        }

        private static Figures Merge(Dictionary<string, Figures> open, Dictionary<string, (int Completed, int OnTime)> done, string key)
        {
            var o = open.GetValueOrDefault(key) ?? Figures.None;
            var d = done.GetValueOrDefault(key);
            return o with { Completed = d.Completed, OnTime = d.OnTime };
        }

        private async Task<Dictionary<string, Figures>> OpenByAsync(SlaScope scope, Expression<Func<CaseTask, string>> key, CancellationToken ct)
        {
            var (now, soon) = (scope.Now, scope.DueSoonBefore);
            var rows = await scope.Open(db).GroupBy(key).Select(g => new
            {
                g.Key,
                Open = g.Count(),
                DueSoon = g.Sum(t => t.OverdueAt == null && t.DueAt > now && t.DueAt < soon ? 1 : 0),
                Overdue = g.Sum(t => t.OverdueAt != null || t.DueAt <= now ? 1 : 0),
                Escalated = g.Sum(t => t.EscalatedAt != null ? 1 : 0),
            }).ToListAsync(ct);
            return rows.ToDictionary(r => r.Key, r => new Figures(r.Open, r.DueSoon, r.Overdue, r.Escalated, 0, 0), StringComparer.Ordinal);
        }

        private async Task<Dictionary<string, (int Completed, int OnTime)>> CompletedByAsync(SlaScope scope,
            Expression<Func<CaseTask, string>> key, CancellationToken ct)
        {
            // The due time is an exclusive end: completed at or after it is late. A step without a time limit cannot be late.
            var rows = await scope.Completed(db).GroupBy(key).Select(g => new
            {
                g.Key,
                Completed = g.Count(),
                OnTime = g.Sum(t => t.DueAt == null || t.CompletedAt < t.DueAt ? 1 : 0),
            }).ToListAsync(ct);
            return rows.ToDictionary(r => r.Key, r => (r.Completed, r.OnTime), StringComparer.Ordinal);
        }
    }
}

/// <summary>The query string of the SLA endpoints (dates as ISO 8601 instants).</summary>
public sealed record SlaQuery(string? Region, DateTimeOffset? From, DateTimeOffset? To, string? Policy, string? Step, string? Definition)
{
    public SlaFilter ToFilter() => new(Region, From, To, Policy, Step, Definition);
}

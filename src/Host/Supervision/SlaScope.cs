using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Regions;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Supervision;

/// <summary>What the supervisor asked for: a region to look into, a period for completed work, and optional filters.</summary>
/// <param name="Region">The region to look into (6- or 9-digit code); null: the supervisor's own region.</param>
/// <param name="From">Start of the period (inclusive) for completed tasks; default 30 days before now.</param>
/// <param name="To">End of the period (exclusive); default now.</param>
public sealed record SlaFilter(string? Region = null, DateTimeOffset? From = null, DateTimeOffset? To = null,
    string? Policy = null, string? Step = null, string? Definition = null);

/// <summary>One level of the drill-down: the region looked into, its prefix, and how long its children's code prefixes are.</summary>
public sealed record SlaRegion(string Code, string Name, RegionLevel Level, string Prefix, int ChildKeyLength)
{
    /// <summary>The code of the child a task's region key stands for (a city key "2101" is 沈阳市 210100).</summary>
    public string ChildCode(string key) => key.Length == 4 ? key + "00" : key;

    /// <summary>
    /// The codes under <see cref="Prefix"/> as a half-open range ("2101" → ["2101", "2102")): a range on the region index
    /// under any database collation, where a LIKE prefix uses the index only under the C collation. Codes are digits only.
    /// </summary>
    public (string Low, string High) CodeRange =>
        (Prefix, (long.Parse(Prefix, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(Prefix.Length, '0'));
}

/// <summary>
/// The resolved request every SLA query shares: the region (inside the user's own scope, or refused), the period,
/// "now" and the due-soon bound, and the filtered task sets. Figures are set-based: callers group and count in SQL.
/// </summary>
public sealed class SlaScope
{
    /// <summary>The widest period one request may cover: a year (the percentiles sort every completed task in it).</summary>
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    private SlaScope(SlaFilter filter, SlaRegion region, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, DateTimeOffset dueSoonBefore,
        string? department)
    {
        Department = department;
        Filter = filter;
        Region = region;
        From = from;
        To = to;
        Now = now;
        DueSoonBefore = dueSoonBefore;
    }

    public SlaFilter Filter { get; }
    /// <summary>The user's department: raw SQL applies it as the query filters do (its policies' tasks only); null: all.</summary>
    public string? Department { get; }
    public SlaRegion Region { get; }
    public DateTimeOffset From { get; }
    public DateTimeOffset To { get; }
    public DateTimeOffset Now { get; }

    /// <summary>
    /// "Due soon" means due before the end of the next working day on the official calendar (not a flat 24 h), so a task
    /// due on Monday counts as due soon on the Friday before.
    /// </summary>
    public DateTimeOffset DueSoonBefore { get; }

    public static SlaScope Resolve(SlaFilter filter, CurrentUser user, RegionDirectory regions, WorkingDayCalendar calendar, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var to = filter.To ?? now;
        var from = filter.From ?? to.AddDays(-30);
        if (from >= to)
            throw new OneCardException(ErrorKind.Invalid, "BadPeriod", "统计期间的开始时间须早于结束时间", "The period must start before it ends.");
        if (to - from > MaxPeriod)
            throw new OneCardException(ErrorKind.Invalid, "PeriodTooLong", "统计期间最长一年", "The period may cover at most a year.");
        var code = string.IsNullOrWhiteSpace(filter.Region) ? user.RegionCode : filter.Region.Trim();
        var found = regions.Find(code)
            ?? throw new OneCardException(ErrorKind.NotFound, "RegionNotFound", $"未找到行政区划 {code}", $"Region {code} not found.");
        var prefix = RegionScope.For(found.Code).Prefix;
        // Drill-down never leaves the user's own region: a county supervisor cannot look into another city.
        if (!prefix.StartsWith(user.Scope.Prefix, StringComparison.Ordinal))
            throw new OneCardException(ErrorKind.Forbidden, "RegionOutOfScope", $"无权查看{regions.FullName(found.Code)}的监管数据",
                $"Region {found.Code} is outside the user's scope.");
        var childKey = prefix.Length switch { 2 => 4, 4 => 6, 6 => 9, _ => 12 };
        var soon = WorkingDayCalendar.EndOf(calendar.AddWorkingDays(WorkingDayCalendar.LocalDate(now), 1));
        var name = found.Level == RegionLevel.Province ? found.Name : regions.FullName(found.Code);
        return new SlaScope(filter with { Region = found.Code }, new SlaRegion(found.Code, name, found.Level, prefix, childKey), from, to, now, soon,
            user.DepartmentCode);
    }

    /// <summary>Tasks in the region matching the filters (policy, step, definition), any status.</summary>
    public IQueryable<CaseTask> Tasks(OneCardDbContext db)
    {
        var (low, high) = Region.CodeRange;
        var tasks = db.Tasks.AsNoTracking().Where(t => string.Compare(t.RegionCode, low) >= 0 && string.Compare(t.RegionCode, high) < 0);
        if (Filter.Policy is { Length: > 0 } policy) tasks = tasks.Where(t => t.PolicyCode == policy);
        if (Filter.Step is { Length: > 0 } step) tasks = tasks.Where(t => t.Step == step);
        if (Filter.Definition is { Length: > 0 } definition)
            tasks = tasks.Where(t => db.WorkflowInstances.Any(i => i.Id == t.InstanceId && i.DefinitionId == definition));
        return tasks;
    }

    /// <summary>Open tasks now, whenever they were created: the backlog is a snapshot, not a period figure.</summary>
    public IQueryable<CaseTask> Open(OneCardDbContext db) => Tasks(db).Where(t => t.Status == CaseTaskStatus.Open);

    /// <summary>Tasks completed in the period (cancelled ones are not work done).</summary>
    public IQueryable<CaseTask> Completed(OneCardDbContext db)
    {
        var (from, to) = (From, To);
        return Tasks(db).Where(t => t.Status == CaseTaskStatus.Completed && t.CompletedAt >= from && t.CompletedAt < to);
    }

    /// <summary>Open and past its due time (the sweep's mark or the due time itself, as the inbox shows it).</summary>
    public IQueryable<CaseTask> Overdue(OneCardDbContext db)
    {
        var now = Now;
        return Open(db).Where(t => t.OverdueAt != null || t.DueAt <= now);
    }
}

/// <summary>Titles for steps across every loaded definition (the latest version that has the step names it), in the current UI culture.</summary>
public static class StepTitles
{
    public static string Of(WorkflowCatalog catalog, string step) =>
        catalog.All.OrderByDescending(d => d.Version).Select(d => d.FindStep(step)).FirstOrDefault(s => s is not null) is { } found
            ? Resources.Ui.Pick(found.TitleZh, found.TitleEn) : step;
}

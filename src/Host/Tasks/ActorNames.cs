using Microsoft.EntityFrameworkCore;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Tasks;

/// <summary>
/// Who acted, as a case history shows it: the person's display name and organisation ("钱审核（大孤家子镇）", "周核查（辽宁某
/// 会计师事务所）"), the system as 系统; an id no longer known stays as it is.
/// </summary>
public static class ActorNames
{
    public const string SystemZh = "系统";

    public static async Task<IReadOnlyDictionary<string, string>> ResolveAsync(OneCardDbContext db, RegionDirectory regions, IEnumerable<string> actorIds,
        CancellationToken ct)
    {
        var ids = actorIds.Where(id => id != Actor.System.UserId).Distinct().ToList();
        var users = ids.Count == 0 ? [] : await db.Users.AsNoTracking().IgnoreQueryFilters().Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, u.DisplayName, u.Organisation, u.RegionCode }).ToListAsync(ct);
        var names = users.ToDictionary(u => u.Id, u => Name(u.DisplayName, u.Organisation ?? regions.Find(u.RegionCode)?.Name), StringComparer.Ordinal);
        names[Actor.System.UserId] = SystemZh;
        return names;
    }

    /// <summary>"姓名（单位）", the organisation left out where the display name already says it.</summary>
    public static string Name(string displayName, string? organisation) =>
        string.IsNullOrWhiteSpace(organisation) || displayName.Contains(organisation, StringComparison.Ordinal) ? displayName : $"{displayName}（{organisation}）";
}

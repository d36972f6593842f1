using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Errors;
using OneCard.Domain.Registry;
using OneCard.Persistence;

namespace OneCard.Host.Registry;

/// <summary>
/// The approval precondition of cross-checks: an application with a hit still Pending on a line that may yet be paid (Eligible or
/// Faulted) is not approved (<c>CrossCheckHitsPending</c>). A hit on a line rejected some other way no longer holds the case up.
/// The single path (<c>CaseEngine.CheckPreconditionsAsync</c>) and the bulk path ask the same query.
/// </summary>
public static class CrossCheckGate
{
    public const string Code = "CrossCheckHitsPending";

    /// <summary>How many lines shown by number in the message.</summary>
    private const int Shown = 5;

    /// <summary>Per application with pending hits: how many, and the first line numbers (one more than the message shows).</summary>
    public static async Task<Dictionary<Guid, (int Count, IReadOnlyList<int> FirstLines)>> PendingAsync(OneCardDbContext db, IReadOnlyCollection<Guid> applicationIds, CancellationToken ct)
    {
        if (applicationIds.Count == 0) return [];
        var rows = await (from h in db.CrossCheckHits.AsNoTracking().IgnoreQueryFilters()
                          join l in db.ClaimLines.AsNoTracking().IgnoreQueryFilters() on h.ClaimLineId equals l.Id
                          where applicationIds.Contains(h.ApplicationId) && h.Decision == HitDecision.Pending
                                && (l.Outcome == LineOutcome.Eligible || l.Outcome == LineOutcome.Faulted)
                          select new { h.ApplicationId, h.LineNo }).ToListAsync(ct);
        return rows.GroupBy(r => r.ApplicationId).ToDictionary(g => g.Key,
            g => (g.Count(), (IReadOnlyList<int>)[.. g.Select(r => r.LineNo).Distinct().Order().Take(Shown + 1)]));
    }

    /// <summary>The refusal's Chinese reason: how many hits, and the first line numbers.</summary>
    public static string MessageZh(int count, IReadOnlyList<int> firstLines) =>
        $"有{count}条大数据比对疑点尚未决定（第{string.Join("、", firstLines.Take(Shown))}行{(firstLines.Count > Shown ? "等" : "")}），须逐条驳回该行或填写意见保留后才能通过";

    public static OneCardException Refusal(int count, IReadOnlyList<int> firstLines) => new(ErrorKind.Conflict, Code, MessageZh(count, firstLines),
        $"{count} cross-check hit(s) are undecided (lines {string.Join(", ", firstLines.Take(Shown))}); reject or keep each before approving.");
}

using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Inspections;
using OneCard.Domain.Payments;
using OneCard.Domain.Regions;
using OneCard.Persistence;

namespace OneCard.Host.Inspections;

/// <summary>
/// The population a campaign draws from, selected by its recorded criteria in SQL — never by who asks: the query filters
/// are ignored and the campaign's own region, policy and criteria decide, so the draw and its reproduction see the same rows.
/// Post-payment: the paid lines (<c>ClaimLine.Outcome == Paid</c>) of the policy in the region, period, paid dates, minimum
/// amount and townships. In-process: the open cases (workflow not final) of the region's applications.
/// The stratum is the township: the first nine digits of the line's or application's region code.
/// </summary>
public static class Population
{
    /// <summary>China time: paid dates are local dates.</summary>
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static async Task<IReadOnlyList<Member>> SelectAsync(OneCardDbContext db, InspectionCampaign c, CancellationToken ct)
    {
        var prefix = RegionScope.For(c.RegionCode).Prefix;
        var criteria = CampaignCriteria.Parse(c.CriteriaJson);
        var townships = criteria.Townships is { Count: > 0 } t ? t.ToList() : null;
        if (c.Kind == CampaignKind.PostPayment)
        {
            var lines = db.ClaimLines.IgnoreQueryFilters().Where(l => l.Outcome == LineOutcome.Paid && l.PolicyCode == c.PolicyCode && l.RegionCode.StartsWith(prefix));
            if (c.Period is { } period) lines = lines.Where(l => l.Period == period);
            if (criteria.MinAmount is { } min) lines = lines.Where(l => l.Amount >= min);
            if (townships is not null) lines = lines.Where(l => townships.Contains(l.RegionCode.Substring(0, 9)));
            // Paid in the range: the line's instruction that succeeded got its bank result on a local date inside it.
            if (c.PaidFrom is { } f)
            {
                var from = new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), China);
                lines = lines.Where(l => db.PaymentInstructions.IgnoreQueryFilters().Any(i => i.ClaimLineId == l.Id && i.Status == PaymentStatus.Succeeded && i.ResultAt >= from));
            }
            if (c.PaidTo is { } e)
            {
                var to = new DateTimeOffset(e.AddDays(1).ToDateTime(TimeOnly.MinValue), China);
                lines = lines.Where(l => db.PaymentInstructions.IgnoreQueryFilters().Any(i => i.ClaimLineId == l.Id && i.Status == PaymentStatus.Succeeded && i.ResultAt < to));
            }
            var rows = await lines.Select(l => new { l.Id, Stratum = l.RegionCode.Substring(0, 9) }).ToListAsync(ct);
            return [.. rows.Select(r => new Member(r.Id, r.Stratum))];
        }
        var applications = db.Applications.IgnoreQueryFilters().Where(a => a.RegionCode.StartsWith(prefix)
            && db.WorkflowInstances.IgnoreQueryFilters().Any(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == a.Id && !i.IsFinal));
        if (c.PolicyCode is { } policy) applications = applications.Where(a => a.PolicyCode == policy);
        if (c.Period is { } p) applications = applications.Where(a => a.Period == p);
        if (townships is not null) applications = applications.Where(a => townships.Contains(a.RegionCode.Substring(0, 9)));
        var cases = await applications.Select(a => new { a.Id, Stratum = a.RegionCode.Substring(0, 9) }).ToListAsync(ct);
        return [.. cases.Select(r => new Member(r.Id, r.Stratum))];
    }
}

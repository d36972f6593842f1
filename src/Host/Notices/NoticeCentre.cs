using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Notices;
using OneCard.Domain.Regions;
using OneCard.Domain.Users;
using OneCard.Persistence;

namespace OneCard.Host.Notices;

/// <summary>
/// Writes notices for the people concerned, and their outbox messages, inside the caller's transaction (the one that
/// records the event), so an event, its notices and its messages exist together or not at all.
/// </summary>
public sealed class NoticeCentre(TimeProvider time)
{
    /// <summary>What happened, about which case and task.</summary>
    /// <param name="PolicyCode">The case's policy: a department-bound user is concerned only by their department's policies.</param>
    public sealed record Event(string Kind, string SubjectKind, Guid SubjectId, string Reference, Guid? TaskId, string RegionCode, string Text,
        string? PolicyCode = null);

    /// <summary>
    /// The people concerned: users holding <paramref name="role"/> whose region contains <paramref name="regionCode"/> — its
    /// own region and every level above (a city supervisor sees the townships and counties of the city) — and, for a case of
    /// a policy, bound to no department or to the policy's (a 民政 clerk hears nothing of a 农业农村 case they cannot open).
    /// </summary>
    public static async Task<IReadOnlyList<string>> RecipientsAsync(OneCardDbContext db, string role, string regionCode, CancellationToken ct,
        string? policyCode = null)
    {
        var department = policyCode is null ? null
            : await db.Policies.AsNoTracking().Where(p => p.Code == policyCode).Select(p => p.DepartmentCode).SingleOrDefaultAsync(ct);
        // A role across departments (finance) reaches its holders whatever their department.
        var bound = Roles.IsDepartmentBound(role);
        var holders = await db.Users.AsNoTracking().Where(u => u.Roles.Any(r => r.Role == role))
            .Where(u => !bound || policyCode == null || u.DepartmentCode == null || u.DepartmentCode == department)
            .Select(u => new { u.Id, u.RegionCode }).ToListAsync(ct);
        return [.. holders.Where(u => RegionScope.For(u.RegionCode).Contains(regionCode)).Select(u => u.Id).Order(StringComparer.Ordinal)];
    }

    /// <summary>Adds one notice and one outbox message per recipient; the caller saves and commits.</summary>
    public async Task<int> AddAsync(OneCardDbContext db, Event e, string role, string regionCode, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var recipients = await RecipientsAsync(db, role, regionCode, ct, e.PolicyCode);
        foreach (var recipient in recipients)
        {
            var notice = new Notice
            {
                Id = Guid.CreateVersion7(), RecipientId = recipient, Kind = e.Kind, SubjectKind = e.SubjectKind, SubjectId = e.SubjectId,
                Reference = e.Reference, TaskId = e.TaskId, RegionCode = e.RegionCode, Text = e.Text, CreatedAt = now,
            };
            db.Notices.Add(notice);
            db.OutboxMessages.Add(new OutboxMessage
            {
                Id = Guid.CreateVersion7(), Channel = OutboxChannels.InApp, Recipient = recipient, Text = e.Text, NoticeId = notice.Id, CreatedAt = now,
            });
        }
        return recipients.Count;
    }
}

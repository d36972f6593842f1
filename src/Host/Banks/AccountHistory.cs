using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Errors;
using OneCard.Domain.Payments;
using OneCard.Persistence;

namespace OneCard.Host.Banks;

/// <summary>
/// A beneficiary's one-card account history (一卡通账户变更记录), masked, as seen from a line of an application the user may
/// see: the application's region and department filters decide, so nobody reads the accounts of a case they cannot open.
/// </summary>
public static class AccountHistory
{
    public sealed record AccountView(Guid Id, string AgentBankCode, string? AgentBankName, string AccountMasked, string HolderName, string Type,
        string TypeZh, DateTimeOffset ValidFrom, DateTimeOffset? ValidTo, bool Current, string Source, string ChangedBy, string? Reason);

    public static void MapAccountHistory(this RouteGroupBuilder api)
    {
        api.MapGet("/applications/{id:guid}/lines/{lineNo:int}/accounts", async (Guid id, int lineNo, Handler h, CancellationToken ct) =>
                TypedResults.Ok(await h.ForLineAsync(id, lineNo, ct)))
            .WithTags("Banks").WithName("LineAccountHistory").WithSummary("The one-card account history (masked, newest first) of a line's beneficiary");
    }

    public sealed class Handler(OneCardDbContext db)
    {
        public async Task<IReadOnlyList<AccountView>> ForLineAsync(Guid applicationId, int lineNo, CancellationToken ct)
        {
            if (!await db.Applications.AsNoTracking().AnyAsync(a => a.Id == applicationId, ct)) throw OneCardException.NotFound("Application", "申报");
            var line = await db.ClaimLines.AsNoTracking().Where(l => l.ApplicationId == applicationId && l.LineNo == lineNo)
                           .Select(l => new { l.BeneficiaryId }).SingleOrDefaultAsync(ct)
                       ?? throw OneCardException.NotFound("Claim line", $"第{lineNo}条明细");
            return await ForBeneficiaryAsync(line.BeneficiaryId, ct);
        }

        /// <summary>The history behind one claim line the user may see (the case page's line details).</summary>
        public async Task<IReadOnlyList<AccountView>> ForClaimLineAsync(Guid claimLineId, CancellationToken ct)
        {
            var beneficiary = await db.ClaimLines.AsNoTracking().Where(l => l.Id == claimLineId).Select(l => (Guid?)l.BeneficiaryId).SingleOrDefaultAsync(ct)
                              ?? throw OneCardException.NotFound("Claim line", "明细");
            return await ForBeneficiaryAsync(beneficiary, ct);
        }

        private async Task<IReadOnlyList<AccountView>> ForBeneficiaryAsync(Guid beneficiaryId, CancellationToken ct)
        {
            var banks = await db.AgentBanks.AsNoTracking().ToDictionaryAsync(b => b.Code, b => b.NameZh, ct);
            var rows = await db.BeneficiaryAccounts.IgnoreQueryFilters().AsNoTracking().Where(a => a.BeneficiaryId == beneficiaryId)
                .ToListAsync(ct);
            return [.. rows.OrderByDescending(a => a.ValidFrom).ThenByDescending(a => a.ValidTo == null)
                .Select(a => new AccountView(a.Id, a.AgentBankCode, banks.GetValueOrDefault(a.AgentBankCode), a.AccountMasked, a.HolderName,
                    a.Type.ToString(), AccountTypes.Zh(a.Type), a.ValidFrom, a.ValidTo, a.ValidTo == null, a.Source, a.ChangedBy, a.Reason))];
        }
    }
}

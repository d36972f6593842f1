using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Persistence;
using OneCard.Persistence.Applications;

namespace OneCard.Host.Banks;

/// <summary>
/// Records beneficiaries' one-card accounts (一卡通账户) as a submission names them. Per beneficiary: the account the roster
/// gives (bank matched from the 开户银行 text by <see cref="AgentBankNames"/>, account, holder = the line's name, type from
/// 账户类型) is compared with the current <see cref="BeneficiaryAccount"/>; the same one is left alone, a different one closes
/// the current row (<c>ValidTo</c> = now) and adds the next, so history keeps every account paid into. A blank 开户银行 keeps
/// the current account's bank; a blank or unknown one with no current account is recorded with no bank
/// (<see cref="NoBank"/>) and its payment line is refused with the bank text as the reason.
/// </summary>
/// <remarks>
/// Runs inside the submission's transaction after the beneficiaries are stored (their <c>BankAccount*</c> columns take the
/// same account, so the beneficiary and its current account agree). Concurrent submissions naming the same person are
/// serialised by the beneficiary row the upsert locks; the unique index on the current row is the guarantee behind that.
/// </remarks>
public static class BeneficiaryAccounts
{
    /// <summary>The bank code of an account whose 开户银行 matched no agent bank of the registry.</summary>
    public const string NoBank = "";

    /// <summary>
    /// One line's account as submitted: the cipher and masked copy are the beneficiary's (encrypted once); the account's blind
    /// index if the caller computed it already (the roster pipeline does, off the storing task), else it is computed here.
    /// </summary>
    public sealed record Submitted(Guid BeneficiaryId, string RegionCode, string Account, string Cipher, string Masked, string Holder,
        string? BankName, AccountType Type, string? AccountHash = null);

    /// <summary>What recording did: accounts added (first or changed) and how many closed rows that made history.</summary>
    public sealed record Recorded(int Added, int Closed);

    public static async Task<AgentBankNames.Directory> DirectoryAsync(OneCardDbContext db, CancellationToken ct) =>
        new(await db.AgentBanks.AsNoTracking().ToListAsync(ct), await db.AgentBankAliases.AsNoTracking().ToListAsync(ct));

    public static async Task<Recorded> RecordAsync(OneCardDbContext db, PersonalDataProtector protector, IReadOnlyList<Submitted> lines,
        string source, Guid? sourceId, string actorId, string? reason, DateTimeOffset now, bool bulk, CancellationToken ct,
        AgentBankNames.Directory? directory = null, IReadOnlySet<Guid>? created = null, RosterStore.HeldReferences? held = null)
    {
        if (lines.Count == 0) return new Recorded(0, 0);
        // A roster stored chunk by chunk reads the bank directory once and passes it to every chunk.
        directory ??= await DirectoryAsync(db, ct);
        var current = new Dictionary<Guid, BeneficiaryAccount>();
        // Beneficiaries this transaction has just created (`created`, the roster pipeline knows them) have no account yet: not looked up.
        foreach (var chunk in lines.Select(l => l.BeneficiaryId).Where(id => created?.Contains(id) != true).Chunk(5000))
            foreach (var a in await db.BeneficiaryAccounts.IgnoreQueryFilters().AsNoTracking()
                         .Where(a => chunk.Contains(a.BeneficiaryId) && a.ValidTo == null).ToListAsync(ct))
                current[a.BeneficiaryId] = a;

        var added = new List<BeneficiaryAccount>(lines.Count);
        var closing = new List<Guid>();
        // A roster names a handful of banks over and over: each distinct text is matched once.
        var matched = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            current.TryGetValue(line.BeneficiaryId, out var now0);
            string? match = null;
            if (line.BankName is { } text && !matched.TryGetValue(text, out match)) matched[text] = match = directory.Match(text);
            var bank = match
                       ?? (string.IsNullOrWhiteSpace(line.BankName) && now0 is not null ? now0.AgentBankCode : NoBank);
            var hash = line.AccountHash ?? protector.LookupHash(line.Account);
            if (now0 is not null && now0.AgentBankCode == bank && now0.HolderName == line.Holder && now0.Type == line.Type
                && (now0.AccountHash is { } h ? h == hash : protector.Decrypt(now0.AccountCipher) == line.Account))
                continue;
            if (now0 is not null) closing.Add(line.BeneficiaryId);
            added.Add(new BeneficiaryAccount
            {
                Id = RowIds.Next(now), BeneficiaryId = line.BeneficiaryId, RegionCode = line.RegionCode, AgentBankCode = bank,
                AccountCipher = line.Cipher, AccountMasked = line.Masked, AccountHash = hash, HolderName = line.Holder, Type = line.Type,
                ValidFrom = now, Source = source, SourceId = sourceId, ChangedBy = actorId,
                Reason = bank == NoBank && !string.IsNullOrWhiteSpace(line.BankName) ? $"开户银行“{Trim(line.BankName!)}”未匹配到登记的代发银行" : reason,
            });
        }
        // Close first: the unique index allows one current row per beneficiary.
        foreach (var chunk in closing.Chunk(5000))
            await db.BeneficiaryAccounts.IgnoreQueryFilters().Where(a => chunk.Contains(a.BeneficiaryId) && a.ValidTo == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.ValidTo, now), ct);
        if (bulk && held is not null)
        {
            // The roster's chunk: every account's beneficiary is one its upsert stored, so no per-row foreign-key check.
            foreach (var account in added) held.Ensure("BeneficiaryAccounts", account.BeneficiaryId);
            await RosterStore.WithoutForeignKeyTriggersAsync(db, async () => { await db.CopyAsync(added, ct); return added.Count; }, ct);
        }
        else if (bulk) await db.CopyAsync(added, ct);
        else db.BeneficiaryAccounts.AddRange(added);
        return new Recorded(added.Count, closing.Count);
    }

    private static string Trim(string text) => text.Length <= 40 ? text.Trim() : text.Trim()[..40] + "…";
}

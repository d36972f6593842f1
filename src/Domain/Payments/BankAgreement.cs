using OneCard.Domain.Regions;

namespace OneCard.Domain.Payments;

/// <summary>The kind of a beneficiary's one-card account (一卡通): a social security card or a bank card.</summary>
public enum AccountType { BankCard, SocialSecurityCard }

/// <summary>Whether an agreement binds its bank now.</summary>
public enum AgreementStatus { Active, Terminated }

/// <summary>
/// A paying agreement (代发协议) between a city or county and an agent bank it selected: its term, the policies it
/// covers, fees and service terms (payment, notices, withdrawal, data security), the bank file format, and the keys
/// that encrypt and sign the files exchanged under it. Keys are stored sealed (<c>PersonalDataProtector</c>), never plain.
/// </summary>
public sealed class BankAgreement
{
    public Guid Id { get; init; }
    public required string AgreementNo { get; init; }
    public required string AgentBankCode { get; init; }
    /// <summary>The city or county (6-digit division code) that signed it; it covers every county and township below.</summary>
    public required string RegionCode { get; init; }
    public DateOnly SignedOn { get; init; }
    public DateOnly ValidFrom { get; set; }
    public DateOnly ValidTo { get; set; }
    /// <summary>The policy codes it covers; empty covers every policy of the region.</summary>
    public List<string> PolicyCodes { get; set; } = [];
    public string FeeTerms { get; set; } = "";
    public string ServiceTerms { get; set; } = "";
    /// <summary>The code of the bank file format (column mapping) the bank reads and writes.</summary>
    public required string FileFormat { get; set; }
    /// <summary>The SM4 key that encrypts the files, sealed.</summary>
    public required string EncryptionKeyCipher { get; set; }
    /// <summary>The HMAC-SM3 key that signs the files both ways, sealed.</summary>
    public required string SigningKeyCipher { get; set; }
    public int KeyVersion { get; set; } = 1;
    /// <summary>The working days the bank has to confirm a batch (回盘) after its release.</summary>
    public int ConfirmWithinWorkingDays { get; set; } = 3;
    public AgreementStatus Status { get; set; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public bool Covers(string policyCode, string regionCode, DateOnly on) =>
        Status == AgreementStatus.Active && RegionScope.For(RegionCode).Contains(regionCode)
        && on >= ValidFrom && on <= ValidTo && (PolicyCodes.Count == 0 || PolicyCodes.Contains(policyCode));
}

/// <summary>
/// One version of a beneficiary's one-card account (一卡通账户): bank, account, holder and kind. The current account is
/// the row with no <see cref="ValidTo"/> (a unique index allows one); a change closes it and adds the next, so the
/// history shows every account a beneficiary was paid into and who changed it, when and why.
/// </summary>
public sealed class BeneficiaryAccount
{
    public Guid Id { get; init; }
    public Guid BeneficiaryId { get; init; }
    public required string RegionCode { get; init; }
    public required string AgentBankCode { get; init; }
    public required string AccountCipher { get; init; }
    public required string AccountMasked { get; init; }
    /// <summary>The keyed lookup hash of the account number (<c>PersonalDataProtector.LookupHash</c>): tells a changed account
    /// from the same one without decrypting. Null on rows written without it (then the cipher is compared).</summary>
    public string? AccountHash { get; init; }
    public required string HolderName { get; init; }
    public AccountType Type { get; init; }
    public DateTimeOffset ValidFrom { get; init; }
    public DateTimeOffset? ValidTo { get; set; }
    /// <summary>Where it came from: <c>Roster</c>, <c>Correction</c> or <c>Demo</c>.</summary>
    public required string Source { get; init; }
    /// <summary>The application or payment correction that recorded it.</summary>
    public Guid? SourceId { get; init; }
    public required string ChangedBy { get; init; }
    public string? Reason { get; init; }
}

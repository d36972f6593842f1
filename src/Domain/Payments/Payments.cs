namespace OneCard.Domain.Payments;

/// <summary>A bank that pays subsidies on the platform's instructions (代发金融机构).</summary>
public sealed class AgentBank
{
    public required string Code { get; init; }
    public required string NameZh { get; set; }
    public required string NameEn { get; set; }
}

/// <summary>
/// Where a payment batch stands: instructions sent to the bank, every line has a terminal result, or (before it is sent)
/// finance is still allocating it to budget indicators. New values go at the end: the column stores names.
/// </summary>
public enum PaymentBatchStatus { Instructed, Reconciled, Allocating }

/// <summary>Whether a batch carries a case's first instructions or the re-payment of lines the bank returned (退票).</summary>
public enum PaymentBatchKind { First, Repayment }

/// <summary>
/// The instructions of one application sent to one agent bank. Invariant: instructed =
/// succeeded + failed + pending, in count and in amount.
/// </summary>
public sealed class PaymentBatch
{
    public Guid Id { get; init; }
    public required string BatchNo { get; init; }
    public Guid ApplicationId { get; init; }
    public required string RegionCode { get; init; }
    public required string AgentBankCode { get; init; }
    /// <summary>The agreement (代发协议) under which the bank pays this batch: its file format and keys.</summary>
    public Guid? AgreementId { get; init; }
    public PaymentBatchKind Kind { get; init; }
    public string? PolicyCode { get; init; }
    public string? Period { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the batch was released to the bank (its file may be downloaded from then on).</summary>
    public DateTimeOffset? ReleasedAt { get; set; }
    /// <summary>When the last line got its bank result.</summary>
    public DateTimeOffset? ReconciledAt { get; set; }
    public int LineCount { get; init; }
    public decimal TotalAmount { get; init; }
    public PaymentBatchStatus Status { get; set; }
    public List<PaymentInstruction> Instructions { get; init; } = [];
}

/// <summary>Where one payment instruction stands; Succeeded and Failed are terminal.</summary>
public enum PaymentStatus { Pending, Succeeded, Failed }

/// <summary>
/// One payment to one beneficiary. A database index makes a second non-failed instruction for the
/// same beneficiary, policy and period impossible: nobody is paid twice.
/// </summary>
public sealed class PaymentInstruction
{
    public Guid Id { get; init; }
    public Guid BatchId { get; init; }
    public int Seq { get; init; }
    public Guid ClaimLineId { get; init; }
    public Guid BeneficiaryId { get; init; }
    public required string RegionCode { get; init; }
    public required string PolicyCode { get; init; }
    public required string Period { get; init; }
    public decimal Amount { get; init; }
    public required string PayeeName { get; init; }
    public required string AccountCipher { get; init; }
    public required string AccountMasked { get; init; }
    /// <summary>The bank holding the account paid into (one card: 社保卡 or 银行卡).</summary>
    public string? AgentBankCode { get; init; }
    public AccountType AccountType { get; init; }
    /// <summary>1 for a case's first instruction of a line; each re-payment counts one more.</summary>
    public int Attempt { get; init; } = 1;
    /// <summary>The failed instruction this one pays again, for a re-payment; null for a first instruction.</summary>
    public Guid? OriginalInstructionId { get; init; }
    public PaymentStatus Status { get; set; }
    public string? BankMessage { get; set; }
    public DateTimeOffset? ResultAt { get; set; }
}

/// <summary>
/// One accepted bank result file (回盘) of a batch, keyed by the SHA-256 of its bytes. A database
/// index makes the pair (batch, file hash) unique: a replayed file is recognised and answered with
/// the first import's result, and applies and audits nothing.
/// </summary>
public sealed class BankResultImport
{
    public Guid Id { get; init; }
    public Guid BatchId { get; init; }
    public required string Sha256 { get; init; }
    public required string ImportedBy { get; init; }
    public DateTimeOffset ImportedAt { get; init; }
    public int Lines { get; init; }
    public int Applied { get; init; }
}

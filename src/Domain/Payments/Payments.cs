namespace OneCard.Domain.Payments;

/// <summary>A bank that pays subsidies on the platform's instructions (代发金融机构).</summary>
public sealed class AgentBank
{
    public required string Code { get; init; }
    public required string NameZh { get; set; }
    public required string NameEn { get; set; }
}

/// <summary>Where a payment batch stands: instructions sent, or every line has a terminal result.</summary>
public enum PaymentBatchStatus { Instructed, Reconciled }

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
    public DateTimeOffset CreatedAt { get; init; }
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

namespace OneCard.Domain.Payments;

/// <summary>
/// Where a payment correction stands; the case's step says the same in workflow terms (<c>payment-correction.v1</c>).
/// New values go at the end: the column stores names.
/// </summary>
public enum CorrectionStatus { Verifying, Checking, AwaitingRepayment, Repaid, Closed }

/// <summary>
/// The correction of a line the bank returned (退票更正): one per first failed instruction (unique), running as its own case
/// (subject id = <see cref="Id"/>). The township clerk verifies the bank's reason and proposes the corrected account or holder;
/// a checker approves (maker-checker); the corrected account becomes the beneficiary's current one-card account and the line
/// is paid again by a new instruction of a re-payment batch. A re-payment that fails again comes back to the clerk (attempts
/// counted); a line that cannot be paid is closed with its reason.
/// </summary>
public sealed class PaymentCorrection
{
    public Guid Id { get; init; }
    /// <summary>The case number staff know it by: <c>TP-</c> + the original batch number + <c>-</c> + its line's sequence.</summary>
    public required string Reference { get; init; }
    /// <summary>The first failed instruction of the line (unique: one correction per returned line).</summary>
    public Guid OriginalInstructionId { get; init; }
    /// <summary>The line's latest instruction: the original, then each re-payment.</summary>
    public Guid LatestInstructionId { get; set; }
    public Guid ClaimLineId { get; init; }
    public Guid BeneficiaryId { get; init; }
    public Guid ApplicationId { get; init; }
    public required string RegionCode { get; init; }
    public required string PolicyCode { get; init; }
    public required string Period { get; init; }
    public decimal Amount { get; init; }
    /// <summary>The bank that returned the line and its reason (the latest failure's).</summary>
    public required string AgentBankCode { get; set; }
    public required string BankReason { get; set; }
    /// <summary>Failed attempts so far: 1 when opened; each failed re-payment counts one more.</summary>
    public int Attempts { get; set; } = 1;
    public CorrectionStatus Status { get; set; }

    // The clerk's proposal (what the checker approves): bank, account (sealed), holder and account type.
    public string? ProposedBankCode { get; set; }
    public string? ProposedAccountCipher { get; set; }
    public string? ProposedAccountMasked { get; set; }
    public string? ProposedHolderName { get; set; }
    public AccountType? ProposedAccountType { get; set; }
    public string? ProposalNote { get; set; }
    public string? ProposedBy { get; set; }
    public DateTimeOffset? ProposedAt { get; set; }

    public string? ClosedReason { get; set; }
    public DateTimeOffset OpenedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; set; }
}

/// <summary>
/// The payment notice (补贴信息告知) of one paid instruction, written once: the instruction id is its key (unique), so a sweep
/// that runs twice, or two sweeps at once, write one notice and one outbox message per paid line.
/// </summary>
public sealed class PaymentNotice
{
    public Guid Id { get; init; }
    public Guid InstructionId { get; init; }
    public Guid BeneficiaryId { get; init; }
    public required string RegionCode { get; init; }
    public required string PolicyCode { get; init; }
    public required string Period { get; init; }
    public decimal Amount { get; init; }
    public required string AgentBankCode { get; init; }
    public required string AccountMasked { get; init; }
    public required string Text { get; init; }
    /// <summary>The outbox message that carries it to the beneficiary.</summary>
    public Guid OutboxMessageId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

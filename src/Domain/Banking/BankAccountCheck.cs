using OneCard.Domain.Validation;

namespace OneCard.Domain.Banking;

/// <summary>The outcome of <see cref="BankAccount.Check"/>; <see cref="Normalized"/> is set only when valid.</summary>
public sealed record BankAccountCheck(
    bool IsValid,
    string? Normalized,
    IReadOnlyList<FieldIssue> Errors,
    IReadOnlyList<FieldIssue> Warnings);

using OneCard.Domain.Validation;

namespace OneCard.Domain.Identity;

/// <summary>The outcome of <see cref="IdNumber.Check"/>: validity, the parts read from the number, and the issues found.</summary>
/// <remarks>
/// <see cref="Normalized"/>, <see cref="BirthDate"/>, <see cref="Gender"/> and <see cref="AreaCode"/> are set only when
/// <see cref="IsValid"/> is true, so no one can use data read from a number that failed a hard check.
/// Warnings never make a number invalid.
/// </remarks>
public sealed record IdNumberCheck(
    bool IsValid,
    string? Normalized,
    DateOnly? BirthDate,
    Gender? Gender,
    string? AreaCode,
    IReadOnlyList<FieldIssue> Errors,
    IReadOnlyList<FieldIssue> Warnings);

namespace OneCard.Domain.Applications;

/// <summary>
/// The full error report of a refused submission, kept for its uploader to download for a few days:
/// the 422 itself carries only the first errors, so a huge bad roster cannot make a huge response.
/// </summary>
public sealed class SubmissionReport
{
    public Guid Id { get; init; }
    /// <summary>Only this user may download the report.</summary>
    public required string UserId { get; init; }
    public required string FileName { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public int ErrorCount { get; init; }
    public int RowCount { get; init; }
    /// <summary>The report as a UTF-8 CSV (with BOM, for Excel), gzip-compressed.</summary>
    public required byte[] ContentGzip { get; init; }
}

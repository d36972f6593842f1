namespace OneCard.Domain.Policies;

/// <summary>
/// One impact run (影响测算) of a draft rule set version over stored lines or an uploaded roster: what changes against the
/// baseline, kept as evidence on the version's approval. The figures are JSON (counts, totals, breakdowns, changed lines with
/// masked names and ID numbers only); the row is never changed after it is written.
/// </summary>
public sealed class ImpactRun
{
    public Guid Id { get; init; }
    /// <summary>The draft (or any) version run, e.g. <c>elderly-longevity-allowance@2</c>.</summary>
    public required string VersionKey { get; init; }
    public required string PolicyCode { get; init; }
    /// <summary>The SHA-256 of the version's JSON when it was run (a draft re-saved later would not match).</summary>
    public required string Sha256 { get; init; }
    /// <summary>What was compared, in Chinese: e.g. "2025 期已存明细（各明细按其申报时所用版本的结果）".</summary>
    public required string BaselineZh { get; init; }
    /// <summary>The period compared (stored lines), or null for an uploaded roster.</summary>
    public string? Period { get; init; }
    /// <summary><c>Stored</c> (lines of a period) or <c>Upload</c> (an uploaded roster, of which nothing else is kept).</summary>
    public required string Source { get; init; }
    /// <summary>An uploaded roster's file name (as the user named it); null for stored lines.</summary>
    public string? FileName { get; init; }
    /// <summary>The SHA-256 of the uploaded file's bytes, so the evidence names exactly which file was run; null for stored lines.</summary>
    public string? FileSha256 { get; init; }
    public int LineCount { get; init; }
    public decimal TotalBefore { get; init; }
    public decimal TotalAfter { get; init; }
    public required string FiguresJson { get; init; }
    public required string RunBy { get; init; }
    public DateTimeOffset RunAt { get; init; }
}

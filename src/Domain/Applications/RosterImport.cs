namespace OneCard.Domain.Applications;

/// <summary>What to do with a roster that has bad rows.</summary>
public enum RosterImportMode
{
    /// <summary>整体退回: any bad row refuses the whole roster; nothing is stored but the error report.</summary>
    RefuseWhole,

    /// <summary>只受理正确的行: the case is created from the valid rows; the refused rows are kept with their reasons.</summary>
    AcceptValid,
}

public enum RosterImportStatus
{
    Queued,
    Running,
    Succeeded,
    Refused,
    Failed,
}

/// <summary>
/// One roster upload processed in the background: the file waits in the spool folder, a job reads it and submits the
/// application as the uploader, reporting progress here. Exactly-once comes from the database: the job claims the row by a
/// conditional update, and <see cref="ApplicationId"/> is set in the same transaction that stores the case.
/// </summary>
public sealed class RosterImport
{
    public const int MaxFileNameLength = 200, MaxPhaseLength = 100, MaxMessageLength = 1000;

    public Guid Id { get; init; }
    public required string UploadedBy { get; init; }
    /// <summary>The uploader's township: the application's region, and who else may read the import (its reviewers).</summary>
    public required string RegionCode { get; init; }
    public required string PolicyCode { get; init; }
    public required string Period { get; init; }
    public RosterImportMode Mode { get; init; }
    public required string FileName { get; init; }
    public long SizeBytes { get; init; }
    /// <summary>The roster's header row as read (JSON array): the columns of the refused-rows download.</summary>
    public string? HeadersJson { get; set; }
    /// <summary>SHA-256 of the uploaded bytes, lower-case hex, taken while spooling.</summary>
    public required string Sha256 { get; init; }
    /// <summary>Where the file waits; null once the import has ended and the file is deleted.</summary>
    public string? SpoolPath { get; set; }

    public RosterImportStatus Status { get; set; }
    /// <summary>What the job is doing, in Chinese (读取并校验, 规则计算, 保存…).</summary>
    public required string Phase { get; set; }
    public int RowsRead { get; set; }
    public long TotalBytes { get; init; }
    public long BytesRead { get; set; }

    public Guid? ApplicationId { get; set; }
    /// <summary>The error report (every error located), when any row was refused.</summary>
    public Guid? ReportId { get; set; }
    /// <summary>Rows refused (AcceptValid: left out of the case; RefuseWhole: the rows that refused it).</summary>
    public int RefusedCount { get; set; }
    /// <summary>Why the import was refused or failed as a whole, in Chinese.</summary>
    public string? MessageZh { get; set; }
    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; set; }
    /// <summary>Written with every progress report: a Running import whose heartbeat is stale belongs to a dead worker.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>A row an import refused (AcceptValid, or the rows that refused a RefuseWhole roster): its cells as read and every reason.</summary>
public sealed class RosterImportRefusedRow
{
    public Guid ImportId { get; init; }
    /// <summary>The spreadsheet row (header = 1).</summary>
    public int Row { get; init; }
    /// <summary>The row's cells in the header's order, as a JSON array of strings.</summary>
    public required string CellsJson { get; init; }
    /// <summary>Every reason, "【字段】原因" joined by "；".</summary>
    public required string ReasonsZh { get; init; }
}

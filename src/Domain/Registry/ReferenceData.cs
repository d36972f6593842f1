namespace OneCard.Domain.Registry;

/// <summary>
/// The kinds of other departments' data (大数据比对 sources) OneCard keeps snapshots of. Each is keyed by the same
/// HMAC-SM3 blind index of the ID number as beneficiaries (<c>PersonalDataProtector.LookupHash</c>), never by the
/// number itself.
/// </summary>
public enum ReferenceKind
{
    /// <summary>户籍: a person registered in a region, alive or not (公安).</summary>
    HouseholdRegistry,
    /// <summary>死亡和火化: a person who died (卫健, 民政 殡葬, 公安 户籍注销), with the date.</summary>
    Deaths,
    /// <summary>财政供养人员: state-funded staff (编制, 财政), with the period employed.</summary>
    StateFunded,
    /// <summary>其他政策享受人员: recipients of another policy (possibly another system), with policy and period.</summary>
    PolicyRecipients,
    /// <summary>一卡通账户开户信息: who holds an account (the agent bank or the social security card issuer).</summary>
    AccountHolders,
}

/// <summary>
/// One imported snapshot of a department's data: source, as-of date, row count and the file's SHA-256. A snapshot is
/// never edited, only replaced: importing the next one of the same kind, region and policy sets <see cref="ReplacedBy"/>
/// on this one, and checks read only current snapshots (the one with no <see cref="ReplacedBy"/>).
/// </summary>
public sealed class ReferenceSnapshot
{
    public Guid Id { get; init; }
    public ReferenceKind Kind { get; init; }
    /// <summary>The region the data covers (province <c>21</c>, a city or a county); checks use the snapshots covering a line.</summary>
    public required string RegionCode { get; init; }
    /// <summary>
    /// For <see cref="ReferenceKind.PolicyRecipients"/>: the policy the recipients received (a OneCard code or the source's
    /// own); empty for the other kinds, so that "one current snapshot per kind, region and policy" is a plain unique index.
    /// </summary>
    public string PolicyCode { get; init; } = "";
    /// <summary>Who supplied it (e.g. 辽宁省公安厅), as the import said.</summary>
    public required string Source { get; init; }
    /// <summary>The date the data is as of (数据截止日期).</summary>
    public DateOnly AsOf { get; init; }
    public required string FileName { get; init; }
    public required string FileSha256 { get; init; }
    /// <summary>UTF-8 or GB18030 for a CSV, xlsx for a workbook.</summary>
    public required string Encoding { get; init; }
    public int RowCount { get; init; }
    public required string ImportedBy { get; init; }
    public DateTimeOffset ImportedAt { get; init; }
    public Guid? ReplacedBy { get; set; }
    public DateTimeOffset? ReplacedAt { get; set; }
}

/// <summary>
/// One row of a snapshot, as the source gave it, keyed by the ID number's blind index. Which columns are filled depends
/// on the kind: <see cref="RegionCode"/> (户籍 region; the employer's or paying region), <see cref="Alive"/> (户籍 status),
/// <see cref="EventDate"/> (death date; employment start), <see cref="EndDate"/> (employment end), <see cref="PolicyCode"/>
/// and <see cref="Period"/> (another policy's payment), <see cref="AccountHash"/> (an account's blind index, its holder
/// being <see cref="IdNumberHash"/>), <see cref="Detail"/> (employer, cremation site: shown to the reviewer).
/// Rows are written once by COPY (PostgreSQL) and never updated.
/// </summary>
public sealed class ReferenceRecord
{
    public Guid SnapshotId { get; init; }
    /// <summary>The row in the source file (header = 1), for evidence: the reviewer can name the line of the source.</summary>
    public int RowNo { get; init; }
    public required string IdNumberHash { get; init; }
    public string? RegionCode { get; init; }
    public bool? Alive { get; init; }
    public DateOnly? EventDate { get; init; }
    public DateOnly? EndDate { get; init; }
    public string? PolicyCode { get; init; }
    public string? Period { get; init; }
    public string? AccountHash { get; init; }
    public string? Detail { get; init; }
}

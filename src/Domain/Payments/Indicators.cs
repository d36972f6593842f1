using System.Globalization;
using OneCard.Domain.Validation;

namespace OneCard.Domain.Payments;

/// <summary>The level of government that issued an indicator (下达级次), and the levels that fund it.</summary>
public enum IndicatorLevel { Central, Provincial, City, County }

/// <summary>Whether an indicator may still be drawn on. New values go at the end: the column stores names.</summary>
public enum IndicatorStatus { Active, Closed }

/// <summary>A ledger entry draws on an indicator (Allocate) or gives back to it (Return).</summary>
public enum IndicatorEntryKind { Allocate, Return }

/// <summary>
/// A budget indicator (预算指标): funds for one policy in one recipient region and budget year, identified by the document that
/// issued it (文号). Its shares say which levels of government fund it, as amounts in yuan that sum to <see cref="Amount"/>.
/// What is left is never stored: it is the amount less the net of its ledger (<see cref="IndicatorEntry"/>).
/// </summary>
public sealed class BudgetIndicator
{
    public Guid Id { get; init; }
    /// <summary>文号, e.g. 辽财农〔2026〕12号.</summary>
    public required string DocumentNo { get; init; }
    public required string Title { get; init; }
    /// <summary>The budget year; a batch draws on indicators of the year it was created in (Beijing time).</summary>
    public int Year { get; init; }
    public IndicatorLevel IssuingLevel { get; init; }
    public decimal CentralShare { get; init; }
    public decimal ProvincialShare { get; init; }
    public decimal CityShare { get; init; }
    public decimal CountyShare { get; init; }
    /// <summary>直达资金: the central direct-funding mark, carried to every payment drawn on it.</summary>
    public bool IsDirect { get; init; }
    public required string PolicyCode { get; init; }
    /// <summary>The recipient region (6-digit city or county code): batches of this region or below may draw on it.</summary>
    public required string RegionCode { get; init; }
    public decimal Amount { get; init; }
    public IndicatorStatus Status { get; set; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public const int MaxDocumentNoLength = 64;
    public const int MaxTitleLength = 200;

    /// <summary>
    /// Checks a new indicator's values; every problem is located by field. Amounts are yuan with at most two places, the
    /// amount positive, the shares not negative and summing to the amount exactly, and the issuing level's own share present.
    /// </summary>
    public static IReadOnlyList<FieldIssue> Validate(string? documentNo, string? title, int year, IndicatorLevel? level, string? policyCode,
        string? regionCode, decimal? amount, decimal? central, decimal? provincial, decimal? city, decimal? county)
    {
        var issues = new List<FieldIssue>();
        void Add(string field, string code, string zh, string en) => issues.Add(new FieldIssue(field, code, zh, en));
        if (string.IsNullOrWhiteSpace(documentNo)) Add("documentNo", "Required", "文号：必填", "Document number is required.");
        else if (documentNo.Trim().Length > MaxDocumentNoLength) Add("documentNo", "TooLong", $"文号：不超过{MaxDocumentNoLength}个字符", "Document number too long.");
        if (string.IsNullOrWhiteSpace(title)) Add("title", "Required", "指标名称：必填", "Title is required.");
        else if (title.Trim().Length > MaxTitleLength) Add("title", "TooLong", $"指标名称：不超过{MaxTitleLength}个字符", "Title too long.");
        if (year is < 2000 or > 2100) Add("year", "YearInvalid", $"预算年度：{year} 不是有效年度（2000–2100）", "Year out of range.");
        if (level is null) Add("issuingLevel", "Required", "下达级次：必选（中央、省级、市级、县级）", "Issuing level is required.");
        if (string.IsNullOrWhiteSpace(policyCode)) Add("policyCode", "Required", "补贴政策：必选", "Policy is required.");
        if (string.IsNullOrWhiteSpace(regionCode) || regionCode.Trim().Length != 6 || !regionCode.Trim().All(char.IsAsciiDigit))
            Add("regionCode", "RegionInvalid", $"指标接收地区：“{regionCode}”不是6位行政区划代码", "Recipient region must be a 6-digit region code.");
        if (amount is not { } total || total <= 0) Add("amount", "AmountInvalid", "指标金额：须大于0", "Amount must be positive.");
        else if (decimal.Round(total, 2) != total) Add("amount", "AmountScale", $"指标金额：{total} 最多两位小数（分）", "At most two decimal places.");
        var shares = new (string Field, string Zh, decimal? Value, IndicatorLevel Level)[]
        {
            ("centralShare", "中央承担", central, IndicatorLevel.Central), ("provincialShare", "省级承担", provincial, IndicatorLevel.Provincial),
            ("cityShare", "市级承担", city, IndicatorLevel.City), ("countyShare", "县级承担", county, IndicatorLevel.County),
        };
        foreach (var (field, zh, value, _) in shares)
        {
            if (value is < 0) Add(field, "ShareNegative", $"{zh}：{Yuan(value.Value)} 元不能为负数", "A share cannot be negative.");
            else if (value is { } v && decimal.Round(v, 2) != v) Add(field, "AmountScale", $"{zh}：{v} 最多两位小数（分）", "At most two decimal places.");
        }
        if (level is { } l && shares.Single(s => s.Level == l).Value is not > 0)
            Add(shares.Single(s => s.Level == l).Field, "IssuerShareMissing", $"{shares.Single(s => s.Level == l).Zh}：下达级次为{LevelZh(l)}，本级承担金额须大于0",
                "The issuing level must fund a share.");
        var sum = shares.Sum(s => s.Value ?? 0m);
        if (amount is > 0 && issues.All(i => !i.Field.EndsWith("Share", StringComparison.Ordinal)) && sum != amount)
            Add("shares", "SharesDoNotSum", $"分级承担：中央 {Yuan(central ?? 0)} + 省级 {Yuan(provincial ?? 0)} + 市级 {Yuan(city ?? 0)} + 县级 {Yuan(county ?? 0)} = {Yuan(sum)} 元，与指标金额 {Yuan(amount.Value)} 元不符",
                "The shares must sum to the amount.");
        return issues;
    }

    public static string LevelZh(IndicatorLevel level) => level switch
    {
        IndicatorLevel.Central => "中央",
        IndicatorLevel.Provincial => "省级",
        IndicatorLevel.City => "市级",
        _ => "县级",
    };

    /// <summary>Money in Chinese text: two places with thousands separators (120,000.00).</summary>
    public static string Yuan(decimal amount) => amount.ToString("#,##0.00", CultureInfo.InvariantCulture);
}

/// <summary>
/// One line of an indicator's ledger: a batch draws on it (Allocate) or gives back (Return: a smaller allocation, or the
/// failed amount of a reconciled batch). Amounts are positive; <see cref="SourceKey"/> is unique, so a retried write
/// records once.
/// </summary>
public sealed class IndicatorEntry
{
    public Guid Id { get; init; }
    public Guid IndicatorId { get; init; }
    public Guid BatchId { get; init; }
    public IndicatorEntryKind Kind { get; init; }
    public decimal Amount { get; init; }
    /// <summary>The indicator's recipient region (the ledger is scoped as its indicator is).</summary>
    public required string RegionCode { get; init; }
    public DateTimeOffset At { get; init; }
    public required string By { get; init; }
    public required string SourceKey { get; init; }
}

/// <summary>
/// An indicator's figures from its ledger. Identity: <c>Amount = Remaining + Allocated</c> and <c>Allocated = Paid + InFlight</c>,
/// where Allocated is the net of every entry, Paid the net of reconciled batches (their failed amounts were returned) and
/// InFlight the net of batches not yet reconciled.
/// </summary>
public sealed record IndicatorFigures(decimal Amount, decimal Allocated, decimal Paid, decimal InFlight)
{
    public decimal Remaining => Amount - Allocated;

    /// <param name="entries">The indicator's entries with whether each one's batch is reconciled.</param>
    public static IndicatorFigures From(decimal amount, IEnumerable<(decimal Net, bool Reconciled)> entries)
    {
        decimal allocated = 0, paid = 0;
        foreach (var (net, reconciled) in entries)
        {
            allocated += net;
            if (reconciled) paid += net;
        }
        return new IndicatorFigures(amount, allocated, paid, allocated - paid);
    }
}

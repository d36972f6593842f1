using System.Globalization;
using OneCard.Domain.Errors;

namespace OneCard.Domain.Policies;

/// <summary>Draft (草稿，可编辑) → Published (已发布，不可修改；更正即新版本).</summary>
public enum PolicyListStatus { Draft, Published }

/// <summary>Whether an item is paid this year (执行中) or stopped (停止执行).</summary>
public enum PolicyItemStatus { Active, Stopped }

/// <summary>
/// A region's policy list (补贴政策清单) for one year, in one version. The province list (210000) holds the province's
/// items; a city's or county's list holds only its local items and shows the published lists of the regions above it
/// as inherited, read-only rows. A published version never changes: a correction is the next version, a draft again.
/// </summary>
public sealed class PolicyList
{
    public Guid Id { get; init; }
    public required string RegionCode { get; init; }
    public PolicyLevel Level { get; init; }
    public int Year { get; init; }
    public int Version { get; init; }
    public PolicyListStatus Status { get; private set; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? PublishedBy { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }
    public List<PolicyListItem> Items { get; init; } = [];

    /// <summary>Refuses any change to a published list: the one place immutability is decided.</summary>
    public void EnsureDraft()
    {
        if (Status != PolicyListStatus.Draft)
            throw new OneCardException(ErrorKind.Conflict, "PolicyListPublished",
                $"{Year}年清单第{Version}版已发布，不能修改；如需更正，请新建版本", $"The {Year} list version {Version} is published and immutable; create a new version.");
    }

    /// <summary>Publishes the draft after every item passed <see cref="PolicyListItem.Validate"/>.</summary>
    public void Publish(string by, DateTimeOffset at)
    {
        EnsureDraft();
        Status = PolicyListStatus.Published;
        PublishedBy = by;
        PublishedAt = at;
    }

    /// <summary>For seeding a list that the shipped file declares published.</summary>
    public static PolicyList Seeded(string regionCode, PolicyLevel level, int year, int version, DateTimeOffset at, IEnumerable<PolicyListItem> items)
    {
        var list = new PolicyList { Id = Guid.CreateVersion7(), RegionCode = regionCode, Level = level, Year = year, Version = version, CreatedBy = "system", CreatedAt = at };
        foreach (var item in items) { item.ListId = list.Id; list.Items.Add(item); }
        list.Publish("system", at);
        return list;
    }

    /// <summary>Every located error of the list's items (numbering, codes unique, each item's own rules).</summary>
    public static List<PolicyListError> Validate(IReadOnlyList<PolicyListItem> items, IReadOnlySet<string> departments)
    {
        var errors = new List<PolicyListError>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            errors.AddRange(items[i].Validate(i, departments));
            if (items[i].Code is { Length: > 0 } code && !seen.TryAdd(code, i))
                errors.Add(new($"items[{i}].code", "PolicyCodeDuplicate", $"第{i + 1}项：政策代码“{code}”与第{seen[code] + 1}项重复",
                    $"items[{i}].code: '{code}' repeats item {seen[code] + 1}."));
        }
        return errors;
    }
}

/// <summary>One located problem of a list item: the field (<c>items[3].shares</c>), a stable code, Chinese first.</summary>
public sealed record PolicyListError(string Field, string Code, string MessageZh, string MessageEn);

/// <summary>One row of a policy list, in the columns published Chinese lists use.</summary>
public sealed class PolicyListItem
{
    /// <summary>Written where a value has no public source: never a guessed figure.</summary>
    public const string Unsourced = "未找到公开来源";

    public Guid Id { get; init; }
    public Guid ListId { get; set; }
    /// <summary>序号 within the region's own items.</summary>
    public int Seq { get; set; }
    public required string Code { get; set; }
    public required string NameZh { get; set; }
    public PolicyLevel Level { get; set; }
    /// <summary>主管部门 (LN-AGRI, LN-CIVIL, LN-DPF, LN-HEALTH, LN-FIN).</summary>
    public required string DepartmentCode { get; set; }
    /// <summary>政策依据（文件及文号）.</summary>
    public required string Basis { get; set; }
    public PolicyTarget Target { get; set; }
    /// <summary>补贴对象 in words (who qualifies).</summary>
    public string TargetText { get; set; } = "";
    /// <summary>补贴标准 as published.</summary>
    public required string StandardText { get; set; }
    /// <summary>The standard as a number where one applies province-wide; null where it is set locally or unsourced.</summary>
    public decimal? Amount { get; set; }
    /// <summary>元/亩、元/人月、元/人年 …</summary>
    public string? Unit { get; set; }
    /// <summary>资金分担比例 (%): all four given and summing to 100, or none (then <see cref="SharesNote"/> says why).</summary>
    public decimal? CentralShare { get; set; }
    public decimal? ProvincialShare { get; set; }
    public decimal? CityShare { get; set; }
    public decimal? CountyShare { get; set; }
    public string? SharesNote { get; set; }
    /// <summary>发放频次: 按月、按季、按年、一次性 …</summary>
    public required string Frequency { get; set; }
    /// <summary>发放月份, normalised "1-12" / "6" / "3,6,9,12"; empty when unsourced.</summary>
    public string PaymentMonths { get; set; } = "";
    public DateOnly EffectiveFrom { get; set; }
    public DateOnly? EffectiveTo { get; set; }
    public PolicyItemStatus Status { get; set; }
    /// <summary>Where the standard comes from (a URL, a document), or <see cref="Unsourced"/>.</summary>
    public string Source { get; set; } = "";

    public static readonly IReadOnlyList<string> Frequencies = ["按月", "按季", "按半年", "按年", "一次性"];

    public bool HasShares => CentralShare is not null || ProvincialShare is not null || CityShare is not null || CountyShare is not null;

    public string SharesText => HasShares
        ? $"中央{Pct(CentralShare)}、省{Pct(ProvincialShare)}、市{Pct(CityShare)}、县{Pct(CountyShare)}"
        : string.IsNullOrWhiteSpace(SharesNote) ? Unsourced : SharesNote!;

    public string AmountText => Amount is { } a ? $"{a.ToString("0.##", CultureInfo.InvariantCulture)}{Unit}" : "—";

    public string EffectiveText => $"{EffectiveFrom:yyyy-MM-dd}至{(EffectiveTo is { } to ? to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "长期")}";

    private static string Pct(decimal? v) => v is { } x ? x.ToString("0.##", CultureInfo.InvariantCulture) + "%" : "?";

    /// <summary>Every problem of this item, located as <c>items[i].field</c> and named by its 序号 and name in Chinese.</summary>
    public IEnumerable<PolicyListError> Validate(int index, IReadOnlySet<string> departments)
    {
        var at = $"items[{index}]";
        var who = $"第{index + 1}项“{(string.IsNullOrWhiteSpace(NameZh) ? Code : NameZh)}”";
        PolicyListError E(string field, string code, string zh, string en) => new($"{at}.{field}", code, $"{who}：{zh}", $"{at}.{field}: {en}");

        if (string.IsNullOrWhiteSpace(Code) || Code.Length > 64 || !Code.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            yield return E("code", "PolicyCodeInvalid", "政策代码须为1至64位小写字母、数字或连字符", "the code must be 1-64 lowercase letters, digits or hyphens.");
        if (string.IsNullOrWhiteSpace(NameZh) || NameZh.Length > 100)
            yield return E("nameZh", "PolicyNameRequired", "政策名称必填，且不超过100字", "the name is required (at most 100 characters).");
        if (!departments.Contains(DepartmentCode ?? ""))
            yield return E("departmentCode", "DepartmentUnknown", $"主管部门“{DepartmentCode}”不存在，可选：{string.Join("、", departments.Order(StringComparer.Ordinal))}",
                $"unknown department '{DepartmentCode}'.");
        if (string.IsNullOrWhiteSpace(Basis))
            yield return E("basis", "BasisRequired", $"政策依据（文件及文号）必填；无公开文件时填“{Unsourced}”", "the legal basis is required.");
        if (string.IsNullOrWhiteSpace(StandardText))
            yield return E("standardText", "StandardRequired", "补贴标准必填", "the standard is required.");
        if (Amount is { } amount && amount < 0)
            yield return E("amount", "AmountNegative", $"标准金额不能为负数（实为{amount}）", "the amount may not be negative.");
        if (Amount is not null && string.IsNullOrWhiteSpace(Unit))
            yield return E("unit", "UnitRequired", "填写了标准金额时须填写单位（如 元/人月、元/亩）", "an amount needs its unit.");
        if (HasShares)
        {
            (string Name, string Field, decimal? Value)[] shares =
                [("中央", "centralShare", CentralShare), ("省级", "provincialShare", ProvincialShare), ("市级", "cityShare", CityShare), ("县级", "countyShare", CountyShare)];
            var bad = false;
            foreach (var (name, field, value) in shares)
            {
                if (value is null)
                {
                    bad = true;
                    yield return E(field, "ShareMissing", $"{name}分担比例未填；分担比例须四级都填（可为0），或全部留空并注明来源情况", "a share is missing.");
                }
                else if (value < 0 || value > 100)
                {
                    bad = true;
                    yield return E(field, "ShareOutOfRange", $"{name}分担比例应在0至100之间，实为{value}", "a share must be within 0-100.");
                }
            }
            var sum = shares.Sum(s => s.Value ?? 0);
            if (!bad && sum != 100)
                yield return E("shares", "SharesNotHundred",
                    $"资金分担比例合计应为100%，实为{sum.ToString("0.##", CultureInfo.InvariantCulture)}%（{SharesText}）", $"the shares sum to {sum}, not 100.");
        }
        if (string.IsNullOrWhiteSpace(Frequency) || !Frequencies.Contains(Frequency))
            yield return E("frequency", "FrequencyUnknown", $"发放频次“{Frequency}”无效，可选：{string.Join("、", Frequencies)}", "unknown frequency.");
        if (ParseMonths(PaymentMonths, out _) is { } monthsError)
            yield return E("paymentMonths", "PaymentMonthsInvalid", monthsError, "payment months must be 1-12, e.g. 1-12 or 3,6,9,12.");
        if (EffectiveTo is { } end && end < EffectiveFrom)
            yield return E("effectiveTo", "EffectivePeriodReversed", $"有效期结束日{end:yyyy-MM-dd}早于开始日{EffectiveFrom:yyyy-MM-dd}", "the period ends before it starts.");
    }

    /// <summary>Reads "1-12", "6", "3,6,9,12" (、，also); null when valid, else the Chinese reason.</summary>
    public static string? ParseMonths(string? text, out IReadOnlyList<int> months)
    {
        var result = new SortedSet<int>();
        months = [];
        if (string.IsNullOrWhiteSpace(text)) return null;
        foreach (var part in text.Split([',', '，', '、', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split(['-', '–', '至'], 2);
            if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(range.Length > 1 ? range[1] : range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                || from is < 1 or > 12 || to is < 1 or > 12 || to < from)
                return $"发放月份“{part}”无效：月份应为1至12，可写作 1-12、6 或 3,6,9,12";
            for (var m = from; m <= to; m++) result.Add(m);
        }
        months = [.. result];
        return null;
    }

    /// <summary>A copy for the next year's or version's draft.</summary>
    public PolicyListItem CopyTo(Guid listId) => new()
    {
        Id = Guid.CreateVersion7(), ListId = listId, Seq = Seq, Code = Code, NameZh = NameZh, Level = Level, DepartmentCode = DepartmentCode,
        Basis = Basis, Target = Target, TargetText = TargetText, StandardText = StandardText, Amount = Amount, Unit = Unit,
        CentralShare = CentralShare, ProvincialShare = ProvincialShare, CityShare = CityShare, CountyShare = CountyShare, SharesNote = SharesNote,
        Frequency = Frequency, PaymentMonths = PaymentMonths, EffectiveFrom = EffectiveFrom, EffectiveTo = EffectiveTo, Status = Status, Source = Source,
    };
}

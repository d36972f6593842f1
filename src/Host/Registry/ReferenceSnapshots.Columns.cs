using System.Globalization;
using OneCard.Domain.Banking;
using OneCard.Domain.Identity;
using OneCard.Domain.Registry;
using OneCard.Host.Applications;
using OneCard.Rules.Facts;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.Registry;

public static partial class ReferenceSnapshots
{
    /// <summary>The fixed Chinese headers of the import files; the template and the page list them per kind.</summary>
    public static class Columns
    {
        public const string IdNumber = "身份证号";
        public const string Name = "姓名";
        public const string HouseholdRegion = "户籍地区代码";
        public const string HouseholdStatus = "户籍状态";
        public const string DeathDate = "死亡日期";
        public const string CremationSite = "火化地点";
        public const string Remark = "备注";
        public const string Employer = "单位名称";
        public const string Hired = "入职日期";
        public const string Left = "离职日期";
        public const string EmployerRegion = "单位所在地区代码";
        public const string Period = "期次";
        public const string Region = "地区代码";
        public const string Account = "账号";
    }

    /// <summary>One column of a kind's file: its header (the input format, Chinese in both languages), whether it must be there (and filled), what it holds.</summary>
    public sealed record ColumnSpec(string Header, bool Required, string DescriptionZh, string DescriptionEn);

    /// <summary>What a kind is called and which columns its file has, in template order.</summary>
    public sealed record KindSpec(ReferenceKind Kind, string NameZh, string SourceHintZh, IReadOnlyList<ColumnSpec> Columns);

    private static readonly ColumnSpec IdColumn = new(Columns.IdNumber, true, "18位公民身份号码，按 GB 11643 校验；只保存其加密哈希（盲索引），不保存号码本身",
        "The 18-character citizen ID number, checked by GB 11643; only its keyed hash (blind index) is stored, never the number");
    private static readonly ColumnSpec NameColumn = new(Columns.Name, false, "可有可无，便于人工核对；不保存", "Optional, for checking by eye; not stored");

    public static readonly IReadOnlyList<KindSpec> Kinds =
    [
        new(ReferenceKind.HouseholdRegistry, "户籍", "公安户籍",
        [
            IdColumn, NameColumn,
            new(Columns.HouseholdRegion, true, "户籍所在地区代码（6位县级或9位乡镇代码），须为本快照地区内的有效代码",
                "Region code of the registered residence (6-digit county or 9-digit township), a valid code within the snapshot's region"),
            new(Columns.HouseholdStatus, false, "正常、注销或死亡；留空视为未知", "Normal, cancelled or deceased, written in Chinese as the registry writes them (see the template); empty means unknown"),
        ]),
        new(ReferenceKind.Deaths, "死亡火化", "卫健、民政殡葬或公安户籍注销",
        [
            IdColumn, NameColumn,
            new(Columns.DeathDate, true, "如 2026-06-30、2026/6/30 或 20260630，不晚于数据截止日期", "e.g. 2026-06-30, 2026/6/30 or 20260630, not after the data's as-of date"),
            new(Columns.CremationSite, false, "火化地点，供审核人员查看", "Place of cremation, for reviewers"),
            new(Columns.Remark, false, "备注，供审核人员查看", "Remark, for reviewers"),
        ]),
        new(ReferenceKind.StateFunded, "财政供养人员", "编制、财政部门",
        [
            IdColumn, NameColumn,
            new(Columns.Employer, true, "单位名称，供审核人员查看", "Employer's name, for reviewers"),
            new(Columns.Hired, true, "入职日期", "Date hired"),
            new(Columns.Left, false, "离职日期，在职留空；不早于入职日期", "Date left, empty while employed; not before the date hired"),
            new(Columns.EmployerRegion, false, "单位所在地区代码", "Region code of the employer"),
        ]),
        new(ReferenceKind.PolicyRecipients, "其他政策享受人员", "其他政策的主管部门或系统",
        [
            IdColumn, NameColumn,
            new(Columns.Period, true, "享受的期次，如 2026 或 2026-06", "Period received, e.g. 2026 or 2026-06"),
            new(Columns.Region, false, "享受地地区代码", "Region code where it was received"),
        ]),
        new(ReferenceKind.AccountHolders, "一卡通账户开户信息", "代发银行或社保卡发卡机构",
        [
            IdColumn, NameColumn,
            new(Columns.Account, true, "账号（12至19位数字）；只保存其加密哈希，不保存账号本身；持有人为身份证号所指的人",
                "Account number (12 to 19 digits); only its keyed hash is stored, never the number; the holder is the person of the ID number"),
        ]),
    ];

    public static KindSpec Spec(ReferenceKind kind) => Kinds.Single(k => k.Kind == kind);

    /// <summary>The template of a kind: its header row, UTF-8 with a BOM so that Excel opens the Chinese headers.</summary>
    public static byte[] Template(ReferenceKind kind) =>
        [.. new byte[] { 0xEF, 0xBB, 0xBF }, .. System.Text.Encoding.UTF8.GetBytes(string.Join(',', Spec(kind).Columns.Select(c => c.Header)) + "\r\n")];

    /// <summary>
    /// Turns the rows of one file into records: every cell checked, every problem located (row, column, Chinese reason).
    /// The blind index is computed by <c>hash</c>, so the validating pass can skip the keyed hashing.
    /// </summary>
    internal sealed class RowMapper(ReferenceKind kind, string snapshotRegion, string policyCode, DateOnly asOf, DateOnly today,
        IReadOnlySet<string> knownRegions, Func<string, string> hash)
    {
        private const int MaxDetail = 100;
        private const int MaxPeriod = 16;
        private readonly string snapshotPrefix = Domain.Regions.RegionScope.For(snapshotRegion).Prefix;

        private static readonly FactDefinition DateFact = new("Date", FactType.Date);

        /// <summary>Refuses, at row 1, a header without a required column (a wrong file or encoding would otherwise blame every row).</summary>
        public bool CheckHeaders(IReadOnlyList<string> headers, string? encodingZh, LineErrors errors)
        {
            var present = headers.ToHashSet(StringComparer.Ordinal);
            var hint = encodingZh is null ? "" : $"（{encodingZh}；如表头显示为乱码，请在 Excel 中另存为“CSV UTF-8”后重试）";
            var ok = true;
            foreach (var column in Spec(kind).Columns.Where(c => c.Required && !present.Contains(c.Header)))
            {
                errors.Add(1, column.Header, "SnapshotColumnMissing", $"表头缺少“{column.Header}”列{hint}", $"The header has no '{column.Header}' column.");
                ok = false;
            }
            return ok;
        }

        /// <summary>The record of one row, or null when the row has errors (added to <paramref name="errors"/>).</summary>
        public ReferenceRecord? Map(Guid snapshotId, RosterRow row, LineErrors errors)
        {
            var before = errors.Total;
            string? Cell(string header)
            {
                if (!row.Cells.TryGetValue(header, out var value)) return null;
                value = value.Trim();
                return value.Length == 0 ? null : value;
            }
            void Error(string field, string code, string zh, string en) => errors.Add(row.Row, field, code, zh, en);

            var id = IdNumber.Check(Cell(Columns.IdNumber), today, null, Columns.IdNumber);
            foreach (var e in id.Errors) Error(Columns.IdNumber, e.Code, e.MessageZh, e.MessageEn);

            string? region = null;
            bool? alive = null;
            DateOnly? eventDate = null, endDate = null;
            string? period = null, accountHash = null, detail = null;
            switch (kind)
            {
                case ReferenceKind.HouseholdRegistry:
                    region = RegionCell(Columns.HouseholdRegion, required: true, withinSnapshot: true);
                    switch (Cell(Columns.HouseholdStatus))
                    {
                        case null: break;
                        case "正常": alive = true; break;
                        case "注销" or "死亡": alive = false; break;
                        case var other:
                            Error(Columns.HouseholdStatus, "HouseholdStatusInvalid", $"户籍状态“{LineErrors.Echo(other)}”无效，应为“正常”“注销”或“死亡”",
                                $"Household status '{LineErrors.Echo(other)}' is not 正常, 注销 or 死亡.");
                            break;
                    }
                    break;
                case ReferenceKind.Deaths:
                    eventDate = DateCell(Columns.DeathDate, required: true);
                    if (eventDate > asOf)
                        Error(Columns.DeathDate, "DeathAfterAsOf", $"死亡日期 {eventDate:yyyy-MM-dd} 晚于数据截止日期 {asOf:yyyy-MM-dd}",
                            $"The death date {eventDate:yyyy-MM-dd} is after the as-of date {asOf:yyyy-MM-dd}.");
                    var site = Cell(Columns.CremationSite);
                    var remark = Cell(Columns.Remark);
                    detail = DetailOf(site is null ? Columns.Remark : Columns.CremationSite,
                        site is null ? remark : remark is null ? site : $"火化地点：{site}；{remark}");
                    break;
                case ReferenceKind.StateFunded:
                    detail = DetailOf(Columns.Employer, Cell(Columns.Employer));
                    if (detail is null && Cell(Columns.Employer) is null)
                        Error(Columns.Employer, "EmployerMissing", "单位名称不能为空", "The employer is required.");
                    eventDate = DateCell(Columns.Hired, required: true);
                    endDate = DateCell(Columns.Left, required: false);
                    if (eventDate is { } hired && endDate is { } left && left < hired)
                        Error(Columns.Left, "LeftBeforeHired", $"离职日期 {left:yyyy-MM-dd} 早于入职日期 {hired:yyyy-MM-dd}",
                            $"The leaving date {left:yyyy-MM-dd} is before the hiring date {hired:yyyy-MM-dd}.");
                    region = RegionCell(Columns.EmployerRegion, required: false, withinSnapshot: false);
                    break;
                case ReferenceKind.PolicyRecipients:
                    period = Cell(Columns.Period);
                    if (period is null) Error(Columns.Period, "PeriodMissing", "期次不能为空", "The period is required.");
                    else if (period.Length > MaxPeriod || period.Any(char.IsControl))
                    {
                        Error(Columns.Period, "PeriodInvalid", $"期次“{LineErrors.Echo(period)}”无效（不超过{MaxPeriod}个字符，如 2026 或 2026-06）",
                            $"The period '{LineErrors.Echo(period)}' is invalid.");
                        period = null;
                    }
                    region = RegionCell(Columns.Region, required: false, withinSnapshot: false);
                    break;
                case ReferenceKind.AccountHolders:
                    var raw = Cell(Columns.Account);
                    var account = BankAccount.Check(raw, Columns.Account);
                    foreach (var e in account.Errors) Error(Columns.Account, e.Code, e.MessageZh, e.MessageEn);
                    if (account.IsValid) accountHash = hash(account.Normalized!);
                    break;
            }
            if (errors.Total > before) return null;
            return new ReferenceRecord
            {
                SnapshotId = snapshotId, RowNo = row.Row, IdNumberHash = hash(id.Normalized!), RegionCode = region, Alive = alive,
                EventDate = eventDate, EndDate = endDate, PolicyCode = kind == ReferenceKind.PolicyRecipients ? policyCode : null,
                Period = period, AccountHash = accountHash, Detail = detail,
            };

            string? RegionCell(string header, bool required, bool withinSnapshot)
            {
                var code = Cell(header);
                if (code is null)
                {
                    if (required) Error(header, "RegionMissing", $"{header}不能为空", $"{header} is required.");
                    return null;
                }
                if (!knownRegions.Contains(code))
                {
                    Error(header, "RegionUnknown", $"{header}“{LineErrors.Echo(code)}”不是辽宁省的有效地区代码", $"'{LineErrors.Echo(code)}' is not a known Liaoning region code.");
                    return null;
                }
                if (withinSnapshot && !code.StartsWith(snapshotPrefix, StringComparison.Ordinal))
                {
                    Error(header, "RegionOutsideSnapshot", $"{header}“{code}”不在本快照的地区（{snapshotRegion}）内", $"'{code}' is outside the snapshot's region {snapshotRegion}.");
                    return null;
                }
                return code;
            }

            DateOnly? DateCell(string header, bool required)
            {
                var text = Cell(header);
                if (text is null)
                {
                    if (required) Error(header, "DateMissing", $"{header}不能为空", $"{header} is required.");
                    return null;
                }
                // The one fact parser reads dates as the rosters do (yyyy-MM-dd, yyyy/M/d, yyyyMMdd, an Excel serial).
                var parsed = FactValues.Parse(DateFact with { LabelZh = header }, text);
                if (parsed is { IsValid: true, Value: DateOnly date }) return date;
                Error(header, "DateInvalid", $"{header}“{LineErrors.Echo(text)}”不是有效日期（请写作 2026-06-30、2026/6/30 或 20260630）",
                    $"{header} '{LineErrors.Echo(text)}' is not a date.");
                return null;
            }

            string? DetailOf(string header, string? text)
            {
                if (text is null) return null;
                if (text.Length > MaxDetail)
                {
                    Error(header, "CellTooLong", $"{header}超过{MaxDetail}个字符（实为{text.Length}个）", $"{header} is longer than {MaxDetail} characters.");
                    return null;
                }
                if (text.Any(char.IsControl))
                {
                    Error(header, "CellControlCharacter", $"{header}含不可见的控制字符，请删除", $"{header} contains a control character.");
                    return null;
                }
                return text;
            }
        }
    }

    internal static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

using OneCard.Domain.Banking;
using OneCard.Domain.Identity;
using OneCard.Domain.Payments;
using OneCard.Domain.Validation;
using OneCard.Rules.Facts;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.Applications;

/// <summary>One claim line as submitted, before validation: from a JSON body or a roster row.</summary>
public sealed record ClaimInput(int Row, string? Name, string? IdNumber, string? RegionCode, string? BankAccount, string? BankName,
    IReadOnlyDictionary<string, string?> Facts, string? AccountType = null);

/// <summary>A problem with one line of a submission: which row, which field, why (Chinese first).</summary>
public sealed record LineError(int Row, string Field, string Code, string MessageZh, string MessageEn);

/// <summary>A line that passed validation, with its typed facts and any warnings.</summary>
public sealed record ValidClaim(int Row, string Name, IdNumberCheck Id, string RegionCode, string BankAccount, string? BankName,
    IReadOnlyDictionary<string, object?> Facts, IReadOnlyList<FieldIssue> Warnings, AccountType AccountType = AccountType.BankCard);

/// <summary>
/// Validates every line of a submission and collects all problems (not just the first). The
/// column names users see are Chinese; JSON submissions use the same rules with English names.
/// </summary>
public sealed class ClaimValidator(IReadOnlySet<string> knownRegionCodes, DateOnly today)
{
    private readonly IReadOnlySet<string> knownRegionCodes = knownRegionCodes;
    private readonly DateOnly today = today;

    public static class Columns
    {
        public const string Name = "姓名";
        public const string IdNumber = "身份证号";
        public const string RegionCode = "地区代码";
        public const string BankAccount = "银行账号";
        public const string BankName = "开户银行";
    }

    /// <summary>The longest name, bank name and any other cell accepted (the database columns are text; these are plausibility caps).</summary>
    public const int MaxNameLength = 50, MaxBankNameLength = 100, MaxCellLength = 200;

    /// <summary>
    /// Numbers at or above this are refused whatever a rule set declares: facts are stored as shown
    /// quantities (numeric(18,4)) and turn into amounts (numeric(18,2)); past it a save would overflow.
    /// </summary>
    public const decimal MaxStorableNumber = FactValues.MaxStorableNumber;

    /// <summary>
    /// Validates every line and reports each problem to <paramref name="errors"/> (capped there). Lines are
    /// read as enumerated, so a roster is never held twice; once any line is bad, valid lines are no longer
    /// kept (the submission is refused whole anyway). Returns the valid lines and how many lines were read.
    /// A null <paramref name="applicationRegion"/> accepts any known township (an impact run's roster is no application).
    /// With <paramref name="keepValid"/> (a roster import that accepts the valid part) every valid line is kept whatever
    /// other lines hold. The submission itself streams through <see cref="Begin"/> instead and keeps no list.
    /// </summary>
    public (IReadOnlyList<ValidClaim> Valid, int LineCount) Validate(
        IEnumerable<ClaimInput> inputs, RuleSet ruleSet, string? applicationRegion, LineErrors errors, bool keepValid = false)
    {
        var valid = new List<ValidClaim>();
        var pass = Begin(ruleSet, applicationRegion, errors);
        foreach (var input in inputs)
            if (pass.Next(input) is { } claim && (keepValid || errors.Total == 0)) valid.Add(claim);
        if (errors.Total > 0 && !keepValid) valid.Clear();
        return (valid, pass.LineCount);
    }

    /// <summary>
    /// Starts validating one submission line by line (<see cref="Pass.Next"/>): the only state kept across lines is the
    /// duplicate set (an ID number packed into 64 bits → its first row) and the line count.
    /// </summary>
    public Pass Begin(RuleSet ruleSet, string? applicationRegion, LineErrors errors) => new(this, ruleSet, applicationRegion, errors);

    /// <summary>One submission's validation in progress: <see cref="Next"/> per line, in order.</summary>
    public sealed class Pass
    {
        private readonly ClaimValidator validator;
        private readonly string? applicationRegion;
        private readonly LineErrors errors;
        private readonly List<FactDefinition> inputFacts;
        // 18-character ID numbers (all valid ones are normalised to 18) packed as 17 digits × 11 + check character:
        // 16 bytes an entry instead of a 36-character string; anything else (none in practice) by its text.
        private readonly Dictionary<long, int> seen = [];
        private Dictionary<string, int>? seenText;

        internal Pass(ClaimValidator validator, RuleSet ruleSet, string? applicationRegion, LineErrors errors)
        {
            (this.validator, this.applicationRegion, this.errors) = (validator, applicationRegion, errors);
            // households (issue 9): a fact with a registry source is not a column (RegistryFacts adds it).
            inputFacts = ruleSet.Facts.Where(f => f.IsFromRoster && !FactsJson.IsOwnColumn(f.Name)).ToList();
        }

        /// <summary>How many lines were handed to <see cref="Next"/>.</summary>
        public int LineCount { get; private set; }

        /// <summary>The first row that gave this ID number, recording it if new (null then).</summary>
        private int? FirstRow(string normalized, int row)
        {
            if (Pack(normalized) is { } key)
            {
                if (seen.TryGetValue(key, out var first)) return first;
                seen[key] = row;
                return null;
            }
            seenText ??= new Dictionary<string, int>(StringComparer.Ordinal);
            if (seenText.TryGetValue(normalized, out var firstText)) return firstText;
            seenText[normalized] = row;
            return null;
        }

        private static long? Pack(string id)
        {
            if (id.Length != 18) return null;
            long key = 0;
            for (var i = 0; i < 17; i++)
            {
                var d = id[i] - '0';
                if (d is < 0 or > 9) return null;
                key = key * 10 + d;
            }
            var check = id[17] switch { 'X' or 'x' => 10, >= '0' and <= '9' => id[17] - '0', _ => -1 };
            return check < 0 ? null : key * 11 + check;
        }

        /// <summary>Validates one line, reporting its problems to the submission's errors; the valid claim, or null if the line has errors.</summary>
        public ValidClaim? Next(ClaimInput input)
        {
            LineCount++;
            var knownRegionCodes = validator.knownRegionCodes;
            var errorsBefore = errors.Total;
            void Error(string field, string code, string zh, string en) => errors.Add(new LineError(input.Row, field, code, zh, en));
            void FromIssues(IEnumerable<FieldIssue> issues) { foreach (var i in issues) Error(i.Field, i.Code, i.MessageZh, i.MessageEn); }

            // Every raw value first: control characters and length, whatever the column. A value that fails
            // here is not checked further (its other messages would only echo junk).
            HashSet<string>? rejected = null;
            bool Rejected(string field) => rejected?.Contains(field) == true;
            void Raw(string field, string? value, int max)
            {
                if (value is null) return;
                var trimmed = value.Trim();
                var control = trimmed.IndexOfAny(ControlCharacters);
                if (control >= 0)
                {
                    Error(field, "CellControlCharacter", $"{field}含不可见的控制字符（第{control + 1}个字符，U+{(int)trimmed[control]:X4}），请删除",
                        $"{field} contains a control character (U+{(int)trimmed[control]:X4}) at position {control + 1}.");
                    (rejected ??= new HashSet<string>(StringComparer.Ordinal)).Add(field);
                }
                else if (trimmed.Length > max)
                {
                    Error(field, field == Columns.Name ? "NameTooLong" : "CellTooLong", $"{field}超过{max}个字符（实为{trimmed.Length}个）",
                        $"{field} is longer than {max} characters ({trimmed.Length}).");
                    (rejected ??= new HashSet<string>(StringComparer.Ordinal)).Add(field);
                }
            }
            Raw(Columns.Name, input.Name, MaxNameLength);
            Raw(Columns.IdNumber, input.IdNumber, MaxCellLength);
            Raw(Columns.RegionCode, input.RegionCode, MaxCellLength);
            Raw(Columns.BankAccount, input.BankAccount, MaxCellLength);
            Raw(Columns.BankName, input.BankName, MaxBankNameLength);
            Raw(AccountTypes.Column, input.AccountType, MaxCellLength);
            foreach (var (key, value) in input.Facts) Raw(FactLabel(inputFacts, key), value, MaxCellLength);

            var name = input.Name?.Trim() ?? "";
            if (name.Length == 0 && !Rejected(Columns.Name)) Error(Columns.Name, "NameMissing", "姓名不能为空", "Name is required.");

            var id = IdNumber.Check(Rejected(Columns.IdNumber) ? null : input.IdNumber, validator.today, validator.IsKnownAreaCode, Columns.IdNumber);
            if (!Rejected(Columns.IdNumber)) FromIssues(id.Errors);
            if (id.IsValid && id.Normalized is { } normalized)
            {
                if (FirstRow(normalized, input.Row) is { } firstRow)
                    Error(Columns.IdNumber, "DuplicateIdInRoster", $"身份证号与第{firstRow}行重复", $"Same ID number as row {firstRow}.");
            }

            var region = input.RegionCode?.Trim() ?? "";
            if (Rejected(Columns.RegionCode)) region = "";
            else if (region.Length == 0) Error(Columns.RegionCode, "RegionMissing", "地区代码不能为空", "Region code is required.");
            else if (!knownRegionCodes.Contains(region))
                Error(Columns.RegionCode, "RegionUnknown", $"地区代码“{LineErrors.Echo(region)}”不是辽宁省的有效乡镇（街道）代码",
                    $"'{LineErrors.Echo(region)}' is not a known Liaoning township code.");
            else if (applicationRegion is not null && region != applicationRegion)
                Error(Columns.RegionCode, "RegionOutsideApplication", $"地区代码“{region}”不属于本申报所在乡镇（{applicationRegion}）",
                    $"'{region}' is not the application's township {applicationRegion}.");

            var bank = BankAccount.Check(Rejected(Columns.BankAccount) ? null : input.BankAccount, Columns.BankAccount);
            if (!Rejected(Columns.BankAccount)) FromIssues(bank.Errors);
            // banks (issue 8): the one-card account's kind, optional (blank = 银行卡).
            var accountType = AccountTypes.Parse(Rejected(AccountTypes.Column) ? null : input.AccountType);
            if (accountType is null)
                Error(AccountTypes.Column, "AccountTypeInvalid", $"账户类型“{LineErrors.Echo(input.AccountType ?? "")}”无效，应为“社保卡”或“银行卡”（可留空，即银行卡）",
                    $"Account type '{LineErrors.Echo(input.AccountType ?? "")}' is neither 社保卡 (social security card) nor 银行卡 (bank card).");

            var facts = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["IdNumber"] = id.Normalized ?? input.IdNumber,
                ["RegionCode"] = region,
                ["AsOf"] = validator.today,
            };
            foreach (var fact in inputFacts)
            {
                var label = fact.LabelZh ?? fact.Name;
                if (Rejected(label)) continue;
                input.Facts.TryGetValue(fact.Name, out var raw);
                if (raw is null && fact.LabelZh is not null) input.Facts.TryGetValue(fact.LabelZh, out raw);
                // One parser for every declared type (src/Rules/Facts/FactValues); this line adds the location.
                var parsed = FactValues.Parse(fact, raw);
                if (parsed.IsValid) facts[fact.Name] = parsed.Value;
                else Error(label, parsed.Code!, parsed.MessageZh!, parsed.MessageEn!);
            }
            if (errors.Total > errorsBefore) return null;
            return new ValidClaim(input.Row, name, id, region, bank.Normalized!, NullIfEmpty(input.BankName?.Trim()), facts,
                [.. id.Warnings, .. bank.Warnings], accountType ?? AccountType.BankCard);
        }
    }

    /// <summary>C0 controls (tab included: leading and trailing ones are trimmed, one inside a cell is refused) and DEL.</summary>
    private static readonly char[] ControlCharacters = [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '\u007F'];

    private static string FactLabel(IReadOnlyList<FactDefinition> facts, string key) =>
        facts.FirstOrDefault(f => f.Name == key)?.LabelZh ?? key;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Only Liaoning's codes are known here; another province's code is not judged (warnings only anyway).</summary>
    private bool IsKnownAreaCode(string code) => !code.StartsWith("21", StringComparison.Ordinal) || knownRegionCodes.Contains(code);

    /// <summary>The columns every roster has; any other column is a policy fact (or ignored, like 序号).</summary>
    private static readonly HashSet<string> StandardColumns =
        [Columns.Name, Columns.IdNumber, Columns.RegionCode, Columns.BankAccount, Columns.BankName, AccountTypes.Column, "序号"];

    public static ClaimInput FromRow(RosterRow row)
    {
        string? Cell(string name) => row.Cells.TryGetValue(name, out var v) ? v : null;
        var facts = row.Cells.Where(c => !StandardColumns.Contains(c.Key)).ToDictionary(c => c.Key, c => (string?)c.Value);
        return new ClaimInput(row.Row, Cell(Columns.Name), Cell(Columns.IdNumber), Cell(Columns.RegionCode), Cell(Columns.BankAccount),
            Cell(Columns.BankName), facts, Cell(AccountTypes.Column));
    }

    /// <summary>
    /// A roster whose header lacks a required column is refused at row 1, once, instead of once per line
    /// (a file read in the wrong encoding, or the wrong file, would otherwise blame every line).
    /// </summary>
    public static void CheckHeaders(IReadOnlyList<string> headers, RuleSet ruleSet, LineErrors errors, string? encodingZh)
    {
        var present = headers.ToHashSet(StringComparer.Ordinal);
        var required = new List<string> { Columns.Name, Columns.IdNumber, Columns.RegionCode, Columns.BankAccount };
        // households (issue 9): registry-sourced facts are no columns.
        foreach (var fact in ruleSet.Facts.Where(f => f.IsFromRoster && !FactsJson.IsOwnColumn(f.Name)))
            if (!present.Contains(fact.Name)) required.Add(fact.LabelZh ?? fact.Name);
        var hint = encodingZh is null ? "" : $"（{encodingZh}；如表头显示为乱码，请在 Excel 中另存为“CSV UTF-8”后重试）";
        foreach (var column in required.Where(c => !present.Contains(c)))
            errors.Add(1, column, "RosterColumnMissing", $"表头缺少“{column}”列{hint}", $"The header has no '{column}' column.");
    }
}

using System.Globalization;
using OneCard.Domain.Banking;
using OneCard.Domain.Identity;
using OneCard.Domain.Validation;
using OneCard.Rules.RuleSets;
using OneCard.Rules.Evaluation;

namespace OneCard.Host.Applications;

/// <summary>One claim line as submitted, before validation: from a JSON body or a roster row.</summary>
public sealed record ClaimInput(int Row, string? Name, string? IdNumber, string? RegionCode, string? BankAccount, string? BankName,
    IReadOnlyDictionary<string, string?> Facts);

/// <summary>A problem with one line of a submission: which row, which field, why (Chinese first).</summary>
public sealed record LineError(int Row, string Field, string Code, string MessageZh, string MessageEn);

/// <summary>A line that passed validation, with its typed facts and any warnings.</summary>
public sealed record ValidClaim(int Row, string Name, IdNumberCheck Id, string RegionCode, string BankAccount, string? BankName,
    IReadOnlyDictionary<string, object?> Facts, IReadOnlyList<FieldIssue> Warnings);

/// <summary>
/// Validates every line of a submission and collects all problems (not just the first). The
/// column names users see are Chinese; JSON submissions use the same rules with English names.
/// </summary>
public sealed class ClaimValidator(IReadOnlySet<string> knownRegionCodes, DateOnly today)
{
    public static class Columns
    {
        public const string Name = "姓名";
        public const string IdNumber = "身份证号";
        public const string RegionCode = "地区代码";
        public const string BankAccount = "银行账号";
        public const string BankName = "开户银行";
    }

    public (IReadOnlyList<ValidClaim> Valid, IReadOnlyList<LineError> Errors) Validate(
        IReadOnlyList<ClaimInput> inputs, RuleSet ruleSet, string applicationRegion)
    {
        var errors = new List<LineError>();
        var valid = new List<ValidClaim>(inputs.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var inputFacts = ruleSet.Facts.Where(f => !f.IsLookup && f.Name is not ("IdNumber" or "RegionCode" or "AsOf")).ToList();
        foreach (var input in inputs)
        {
            var lineErrors = new List<LineError>();
            void Error(string field, string code, string zh, string en) => lineErrors.Add(new LineError(input.Row, field, code, zh, en));
            void FromIssues(IEnumerable<FieldIssue> issues) { foreach (var i in issues) Error(i.Field, i.Code, i.MessageZh, i.MessageEn); }

            var name = input.Name?.Trim() ?? "";
            if (name.Length == 0) Error(Columns.Name, "NameMissing", "姓名不能为空", "Name is required.");
            else if (name.Length > 50) Error(Columns.Name, "NameTooLong", "姓名超过50个字符", "Name is longer than 50 characters.");

            var id = IdNumber.Check(input.IdNumber, today, IsKnownAreaCode, Columns.IdNumber);
            FromIssues(id.Errors);
            if (id.IsValid && id.Normalized is { } normalized)
            {
                if (seen.TryGetValue(normalized, out var firstRow))
                    Error(Columns.IdNumber, "DuplicateIdInRoster", $"身份证号与第{firstRow}行重复", $"Same ID number as row {firstRow}.");
                else seen[normalized] = input.Row;
            }

            var region = input.RegionCode?.Trim() ?? "";
            if (region.Length == 0) Error(Columns.RegionCode, "RegionMissing", "地区代码不能为空", "Region code is required.");
            else if (!knownRegionCodes.Contains(region))
                Error(Columns.RegionCode, "RegionUnknown", $"地区代码“{region}”不是辽宁省的有效乡镇（街道）代码", $"'{region}' is not a known Liaoning township code.");
            else if (region != applicationRegion)
                Error(Columns.RegionCode, "RegionOutsideApplication", $"地区代码“{region}”不属于本申报所在乡镇（{applicationRegion}）",
                    $"'{region}' is not the application's township {applicationRegion}.");

            var bank = BankAccount.Check(input.BankAccount, Columns.BankAccount);
            FromIssues(bank.Errors);

            var facts = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["IdNumber"] = id.Normalized ?? input.IdNumber,
                ["RegionCode"] = region,
                ["AsOf"] = today,
            };
            foreach (var fact in inputFacts)
            {
                var label = fact.LabelZh ?? fact.Name;
                input.Facts.TryGetValue(fact.Name, out var raw);
                if (raw is null && fact.LabelZh is not null) input.Facts.TryGetValue(fact.LabelZh, out raw);
                raw = raw?.Trim();
                if (string.IsNullOrEmpty(raw))
                {
                    Error(label, "FactMissing", $"{label}不能为空", $"{fact.Name} is required.");
                    continue;
                }
                switch (fact.Type.ToString().ToLowerInvariant())
                {
                    case "decimal":
                        if (!decimal.TryParse(raw, NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
                            Error(label, "FactNotNumber", $"{label}“{raw}”不是有效数字", $"{fact.Name} '{raw}' is not a number.");
                        else if (fact.Minimum is { } min && number < min)
                            Error(label, "FactBelowMinimum", $"{label}不能小于{min}（实为{raw}）", $"{fact.Name} must be at least {min}.");
                        else facts[fact.Name] = number;
                        break;
                    case "bool":
                        if (ParseBool(raw) is { } flag) facts[fact.Name] = flag;
                        else Error(label, "FactNotYesNo", $"{label}应填“是”或“否”，实为“{raw}”", $"{fact.Name} must be yes or no.");
                        break;
                    default:
                        facts[fact.Name] = raw;
                        break;
                }
            }
            if (lineErrors.Count > 0)
            {
                errors.AddRange(lineErrors);
                continue;
            }
            valid.Add(new ValidClaim(input.Row, name, id, region, bank.Normalized!, input.BankName?.Trim(), facts,
                [.. id.Warnings, .. bank.Warnings]));
        }
        return (valid, errors);
    }

    /// <summary>Only Liaoning's codes are known here; another province's code is not judged (warnings only anyway).</summary>
    private bool IsKnownAreaCode(string code) => !code.StartsWith("21", StringComparison.Ordinal) || knownRegionCodes.Contains(code);

    private static bool? ParseBool(string raw) => raw.ToLowerInvariant() switch
    {
        "是" or "true" or "1" or "y" or "yes" => true,
        "否" or "false" or "0" or "n" or "no" => false,
        _ => null,
    };

    /// <summary>The columns every roster has; any other column is a policy fact (or ignored, like 序号).</summary>
    private static readonly HashSet<string> StandardColumns =
        [Columns.Name, Columns.IdNumber, Columns.RegionCode, Columns.BankAccount, Columns.BankName, "序号"];

    public static ClaimInput FromRow(RosterRow row)
    {
        string? Cell(string name) => row.Cells.TryGetValue(name, out var v) ? v : null;
        var facts = row.Cells.Where(c => !StandardColumns.Contains(c.Key)).ToDictionary(c => c.Key, c => (string?)c.Value);
        return new ClaimInput(row.Row, Cell(Columns.Name), Cell(Columns.IdNumber), Cell(Columns.RegionCode), Cell(Columns.BankAccount),
            Cell(Columns.BankName), facts);
    }
}

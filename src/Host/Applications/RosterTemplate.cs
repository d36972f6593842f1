using System.Text;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using OneCard.Domain.Errors;
using OneCard.Domain.Payments;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Rules.Evaluation;
using OneCard.Rules.Facts;
using OneCard.Rules.RuleSets;
using OneCard.Workflows;

namespace OneCard.Host.Applications;

/// <summary>
/// The roster a rule set expects, generated from it and naming no policy: the standard columns (name, ID number, region,
/// bank account, bank) and then each supplied fact by its Chinese label with its type, bounds and whether it is required —
/// exactly the header <see cref="ClaimValidator.CheckHeaders"/> and <see cref="RosterReader"/> accept. The upload page shows
/// these columns; <c>GET /api/rulesets/{policy}/template.csv|.xlsx</c> gives the header row and one example row (the rule
/// set's first eligible example, if it has one).
/// </summary>
public static class RosterTemplate
{
    /// <summary>One column of a roster: its header, what it holds, its bounds, whether a value is required.</summary>
    /// <param name="Header">The column's header: the template's, in Chinese in either language (the roster is a Chinese document).</param>
    public sealed record Column(string Header, string TypeZh, string? BoundsZh, bool Required, string? FactName, string TypeEn = "", string? BoundsEn = null);

    /// <summary>A policy a clerk may submit today, with the rule set version in force.</summary>
    public sealed record Choice(string PolicyCode, string NameZh, string DepartmentZh, string RuleSetKey, string? NameEn = null, string? DepartmentCode = null);

    /// <summary>A Luhn-valid account number for the example row (not a real account).</summary>
    public const string ExampleAccount = "6217990000000000006";

    /// <summary>The facts every line carries whatever the rule set: they come from the standard columns or the submission day.</summary>
    private static readonly HashSet<string> StandardFacts = ["IdNumber", "RegionCode", "AsOf"];

    /// <summary>The supplied facts a roster has a column for, in declared order.</summary>
    public static IReadOnlyList<FactDefinition> SuppliedFacts(RuleSet ruleSet) =>
        [.. ruleSet.Facts.Where(f => f.IsFromRoster && !StandardFacts.Contains(f.Name))];

    /// <summary>The roster's columns, in template order.</summary>
    public static IReadOnlyList<Column> Columns(RuleSet ruleSet)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        var id = ruleSet.Facts.FirstOrDefault(f => f.Name == "IdNumber");
        var region = ruleSet.Facts.FirstOrDefault(f => f.Name == "RegionCode");
        List<Column> columns =
        [
            new(ClaimValidator.Columns.Name, "文字", $"最多{ClaimValidator.MaxNameLength}个字符", true, null,
                "Text", $"At most {ClaimValidator.MaxNameLength} characters"),
            new(ClaimValidator.Columns.IdNumber, "文字", "18位居民身份证号（末位可为X）", true, id?.Name,
                "Text", "18-digit resident ID number (the last may be X)"),
            new(ClaimValidator.Columns.RegionCode, "文字", "9位乡镇（街道）代码，须为本申报所在乡镇", true, region?.Name,
                "Text", "9-digit township code, the township of this application"),
            new(ClaimValidator.Columns.BankAccount, "文字", "银行卡号或社保卡金融账号（数字）", true, null,
                "Text", "Bank card number or social security card account number (digits)"),
            new(ClaimValidator.Columns.BankName, "文字", $"最多{ClaimValidator.MaxBankNameLength}个字符", false, null,
                "Text", $"At most {ClaimValidator.MaxBankNameLength} characters"),
            new(AccountTypes.Column, "文字", "社保卡或银行卡（留空即银行卡）", false, null,
                "Text", "SocialSecurityCard or BankCard (blank is a bank card)"),
        ];
        columns.AddRange(SuppliedFacts(ruleSet).Select(f => new Column(FactValues.Label(f), TypeZh(f.Type), BoundsZh(f), true, f.Name, TypeEn(f.Type), BoundsEn(f))));
        return columns;
    }

    /// <summary>How the page names a fact type.</summary>
    public static string TypeZh(FactType type) => type switch
    {
        FactType.String => "文字",
        FactType.Decimal => "数字",
        FactType.Int => "整数",
        FactType.Bool => "是/否",
        FactType.Date => "日期",
        _ => type.ToString(),
    };

    /// <summary>The English of <see cref="TypeZh"/>.</summary>
    public static string TypeEn(FactType type) => type switch
    {
        FactType.String => "Text",
        FactType.Decimal => "Number",
        FactType.Int => "Whole number",
        FactType.Bool => "Yes/no",
        FactType.Date => "Date",
        _ => type.ToString(),
    };

    private static string? BoundsEn(FactDefinition fact) => fact.Type switch
    {
        FactType.String => $"At most {fact.MaxLength} characters",
        FactType.Decimal or FactType.Int => (fact.Minimum, fact.Maximum) switch
        {
            ({ } min, { } max) => $"{min} to {max}",
            ({ } min, null) => $"At least {min}",
            (null, { } max) => $"At most {max}",
            _ => null,
        },
        FactType.Bool => "Yes or no",
        FactType.Date => "e.g. 2026-06-30, 2026/6/30 or 20260630",
        _ => null,
    };

    private static string? BoundsZh(FactDefinition fact) => fact.Type switch
    {
        FactType.String => $"最多{fact.MaxLength}个字符",
        FactType.Decimal or FactType.Int => (fact.Minimum, fact.Maximum) switch
        {
            ({ } min, { } max) => $"{min}～{max}",
            ({ } min, null) => $"不小于{min}",
            (null, { } max) => $"不大于{max}",
            _ => null,
        },
        FactType.Bool => "填“是”或“否”",
        FactType.Date => "如 2026-06-30、2026/6/30 或 20260630",
        _ => null,
    };

    /// <summary>The example row: the first eligible example's values under the columns, or null when the rule set has none.</summary>
    public static IReadOnlyList<string>? ExampleRow(RuleSet ruleSet)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        var example = ruleSet.Examples.FirstOrDefault(e => e.Expect.Outcome == EvaluationOutcome.Eligible);
        if (example is null) return null;
        string Fact(string? name)
        {
            if (name is null || ruleSet.Facts.FirstOrDefault(f => f.Name == name) is not { } fact) return "";
            return FactValues.Format(fact, example.Facts.GetValueOrDefault(name));
        }
        return [.. Columns(ruleSet).Select(c => c.Header switch
        {
            ClaimValidator.Columns.Name => "张三（示例）",
            ClaimValidator.Columns.IdNumber => Fact(c.FactName ?? "IdNumber"),
            ClaimValidator.Columns.RegionCode => Fact(c.FactName ?? "RegionCode"),
            ClaimValidator.Columns.BankAccount => ExampleAccount,
            ClaimValidator.Columns.BankName => "",
            AccountTypes.Column => AccountTypes.Zh(AccountType.BankCard),
            _ => Fact(c.FactName),
        })];
    }

    /// <summary>The template as CSV: UTF-8 with a BOM (Excel opens it as UTF-8), CRLF, every cell quoted as needed.</summary>
    public static byte[] Csv(RuleSet ruleSet)
    {
        var text = new StringBuilder();
        void Line(IEnumerable<string> cells) => text.Append(string.Join(',', cells.Select(Quote))).Append("\r\n");
        Line(Columns(ruleSet).Select(c => c.Header));
        if (ExampleRow(ruleSet) is { } row) Line(row);
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    /// <summary>The template as xlsx (MiniExcel): the header row and the example row, every cell text (an ID number stays whole).</summary>
    public static byte[] Xlsx(RuleSet ruleSet)
    {
        var headers = Columns(ruleSet).Select(c => c.Header).ToList();
        var rows = new List<Dictionary<string, object>> { Row(headers) };
        if (ExampleRow(ruleSet) is { } example) rows.Add(Row(example));
        using var stream = new MemoryStream();
        stream.SaveAs(rows, printHeader: false, sheetName: "花名册");
        return stream.ToArray();

        static Dictionary<string, object> Row(IReadOnlyList<string> cells) =>
            cells.Select((v, i) => (Key: RosterReader.ColumnName(i), Value: (object)v)).ToDictionary(c => c.Key, c => c.Value);
    }

    public static void MapRosterTemplate(this RouteGroupBuilder api)
    {
        api.MapGet("/rulesets/{policy}/template.csv", async (string policy, Handler handler, CancellationToken ct) =>
            {
                var ruleSet = await handler.InForceAsync(policy, ct);
                return TypedResults.File(Csv(ruleSet), "text/csv; charset=utf-8", $"{ruleSet.PolicyCode}-花名册模板.csv");
            })
            .WithName("RosterTemplateCsv").WithSummary("The roster template of the policy's rule set in force today: header row and one example row (CSV, UTF-8)");
        api.MapGet("/rulesets/{policy}/template.xlsx", async (string policy, Handler handler, CancellationToken ct) =>
            {
                var ruleSet = await handler.InForceAsync(policy, ct);
                return TypedResults.File(Xlsx(ruleSet), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    $"{ruleSet.PolicyCode}-花名册模板.xlsx");
            })
            .WithName("RosterTemplateXlsx").WithSummary("The roster template of the policy's rule set in force today (xlsx)");
    }

    /// <summary>What the upload page and the template endpoints read: the policies a user may submit today and their rule sets.</summary>
    public sealed class Handler(OneCardDbContext db, UserContext user, IRuleSets ruleSets, TimeProvider time)
    {
        private DateOnly Today => WorkingDayCalendar.LocalDate(time.GetUtcNow());

        /// <summary>The policies of the user's department (every policy for a user of none) that have a rule set in force today.</summary>
        public async Task<IReadOnlyList<Choice>> ChoicesAsync(CancellationToken ct)
        {
            var department = user.Required.DepartmentCode;
            var policies = await db.Policies.AsNoTracking()
                .Where(p => department == null || p.DepartmentCode == department)
                .OrderBy(p => p.Code).Select(p => new { p.Code, p.NameZh, p.NameEn, p.DepartmentCode }).ToListAsync(ct);
            var today = Today;
            return [.. policies
                .Select(p => (Policy: p, RuleSet: ruleSets.EffectiveOn(p.Code, today)))
                .Where(p => p.RuleSet is not null)
                .Select(p => new Choice(p.Policy.Code, p.Policy.NameZh, DepartmentCodes.Zh(p.Policy.DepartmentCode), p.RuleSet!.VersionKey,
                    p.Policy.NameEn, p.Policy.DepartmentCode))];
        }

        /// <summary>The rule set of <paramref name="policyCode"/> in force today; a located Chinese refusal otherwise.</summary>
        public async Task<RuleSet> InForceAsync(string policyCode, CancellationToken ct)
        {
            var policy = await db.Policies.AsNoTracking().Where(p => p.Code == policyCode).Select(p => new { p.Code, p.NameZh }).SingleOrDefaultAsync(ct)
                ?? throw new OneCardException(ErrorKind.NotFound, "PolicyUnknown", $"补贴政策“{LineErrors.Echo(policyCode)}”不存在",
                    $"Unknown policy '{LineErrors.Echo(policyCode)}'.");
            var today = Today;
            return ruleSets.EffectiveOn(policy.Code, today)
                ?? throw new OneCardException(ErrorKind.Invalid, "NoEffectiveRuleSet",
                    $"补贴政策“{policy.NameZh}”在 {today:yyyy-MM-dd} 没有生效的规则集，暂无花名册模板",
                    $"Policy {policy.Code} has no rule set in force on {today:yyyy-MM-dd}.");
        }
    }
}

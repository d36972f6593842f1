using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OneCard.Rules.Expressions;
using RulesEngine.ExpressionBuilders;

namespace OneCard.Rules.RuleSets;

/// <summary>Reads a rule set file (our envelope around RulesEngine rules), validates all of it, and gates every expression.</summary>
/// <remarks>
/// Every problem is collected with its JSON path; nothing stops at the first. <see cref="Validate"/> returns them as data
/// (for authoring screens); <see cref="Load"/> throws them together as one <see cref="RuleSetException"/>.
/// </remarks>
public static partial class RuleSetLoader
{
    /// <summary>The only rounding rule a rule set may state: 四舍五入 to 分, once per line.</summary>
    public const string RoundingHalfAwayFromZero = "HalfAwayFromZero";

    private static readonly string[] TopLevelKeys = ["policyCode", "version", "name", "year", "basis", "facts", "tables", "eligibility", "amount", "examples", "notes", "crossChecks", "effectiveFrom"];
    private static readonly string[] FactKeys = ["name", "type", "from", "key", "keyLength", "labelZh", "minimum", "maximum", "maxLength", "personal", "compute", "match", "source"];
    private static readonly string[] RuleKeys = ["name", "expression", "messageZh", "messageEn", "labelZh", "labelEn"];
    private static readonly string[] AmountKeys = ["expression", "rounding", "decimals", "ceiling", "note"];
    private static readonly string[] NameKeys = ["zh-CN", "en"];

    // Type names an expression may use; a fact of that name would hide the type (e.g. a fact "Fn" hides Fn.IsValidIdNumber).
    private static readonly string[] ReservedNames =
    [
        "Fn", "Math", "Enumerable", "Convert", "Nullable", "Object", "String", "Char", "Boolean", "Byte", "SByte",
        "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Single", "Double", "Decimal",
        "DateTime", "DateOnly", "TimeOnly", "TimeSpan", "DateTimeOffset", "Guid", "Uri",
    ];

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    /// <summary>Checks a rule set text and returns every problem found; an empty list means it would load.</summary>
    public static IReadOnlyList<RuleSetValidationError> Validate(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Read(json, Encoding.UTF8.GetBytes(json), source).Errors;
    }

    /// <summary>Loads and validates a rule set text.</summary>
    /// <exception cref="RuleSetException">The text is invalid; <see cref="RuleSetException.Errors"/> lists every problem.</exception>
    public static RuleSet Load(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        var result = Read(json, Encoding.UTF8.GetBytes(json), source);
        return result.RuleSet ?? throw new RuleSetException(result.Errors);
    }

    /// <summary>Loads and validates one rule set file; its SHA-256 is that of the file bytes.</summary>
    /// <exception cref="RuleSetException">The file is invalid.</exception>
    public static RuleSet LoadFile(string path)
    {
        var result = ReadFile(path);
        return result.RuleSet ?? throw new RuleSetException(result.Errors);
    }

    internal static (RuleSet? RuleSet, IReadOnlyList<RuleSetValidationError> Errors) ReadFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            return (null, [new RuleSetValidationError(path, "$", "文件不是有效的 UTF-8 文本", "the file is not valid UTF-8 text")]);
        }

        return Read(text, bytes, path);
    }

    private static (RuleSet? RuleSet, IReadOnlyList<RuleSetValidationError> Errors) Read(string json, byte[] bytes, string source)
    {
        var errors = new Errors(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            errors.Add("$", $"JSON 格式错误（第 {ex.LineNumber + 1} 行，第 {ex.BytePositionInLine + 1} 列）：{ex.Message}",
                $"malformed JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {ex.Message}");
            return (null, errors.List);
        }

        using (document)
        {
            var ruleSet = ReadRoot(document.RootElement, json, bytes, source, errors);
            return errors.List.Count == 0 ? (ruleSet, errors.List) : (null, errors.List);
        }
    }

    private static RuleSet? ReadRoot(JsonElement root, string json, byte[] bytes, string source, Errors errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", "规则集必须是一个 JSON 对象", "a rule set must be a JSON object");
            return null;
        }

        CheckKeys(root, "", TopLevelKeys, errors);

        var policyCode = RequiredString(root, "", "policyCode", errors);
        if (policyCode is not null && !PolicyCodePattern().IsMatch(policyCode))
        {
            errors.Add("policyCode", "政策代码只能由小写字母、数字和连字符组成，以字母开头", "the policy code must be lowercase letters, digits and hyphens, starting with a letter");
        }

        var version = RequiredInt(root, "", "version", 1, 9999, errors);
        var year = RequiredInt(root, "", "year", 2000, 2100, errors);
        var basis = RequiredString(root, "", "basis", errors);
        var name = ReadName(root, errors);
        var errorsBeforeFacts = errors.List.Count;
        var facts = ReadFacts(root, errors);
        var factsWellFormed = facts is not null && errors.List.Count == errorsBeforeFacts;
        var tables = ReadTables(root, facts, errors);
        var eligibility = ReadEligibility(root, errors);
        var amount = ReadAmount(root, errors);

        // Expressions are only meaningful against well-formed facts; otherwise every one would report "unknown identifier".
        if (facts is null || !factsWellFormed)
        {
            return null;
        }

        var parameters = facts.Select(f => Expression.Parameter(f.ClrType, f.Name)).ToArray();
        CheckFactNamesResolve(facts, parameters, errors);
        var computedTrees = GateComputed(facts, parameters, errors);

        var eligibilityTrees = new List<Expression>();
        for (var i = 0; i < (eligibility?.Count ?? 0); i++)
        {
            var tree = Gate(eligibility![i].Expression, parameters, typeof(bool), $"eligibility[{i}].expression", errors);
            if (tree is not null)
            {
                eligibilityTrees.Add(tree);
            }
        }

        var amountTree = amount is null ? null : Gate(amount.Expression, parameters, typeof(decimal), "amount.expression", errors);
        if (amountTree is not null)
        {
            CheckNoPersonalFacts(amountTree, facts, "amount.expression", errors);
        }

        var examples = ReadExamples(root, facts, eligibility, errors);
        var crossChecks = ReadCrossChecks(root, errors);
        CheckCrossCheckSources(facts, crossChecks, errors);
        CheckEffectiveFrom(root, errors);

        if (errors.List.Count > 0 || policyCode is null || version is null || year is null || basis is null || name is null
            || tables is null || eligibility is null || amount is null || amountTree is null)
        {
            return null;
        }

        return new RuleSet(
            policyCode, version.Value, name, year.Value, basis, facts, tables, eligibility, amount, json,
            Convert.ToHexStringLower(SHA256.HashData(bytes)), source,
            new ValidatedExpressions(parameters, computedTrees, eligibilityTrees, amountTree), examples)
        {
            CrossChecks = crossChecks,
        };
    }

    private static Expression? Gate(string expression, ParameterExpression[] parameters, Type resultType, string path, Errors errors)
    {
        var verdict = ExpressionGate.Check(expression, parameters, resultType);
        if (!verdict.IsApproved)
        {
            // An unknown name is most often a mistyped fact: list the ones the expression may use.
            var unknown = UnknownIdentifierPattern().Match(verdict.ReasonEn!);
            var known = string.Join("、", parameters.Select(p => p.Name));
            errors.Add(path,
                unknown.Success ? $"{verdict.ReasonZh}（{unknown.Groups[1].Value} 不是已声明的事实；可用的事实：{known}）" : verdict.ReasonZh!,
                unknown.Success ? $"{verdict.ReasonEn} ({unknown.Groups[1].Value} is not a declared fact; known facts: {string.Join(", ", parameters.Select(p => p.Name))})" : verdict.ReasonEn!);
        }

        return verdict.Tree;
    }

    // Each computed fact is gated like any expression, typed as the fact, and may read only facts declared before it
    // (so one pass in declared order computes every fact); one reading a personal fact is personal-derived.
    private static Expression?[] GateComputed(List<FactDefinition> facts, ParameterExpression[] parameters, Errors errors)
    {
        var trees = new Expression?[facts.Count];
        for (var i = 0; i < facts.Count; i++)
        {
            var fact = facts[i];
            if (!fact.IsComputed)
            {
                continue;
            }

            var path = $"facts[{i}].compute";
            var tree = Gate(fact.Compute!, parameters, fact.ClrType, path, errors);
            if (tree is null)
            {
                continue;
            }

            var referenced = ExpressionGate.ReferencedParameters(tree);
            var later = facts.Select((f, index) => (f, index)).Where(x => x.index >= i && referenced.Contains(x.f.Name)).ToList();
            if (later.Count > 0)
            {
                var names = string.Join("、", later.Select(x => x.f.Name));
                errors.Add(path, $"计算事实 {fact.Name} 只能读取在它之前声明的事实，不能读取 {names}（请调整 facts 的顺序）",
                    $"computed fact {fact.Name} may read only facts declared before it, not {string.Join(", ", later.Select(x => x.f.Name))} (reorder the facts)");
                continue;
            }

            trees[i] = tree;
            if (facts.Take(i).Any(f => (f.Personal || f.DerivedFromPersonal) && referenced.Contains(f.Name)))
            {
                facts[i] = fact with { DerivedFromPersonal = true };
            }
        }

        return trees;
    }

    // The amount is published on the publicity notice: a personal fact in it (decimal.Parse(IdNumber.Substring(6, 8)))
    // would publish the birth date. Direct references are what is checked; table keys are county codes, never personal.
    private static void CheckNoPersonalFacts(Expression tree, List<FactDefinition> facts, string path, Errors errors)
    {
        var referenced = ExpressionGate.ReferencedParameters(tree);
        foreach (var fact in facts.Where(f => f.Personal && referenced.Contains(f.Name)))
        {
            errors.Add(path, $"金额表达式不得引用个人信息事实 {fact.Name}（金额会在公示中公开）",
                $"the amount expression must not reference the personal fact {fact.Name} (amounts are published)");
        }

        // A computed fact built from one (Fn.BirthDate(IdNumber, AsOf).Year) would publish it as well; a tier looked up
        // by it publishes only the table's own (published) standard, so lookups are not tainted.
        foreach (var fact in facts.Where(f => !f.Personal && f.DerivedFromPersonal && referenced.Contains(f.Name)))
        {
            errors.Add(path, $"金额表达式不得引用由个人信息计算得出的事实 {fact.Name}（金额会在公示中公开；请改用以它分档的查表事实）",
                $"the amount expression must not reference {fact.Name}, which is computed from personal facts (amounts are published; use a tier lookup keyed on it)");
        }
    }

    // A fact called "Math" or "Fn" would be shadowed by the type of that name; make sure each name means the fact.
    private static void CheckFactNamesResolve(List<FactDefinition> facts, ParameterExpression[] parameters, Errors errors)
    {
        var parser = new RuleExpressionParser(HardenedSettings.Create());
        for (var i = 0; i < facts.Count; i++)
        {
            Expression? resolved;
            try
            {
                resolved = parser.Parse(facts[i].Name, parameters, null);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                resolved = null;
            }

            if (ReservedNames.Contains(facts[i].Name, StringComparer.Ordinal) || !ReferenceEquals(resolved, parameters[i]))
            {
                errors.Add($"facts[{i}].name", $"事实名 {facts[i].Name} 与表达式中的保留名称冲突，请换一个名称",
                    $"fact name {facts[i].Name} clashes with a reserved name in expressions; choose another");
            }
        }
    }

    private static void CheckKeys(JsonElement element, string path, string[] allowed, Errors errors)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                // Unknown keys are refused, not ignored: "actions" or "localParams" must never slip through to RulesEngine.
                errors.Add(Join(path, property.Name), $"未知字段 {property.Name}", $"unknown field {property.Name}");
            }
        }
    }

    private static string? RequiredString(JsonElement element, string path, string key, Errors errors)
    {
        if (!element.TryGetProperty(key, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors.Add(Join(path, key), $"缺少 {key}，或它不是非空字符串", $"{key} is missing or not a non-empty string");
            return null;
        }

        return value.GetString();
    }

    private static string? OptionalString(JsonElement element, string path, string key, Errors errors)
    {
        if (!element.TryGetProperty(key, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors.Add(Join(path, key), $"{key} 必须是非空字符串", $"{key} must be a non-empty string");
            return null;
        }

        return value.GetString();
    }

    private static int? RequiredInt(JsonElement element, string path, string key, int min, int max, Errors errors)
    {
        if (!element.TryGetProperty(key, out _))
        {
            errors.Add(Join(path, key), $"缺少 {key}", $"{key} is missing");
            return null;
        }

        return OptionalInt(element, path, key, min, max, errors);
    }

    private static int? OptionalInt(JsonElement element, string path, string key, int min, int max, Errors errors)
    {
        if (!element.TryGetProperty(key, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n) || n < min || n > max)
        {
            errors.Add(Join(path, key), $"{key} 必须是 {min} 到 {max} 之间的整数", $"{key} must be an integer from {min} to {max}");
            return null;
        }

        return n;
    }

    private static int IndexOf(JsonElement facts, string name)
    {
        var i = 0;
        foreach (var item in facts.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() == name)
            {
                return i;
            }

            i++;
        }

        return -1;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    [GeneratedRegex("^[a-z][a-z0-9-]{1,63}$")]
    private static partial Regex PolicyCodePattern();

    [GeneratedRegex("Unknown identifier '([^']*)'")]
    private static partial Regex UnknownIdentifierPattern();

    [GeneratedRegex("^[A-Z][A-Za-z0-9]{0,63}$")]
    private static partial Regex IdentifierPattern();

    private sealed class Errors(string source)
    {
        public List<RuleSetValidationError> List { get; } = [];

        public void Add(string path, string zh, string en) => List.Add(new RuleSetValidationError(source, path, zh, en));
    }
}

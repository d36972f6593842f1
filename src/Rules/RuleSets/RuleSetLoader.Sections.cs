using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;

namespace OneCard.Rules.RuleSets;

// The readers of each section of a rule set file; each adds located errors and returns null when unusable.
public static partial class RuleSetLoader
{
    private static LocalizedText? ReadName(JsonElement root, Errors errors)
    {
        if (!root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.Object)
        {
            errors.Add("name", "缺少 name，或它不是含 zh-CN 和 en 的对象", "name is missing or not an object with zh-CN and en");
            return null;
        }

        CheckKeys(name, "name", NameKeys, errors);
        var zh = RequiredString(name, "name", "zh-CN", errors);
        var en = RequiredString(name, "name", "en", errors);
        return zh is null || en is null ? null : new LocalizedText(zh, en);
    }

    private static List<FactDefinition>? ReadFacts(JsonElement root, Errors errors)
    {
        if (!root.TryGetProperty("facts", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            errors.Add("facts", "缺少 facts，或它不是非空数组", "facts is missing or not a non-empty array");
            return null;
        }

        var facts = new List<FactDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"facts[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path, "事实必须是对象", "a fact must be an object");
                continue;
            }

            CheckKeys(item, path, FactKeys, errors);
            var name = RequiredString(item, path, "name", errors);
            var typeText = RequiredString(item, path, "type", errors);
            if (name is not null && !IdentifierPattern().IsMatch(name))
            {
                errors.Add($"{path}.name", "事实名必须以大写字母开头，只含字母和数字，最长 64 个字符",
                    "a fact name must start with an uppercase letter and contain only letters and digits, at most 64");
                name = null;
            }
            else if (name is not null && !names.Add(name))
            {
                errors.Add($"{path}.name", $"事实名 {name} 重复", $"fact name {name} is declared twice");
                name = null;
            }

            FactType? type = typeText switch
            {
                "string" => FactType.String,
                "decimal" => FactType.Decimal,
                "int" => FactType.Int,
                "bool" => FactType.Bool,
                "date" => FactType.Date,
                null => null,
                _ => null,
            };
            if (typeText is not null && type is null)
            {
                errors.Add($"{path}.type", $"未知的事实类型 {typeText}（可用：string、decimal、int、bool、date）",
                    $"unknown fact type {typeText} (use string, decimal, int, bool or date)");
            }

            var table = OptionalString(item, path, "from", errors);
            var keys = OptionalKeys(item, path, errors);
            var keyLength = OptionalInt(item, path, "keyLength", 1, 12, errors);
            var match = OptionalMatch(item, path, errors);
            var compute = OptionalString(item, path, "compute", errors);
            if (table is null && (keys is not null || keyLength is not null || match is not null))
            {
                errors.Add(path, "key、keyLength 和 match 只能与 from 一起使用", "key, keyLength and match are only meaningful with from");
            }

            if (compute is not null && table is not null)
            {
                errors.Add($"{path}.compute", "一个事实不能既查表（from）又计算（compute）", "a fact cannot both be looked up (from) and computed (compute)");
                compute = null;
            }

            if (keys is { Count: > 1 } && keyLength is not null)
            {
                errors.Add($"{path}.keyLength", "keyLength 只能用于单个查表键", "keyLength applies to a single lookup key only");
                keyLength = null;
            }

            if (match is LookupMatch.Floor && (keys is { Count: > 1 } || keyLength is not null))
            {
                errors.Add($"{path}.match", "分档查表（match: floor）只能有一个数值查表键，且不能用 keyLength",
                    "a tier lookup (match: floor) has exactly one numeric key and no keyLength");
            }

            var source = ReadSource(item, path, type, table, compute, errors);
            var labelZh = OptionalString(item, path, "labelZh", errors);
            var minimum = OptionalBound(item, path, "minimum", type, table ?? compute, errors);
            var maximum = OptionalBound(item, path, "maximum", type, table ?? compute, errors);
            if (minimum is { } low && maximum is { } high && low > high)
            {
                errors.Add($"{path}.maximum", $"maximum（{high}）不能小于 minimum（{low}）", $"maximum ({high}) is below minimum ({low})");
            }

            var maxLength = OptionalInt(item, path, "maxLength", 1, FactDefinition.MaxLengthCeiling, errors);
            if (maxLength is not null && (type is not FactType.String || table is not null))
            {
                errors.Add($"{path}.maxLength", "maxLength 只能用于调用方提供或计算得出的 string 事实", "maxLength applies only to a supplied or computed string fact");
            }

            var personal = OptionalBool(item, path, "personal", errors);
            if (personal is not null && type is FactType.Decimal or FactType.Int)
            {
                // The publicity notice shows a line's first number as its quantity; an identifier must never be one.
                errors.Add($"{path}.personal", "个人信息事实不能是数值类型（请用 string）", "a personal fact cannot be numeric (use string)");
            }
            else if (personal is false && name is not null && FactDefinition.AlwaysPersonal.Contains(name))
            {
                errors.Add($"{path}.personal", $"{name} 始终是个人信息，不能声明为 false", $"{name} is always personal and cannot be declared otherwise");
            }

            if (name is not null && type is not null)
            {
                var fact = table is null
                    ? new FactDefinition(name, type.Value)
                    // A single RegionCode key (stated or by default) is cut to the county (6) unless keyLength says otherwise.
                    : new FactDefinition(name, type.Value, table, keys?[0] ?? "RegionCode",
                        keyLength ?? (match is not LookupMatch.Floor && (keys is null || keys is ["RegionCode"]) ? 6 : 0))
                    {
                        KeyFacts = keys ?? ["RegionCode"],
                        Match = match ?? LookupMatch.Exact,
                    };
                facts.Add(fact with
                {
                    LabelZh = labelZh, Minimum = minimum, Maximum = maximum, MaxLength = maxLength, Personal = personal ?? false, Compute = compute,
                    Source = source,
                });
            }
        }

        CheckLookupKeys(array, facts, errors);
        return facts;
    }

    // Key facts must exist, be of a key type, not be personal, and (unless supplied) be declared before the lookup, so
    // lookups and computed facts can be resolved in one pass in declared order.
    private static void CheckLookupKeys(JsonElement array, List<FactDefinition> facts, Errors errors)
    {
        for (var f = 0; f < facts.Count; f++)
        {
            var fact = facts[f];
            if (!fact.IsLookup)
            {
                continue;
            }

            var path = $"facts[{IndexOf(array, fact.Name)}]";
            foreach (var keyName in fact.KeyFacts)
            {
                var k = facts.FindIndex(x => x.Name == keyName);
                var keyFact = k < 0 ? null : facts[k];
                if (keyFact is null)
                {
                    errors.Add($"{path}.key", $"查表键 {keyName} 不是已声明的事实（已声明：{string.Join("、", facts.Select(x => x.Name))}）",
                        $"lookup key {keyName} is not a declared fact (declared: {string.Join(", ", facts.Select(x => x.Name))})");
                }
                else if (k == f)
                {
                    errors.Add($"{path}.key", $"事实 {fact.Name} 不能以自身为查表键", $"fact {fact.Name} cannot key its own lookup");
                }
                else if (fact.Match == LookupMatch.Floor && keyFact.Type is not (FactType.Int or FactType.Decimal))
                {
                    errors.Add($"{path}.match", $"分档查表的键 {keyName} 必须是 int 或 decimal 事实（实为 {keyFact.Type}）",
                        $"the key {keyName} of a tier lookup must be an int or decimal fact, not {keyFact.Type}");
                }
                else if (fact.Match == LookupMatch.Exact && keyFact.Type is not (FactType.String or FactType.Int or FactType.Bool or FactType.Date))
                {
                    errors.Add($"{path}.key", $"精确查表的键 {keyName} 必须是 string、int、bool 或 date 事实（decimal 请用 match: floor 分档）",
                        $"the key {keyName} of an exact lookup must be a string, int, bool or date fact (use match: floor for a decimal)");
                }
                else if (fact.KeyLength > 0 && keyFact.Type != FactType.String)
                {
                    errors.Add($"{path}.keyLength", $"keyLength 只能用于 string 类型的查表键（{keyName} 是 {keyFact.Type}）",
                        $"keyLength applies only to a string key ({keyName} is {keyFact.Type})");
                }
                else if (keyFact.Personal)
                {
                    errors.Add($"{path}.key", $"查表键 {keyName} 是个人信息事实，不能用作查表键", $"lookup key {keyName} is a personal fact and cannot key a table");
                }
                else if (!keyFact.IsSupplied && k > f)
                {
                    errors.Add($"{path}.key", $"查表键 {keyName} 是查表或计算得出的事实，须在 {fact.Name} 之前声明",
                        $"lookup key {keyName} is looked up or computed, so it must be declared before {fact.Name}");
                }
            }
        }
    }

    private static List<string>? OptionalKeys(JsonElement item, string path, Errors errors)
    {
        if (!item.TryGetProperty("key", out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
        {
            return [value.GetString()!];
        }

        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() is > 0 and <= MaxKeyFacts
            && value.EnumerateArray().All(k => k.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(k.GetString())))
        {
            var keys = value.EnumerateArray().Select(k => k.GetString()!).ToList();
            if (keys.Distinct(StringComparer.Ordinal).Count() == keys.Count)
            {
                return keys;
            }
        }

        errors.Add($"{path}.key", $"key 必须是事实名，或 1 到 {MaxKeyFacts} 个互不相同的事实名组成的数组",
            $"key must be a fact name or an array of 1 to {MaxKeyFacts} distinct fact names");
        return null;
    }

    private const int MaxKeyFacts = 4;

    private static LookupMatch? OptionalMatch(JsonElement item, string path, Errors errors)
    {
        var text = OptionalString(item, path, "match", errors);
        switch (text)
        {
            case null:
                return null;
            case "exact":
                return LookupMatch.Exact;
            case "floor":
                return LookupMatch.Floor;
            default:
                errors.Add($"{path}.match", $"未知的 match {text}（可用：exact 精确、floor 分档）", $"unknown match {text} (use exact or floor)");
                return null;
        }
    }

    /// <summary>The canonical key text of one key fact's value: how table keys are written.</summary>
    internal static string KeyText(object value) => value switch
    {
        string s => s,
        int n => n.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"No key text for {value.GetType().Name}."),
    };

    // Whether a table key (one part of a multi-key) is a value the key fact can take, so no entry is dead by typo.
    private static bool IsKeyPart(string part, FactType type) => type switch
    {
        FactType.String => part.Length > 0,
        FactType.Int => int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && KeyText(n) == part,
        FactType.Bool => part is "true" or "false",
        FactType.Date => DateOnly.TryParseExact(part, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        _ => false,
    };

    internal static decimal? FloorKey(string key) =>
        key.Length <= 30 && decimal.TryParse(key, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)
            ? d
            : null;

    private static Dictionary<string, IReadOnlyDictionary<string, object>>? ReadTables(
        JsonElement root, List<FactDefinition>? facts, Errors errors)
    {
        var tables = new Dictionary<string, IReadOnlyDictionary<string, object>>(StringComparer.Ordinal);
        var referenced = facts?.Where(f => f.IsLookup).ToList() ?? [];
        if (!root.TryGetProperty("tables", out var element))
        {
            foreach (var fact in referenced)
            {
                errors.Add("tables", $"事实 {fact.Name} 引用的表 {fact.Table} 不存在", $"table {fact.Table} referenced by fact {fact.Name} does not exist");
            }

            return referenced.Count == 0 ? tables : null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add("tables", "tables 必须是对象", "tables must be an object");
            return null;
        }

        foreach (var table in element.EnumerateObject())
        {
            var path = $"tables['{table.Name}']";
            var users = referenced.Where(f => f.Table == table.Name).ToList();
            if (users.Count == 0)
            {
                errors.Add(path, $"表 {table.Name} 未被任何事实引用", $"table {table.Name} is not used by any fact");
                continue;
            }

            if (table.Value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path, "表必须是“键: 值”对象", "a table must be an object of key: value");
                continue;
            }

            var fact = users[0];
            var keyTypes = KeyTypes(fact, facts!);
            if (users.Any(u => u.Type != fact.Type || u.Match != fact.Match || u.KeyLength != fact.KeyLength
                || !KeyTypes(u, facts!).SequenceEqual(keyTypes)))
            {
                errors.Add(path, "引用同一张表的事实，其类型、查表方式（match）和键必须相同", "facts using the same table must have the same type, match and keys");
                continue;
            }

            if (keyTypes.Contains(null))
            {
                continue; // the key fact itself is in error, reported at the fact
            }

            var entries = new Dictionary<string, object>(StringComparer.Ordinal);
            var bounds = new HashSet<decimal>();
            foreach (var entry in table.Value.EnumerateObject())
            {
                var entryPath = $"{path}['{entry.Name}']";
                if (fact.Match == LookupMatch.Floor)
                {
                    if (FloorKey(entry.Name) is { } bound && !bounds.Add(bound))
                    {
                        errors.Add(entryPath, $"分档表中档位 {bound} 重复", $"tier {bound} appears twice in the table");
                        continue;
                    }

                    if (FloorKey(entry.Name) is null)
                    {
                        errors.Add(entryPath, $"分档表的键必须是数字（档位下限，如 80），实为“{entry.Name}”",
                            $"a tier table's key must be a number (the tier's lower bound, e.g. 80), not \"{entry.Name}\"");
                        continue;
                    }
                }
                else if (fact.KeyLength > 0)
                {
                    if (fact.KeyLength != entry.Name.Length || !entry.Name.All(char.IsAsciiDigit))
                    {
                        errors.Add(entryPath, $"键必须是 {fact.KeyLength} 位数字（如县级区划代码）", $"a key must be {fact.KeyLength} digits (e.g. a county code)");
                        continue;
                    }
                }
                else
                {
                    var parts = entry.Name.Split('|');
                    var bad = parts.Length != keyTypes.Count
                        ? -1
                        : Enumerable.Range(0, parts.Length).FirstOrDefault(p => !IsKeyPart(parts[p], keyTypes[p]!.Value), parts.Length);
                    if (bad != parts.Length)
                    {
                        var shape = string.Join("|", fact.KeyFacts.Zip(keyTypes, (k, t) => $"{k}（{t}）"));
                        errors.Add(entryPath, bad < 0
                                ? $"键须由 {keyTypes.Count} 部分以“|”连接：{shape}"
                                : $"键的第 {bad + 1} 部分“{parts[bad]}”不是 {fact.KeyFacts[bad]} 可取的 {keyTypes[bad]} 值（键格式：{shape}）",
                            bad < 0
                                ? $"a key has {keyTypes.Count} parts joined by '|': {shape}"
                                : $"part {bad + 1} \"{parts[bad]}\" of the key is not a {keyTypes[bad]} value of {fact.KeyFacts[bad]} (key shape: {shape})");
                        continue;
                    }
                }

                var value = TableValue(entry.Value, fact.Type);
                if (value is null)
                {
                    errors.Add(entryPath, $"值必须是 {fact.Type} 类型", $"the value must be of type {fact.Type}");
                    continue;
                }

                entries[entry.Name] = value;
            }

            tables[table.Name] = new ReadOnlyDictionary<string, object>(entries);
        }

        foreach (var fact in referenced.Where(f => !element.TryGetProperty(f.Table!, out _)))
        {
            errors.Add("tables", $"事实 {fact.Name} 引用的表 {fact.Table} 不存在", $"table {fact.Table} referenced by fact {fact.Name} does not exist");
        }

        return tables;
    }

    // The types of a lookup's key facts, in key order; null for a key that names no fact (reported at the fact).
    private static List<FactType?> KeyTypes(FactDefinition lookup, List<FactDefinition> facts) =>
        [.. lookup.KeyFacts.Select(k => facts.FirstOrDefault(f => f.Name == k)?.Type)];

    private static object? TableValue(JsonElement value, FactType type) => type switch
    {
        FactType.Decimal when value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) => d,
        FactType.Int when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) => n,
        FactType.String when value.ValueKind == JsonValueKind.String => value.GetString(),
        FactType.Bool when value.ValueKind is JsonValueKind.True or JsonValueKind.False => value.GetBoolean(),
        FactType.Date when value.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) => date,
        _ => null,
    };

    private static List<EligibilityRule>? ReadEligibility(JsonElement root, Errors errors)
    {
        if (!root.TryGetProperty("eligibility", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            errors.Add("eligibility", "缺少 eligibility，或它不是非空数组", "eligibility is missing or not a non-empty array");
            return null;
        }

        var rules = new List<EligibilityRule>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"eligibility[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path, "规则必须是对象", "a rule must be an object");
                continue;
            }

            CheckKeys(item, path, RuleKeys, errors);
            var name = RequiredString(item, path, "name", errors);
            var expression = RequiredString(item, path, "expression", errors);
            var zh = RequiredString(item, path, "messageZh", errors);
            var en = RequiredString(item, path, "messageEn", errors);
            var labelZh = OptionalString(item, path, "labelZh", errors);
            var labelEn = OptionalString(item, path, "labelEn", errors);
            if ((labelZh is null) != (labelEn is null) && !(item.TryGetProperty("labelZh", out _) && item.TryGetProperty("labelEn", out _)))
            {
                var missing = labelZh is null ? "labelZh" : "labelEn";
                errors.Add($"{path}.{missing}", "labelZh（符合时的说明）与 labelEn 须同时给出", "labelZh and labelEn are given together");
            }

            if (name is not null && !IdentifierPattern().IsMatch(name))
            {
                errors.Add($"{path}.name", "规则名必须以大写字母开头，只含字母和数字", "a rule name must start with an uppercase letter and contain only letters and digits");
            }
            else if (name is not null && !names.Add(name))
            {
                errors.Add($"{path}.name", $"规则名 {name} 重复", $"rule name {name} is used twice");
            }

            rules.Add(new EligibilityRule(name ?? "", expression ?? "", zh ?? "", en ?? "") { LabelZh = labelZh, LabelEn = labelEn });
        }

        return rules;
    }

    private static AmountRule? ReadAmount(JsonElement root, Errors errors)
    {
        if (!root.TryGetProperty("amount", out var amount) || amount.ValueKind != JsonValueKind.Object)
        {
            errors.Add("amount", "缺少 amount 对象", "the amount object is missing");
            return null;
        }

        CheckKeys(amount, "amount", AmountKeys, errors);
        var expression = RequiredString(amount, "amount", "expression", errors);
        var rounding = RequiredString(amount, "amount", "rounding", errors);
        var decimals = RequiredInt(amount, "amount", "decimals", 0, 10, errors);
        if (rounding is not null && rounding != RoundingHalfAwayFromZero)
        {
            errors.Add("amount.rounding", $"舍入规则只能是 {RoundingHalfAwayFromZero}（四舍五入）", $"rounding must be {RoundingHalfAwayFromZero}");
        }

        if (decimals is not null && decimals != 2)
        {
            errors.Add("amount.decimals", "金额保留 2 位小数（到分）", "amounts have 2 decimals (分)");
        }

        decimal? ceiling = null;
        if (amount.TryGetProperty("ceiling", out var c))
        {
            if (c.ValueKind == JsonValueKind.Number && c.TryGetDecimal(out var value) && value > 0 && value <= MaxCeiling && decimal.Round(value, 2) == value)
            {
                ceiling = value;
            }
            else
            {
                errors.Add("amount.ceiling", $"ceiling 必须是大于 0、不超过 {MaxCeiling} 的金额（元，最多 2 位小数）",
                    $"ceiling must be an amount in yuan above 0 and at most {MaxCeiling}, with at most 2 decimals");
            }
        }

        return expression is null || rounding is null || decimals is null
            ? null
            : new AmountRule(expression, rounding, decimals.Value) { Ceiling = ceiling };
    }

    // Far above any per-line subsidy, far below what a numeric(18,2) column holds.
    private const decimal MaxCeiling = 100_000_000m;

    private static bool? OptionalBool(JsonElement item, string path, string key, Errors errors)
    {
        if (!item.TryGetProperty(key, out var value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors.Add($"{path}.{key}", $"{key} 必须是 true 或 false", $"{key} must be true or false");
        return null;
    }

    /// <summary>A plausibility bound (minimum or maximum) of a supplied decimal or int fact.</summary>
    private static decimal? OptionalBound(JsonElement item, string path, string key, FactType? type, string? table, Errors errors)
    {
        if (!item.TryGetProperty(key, out var bound)) return null;
        if (bound.ValueKind == JsonValueKind.Number && bound.TryGetDecimal(out var value) && type is FactType.Decimal or FactType.Int && table is null)
        {
            return value;
        }

        errors.Add($"{path}.{key}", $"{key} 只能用于调用方提供的 decimal 或 int 事实，且必须是数字",
            $"{key} applies only to a supplied decimal or int fact and must be a number");
        return null;
    }
}

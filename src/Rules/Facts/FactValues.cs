using System.Globalization;
using System.Text.Json;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Facts;

/// <summary>The result of parsing one raw fact value: the typed value, or a stable code and the reason (Chinese and
/// English). It carries no location; the caller (a roster line, an example, a form field) adds it.</summary>
public sealed record FactParseResult
{
    private FactParseResult(object? value, string? code, string? messageZh, string? messageEn)
    {
        Value = value;
        Code = code;
        MessageZh = messageZh;
        MessageEn = messageEn;
    }

    /// <summary>True when <see cref="Value"/> holds the parsed value.</summary>
    public bool IsValid => Code is null;

    /// <summary>The typed value (<see cref="string"/>, <see cref="decimal"/>, <see cref="int"/>, <see cref="bool"/> or
    /// <see cref="DateOnly"/>, as <see cref="FactDefinition.ClrType"/>), or null when invalid.</summary>
    public object? Value { get; }

    /// <summary>A stable code from <see cref="FactValueCodes"/> when invalid.</summary>
    public string? Code { get; }

    /// <summary>Why it is invalid, in Chinese, naming the fact by its label.</summary>
    public string? MessageZh { get; }

    /// <summary>Why it is invalid, in English.</summary>
    public string? MessageEn { get; }

    internal static FactParseResult Ok(object value) => new(value, null, null, null);

    internal static FactParseResult Fail(string code, string zh, string en) => new(null, code, zh, en);
}

/// <summary>Stable codes of why a raw fact value was refused.</summary>
public static class FactValueCodes
{
    /// <summary>Empty or absent.</summary>
    public const string FactMissing = "FactMissing";
    /// <summary>Not a number (or not an integer for an int fact).</summary>
    public const string FactNotNumber = "FactNotNumber";
    /// <summary>Contains a comma or thousands separator: "1,5" may mean 1.5 or 15.</summary>
    public const string FactAmbiguousNumber = "FactAmbiguousNumber";
    /// <summary>Beyond what can be stored (or beyond an int).</summary>
    public const string FactOutOfRange = "FactOutOfRange";
    /// <summary>Below the fact's declared minimum.</summary>
    public const string FactBelowMinimum = "FactBelowMinimum";
    /// <summary>Above the fact's declared maximum.</summary>
    public const string FactAboveMaximum = "FactAboveMaximum";
    /// <summary>Not 是/否 (or true/false, 1/0, Y/N).</summary>
    public const string FactNotYesNo = "FactNotYesNo";
    /// <summary>Not a date in an accepted form.</summary>
    public const string FactNotDate = "FactNotDate";
    /// <summary>A string longer than the fact's maximum length.</summary>
    public const string FactTooLong = "FactTooLong";
}

/// <summary>The one parser and formatter of fact values, for every <see cref="FactType"/>: import, examples, the
/// binder and display all use it, so a value means the same everywhere.</summary>
public static class FactValues
{
    /// <summary>
    /// Numbers at or above this are refused whatever a rule set declares: facts are stored as shown quantities
    /// (numeric(18,4)) and turn into amounts (numeric(18,2)); past it a save would overflow.
    /// </summary>
    public const decimal MaxStorableNumber = 1_000_000_000_000m;

    // The Excel serials accepted as a date: 61 (1900-03-01; serials below meet Excel's 1900 leap-year bug) to 99999
    // (2173-10-14): at most 5 digits, so an 8-digit yyyyMMdd is never read as a serial.
    private const int FirstExcelSerial = 61, LastExcelSerial = 99_999;
    private static readonly DateOnly ExcelEpoch = new(1899, 12, 30);
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-M-d", "yyyy/M/d", "yyyy/MM/dd", "yyyyMMdd", "yyyy.M.d"];

    /// <summary>The name users see for a fact: its Chinese label, else its name.</summary>
    public static string Label(FactDefinition fact)
    {
        ArgumentNullException.ThrowIfNull(fact);
        return fact.LabelZh ?? fact.Name;
    }

    /// <summary>Parses a raw (typed or imported) value of <paramref name="fact"/>; surrounding white space is ignored.</summary>
    /// <remarks>
    /// string: at most <see cref="FactDefinition.MaxLength"/> characters. decimal/int: digits, one decimal point (decimal
    /// only), an optional leading sign; full-width digits, point and sign are read as ASCII; a comma is refused as
    /// ambiguous; the declared minimum and maximum apply. bool: 是/否, true/false, 1/0, Y/N, yes/no. date: yyyy-MM-dd,
    /// yyyy/M/d, yyyyMMdd, or an Excel serial day number.
    /// </remarks>
    public static FactParseResult Parse(FactDefinition fact, string? raw)
    {
        ArgumentNullException.ThrowIfNull(fact);
        var label = Label(fact);
        var text = raw?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return FactParseResult.Fail(FactValueCodes.FactMissing, $"{label}不能为空", $"{fact.Name} is required.");
        }

        return fact.Type switch
        {
            FactType.String => text.Length > fact.MaxLength
                ? FactParseResult.Fail(FactValueCodes.FactTooLong, $"{label}超过{fact.MaxLength}个字符（实为{text.Length}个）",
                    $"{fact.Name} is longer than {fact.MaxLength} characters ({text.Length}).")
                : FactParseResult.Ok(text),
            FactType.Decimal or FactType.Int => ParseNumber(fact, label, text),
            FactType.Bool => ParseBool(text) is { } flag
                ? FactParseResult.Ok(flag)
                : FactParseResult.Fail(FactValueCodes.FactNotYesNo, $"{label}应填“是”或“否”，实为“{Echo(text)}”", $"{fact.Name} must be yes or no."),
            FactType.Date => ParseDate(text) is { } date
                ? FactParseResult.Ok(date)
                : FactParseResult.Fail(FactValueCodes.FactNotDate,
                    $"{label}“{Echo(text)}”不是有效日期（请写作 2026-06-30、2026/6/30 或 20260630）",
                    $"{fact.Name} '{Echo(text)}' is not a date (write 2026-06-30, 2026/6/30 or 20260630)."),
            _ => throw new ArgumentOutOfRangeException(nameof(fact), fact.Type, null),
        };
    }

    /// <summary>The display text of a fact value: 是/否, yyyy-MM-dd, invariant numbers, strings as they are; "" for null.
    /// A string given for a non-string fact (as stored rosters hold them) is parsed first and shown as it was when it
    /// does not parse.</summary>
    public static string Format(FactDefinition fact, object? value)
    {
        ArgumentNullException.ThrowIfNull(fact);
        return value switch
        {
            null => "",
            JsonElement e => Format(fact, FromJson(e)),
            bool b => b ? "是" : "否",
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t => DateOnly.FromDateTime(t).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            decimal n => n.ToString(CultureInfo.InvariantCulture),
            int n => n.ToString(CultureInfo.InvariantCulture),
            long n => n.ToString(CultureInfo.InvariantCulture),
            string s when fact.Type != FactType.String => Parse(fact, s) is { IsValid: true, Value: { } parsed } && parsed is not string
                ? Format(fact, parsed)
                : s,
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    // A stored fact as read back from JSON: numbers as decimal, true/false as bool, strings as text (parsed by Format).
    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when e.TryGetDecimal(out var d) => d,
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => e.GetRawText(),
    };

    private static FactParseResult ParseNumber(FactDefinition fact, string label, string raw)
    {
        var text = NormaliseWidth(raw);
        if (text.IndexOfAny([',', '，', '、', '\'']) >= 0)
        {
            return FactParseResult.Fail(FactValueCodes.FactAmbiguousNumber,
                $"{label}“{Echo(raw)}”含千位分隔符或逗号，请只用小数点（如 1.5 或 1500）",
                $"{fact.Name} '{Echo(raw)}' contains a thousands separator or comma; use a decimal point only.");
        }

        var isInt = fact.Type == FactType.Int;
        var style = isInt ? NumberStyles.AllowLeadingSign : NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
        if (text.Length > 40 || !decimal.TryParse(text, style, CultureInfo.InvariantCulture, out var number))
        {
            return FactParseResult.Fail(FactValueCodes.FactNotNumber, $"{label}“{Echo(raw)}”不是有效{(isInt ? "整数" : "数字")}",
                $"{fact.Name} '{Echo(raw)}' is not a number.");
        }

        var limit = isInt ? int.MaxValue : MaxStorableNumber;
        if (Math.Abs(number) >= limit)
        {
            return FactParseResult.Fail(FactValueCodes.FactOutOfRange, $"{label}“{Echo(raw)}”超出可处理的范围（须小于{limit:0}）",
                $"{fact.Name} '{Echo(raw)}' is out of range.");
        }

        if (fact.Minimum is { } min && number < min)
        {
            return FactParseResult.Fail(FactValueCodes.FactBelowMinimum, $"{label}不能小于{min}（实为{Echo(raw)}）", $"{fact.Name} must be at least {min}.");
        }

        if (fact.Maximum is { } max && number > max)
        {
            return FactParseResult.Fail(FactValueCodes.FactAboveMaximum, $"{label}不能大于{max}（实为{Echo(raw)}），请核实", $"{fact.Name} must be at most {max}.");
        }

        return FactParseResult.Ok(isInt ? (object)(int)number : number);
    }

    private static bool? ParseBool(string raw) => raw.ToLowerInvariant() switch
    {
        "是" or "true" or "1" or "y" or "yes" => true,
        "否" or "false" or "0" or "n" or "no" => false,
        _ => null,
    };

    private static DateOnly? ParseDate(string raw)
    {
        var text = NormaliseWidth(raw);
        if (text.Length > 10)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        // An Excel serial day number (what a date cell becomes when a sheet is read without its format).
        return text.Length <= 5 && text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var serial)
            && serial is >= FirstExcelSerial and <= LastExcelSerial
            ? ExcelEpoch.AddDays(serial)
            : null;
    }

    /// <summary>Full-width digits, point, minus, plus and slash (as typed with a Chinese input method) as ASCII.</summary>
    private static string NormaliseWidth(string raw)
    {
        if (!raw.Any(c => c is >= '\uFF01' and <= '\uFF5E'))
        {
            return raw;
        }

        return new string([.. raw.Select(c => c is (>= '\uFF10' and <= '\uFF19') or '\uFF0E' or '\uFF0D' or '\uFF0B' or '\uFF0F' ? (char)(c - 0xFEE0) : c)]);
    }

    /// <summary>A value as shown back in a message: at most 24 characters, control characters as '?'.</summary>
    internal static string Echo(string value, int max = 24)
    {
        var shown = value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");
        return shown.Any(char.IsControl) ? new string([.. shown.Select(c => char.IsControl(c) ? '?' : c)]) : shown;
    }
}

using System.Text;
using System.Text.RegularExpressions;

namespace OneCard.Domain.Privacy;

/// <summary>Masks personal data for screens, publicity lists and exports (脱敏), server-side, before anything leaves the API.</summary>
/// <remarks>Every method returns an empty string for null or blank input and never throws for odd input.</remarks>
public static partial class Masking
{
    private const char Star = '*';

    // Only surnames whose first character is rare on its own. A false match shows one character of the given name;
    // a miss only masks more, so the list errs short.
    private static readonly HashSet<string> CompoundSurnames = new(StringComparer.Ordinal)
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
        "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "万俟", "闻人", "澹台", "公冶", "太史", "申屠", "呼延",
        "钟离", "宗政", "濮阳", "淳于", "单于", "司空", "赫连", "拓跋", "鲜于", "东郭", "闾丘", "亓官", "公羊",
    };

    /// <summary>Surname plus a single star whatever the length: "张三丰"→"张*", "欧阳修"→"欧阳*"; a one-character name → "*".</summary>
    /// <remarks>A compound surname counts only in names of three or more characters ("欧阳" alone → "欧*").
    /// Names are split by Unicode scalar, so rare characters outside the BMP are never cut in half.</remarks>
    public static string Name(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return string.Empty;
        }

        var runes = name.Trim().EnumerateRunes().ToList();
        if (runes.Count <= 1)
        {
            return Star.ToString();
        }

        var firstTwo = string.Concat(runes[0].ToString(), runes[1].ToString());
        var kept = runes.Count >= 3 && CompoundSurnames.Contains(firstTwo) ? firstTwo : runes[0].ToString();
        return kept + Star;
    }

    /// <summary>First 2 + stars + last 3, same length: "11010519491231002X" → "11*************02X".</summary>
    /// <remarks>Input shorter than 8 characters is not an ID number; it becomes all stars rather than mostly shown.</remarks>
    public static string IdNumber(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return string.Empty;
        }

        var value = id.Trim();
        return value.Length < 8
            ? new string(Star, value.Length)
            : string.Concat(value.AsSpan(0, 2), new string(Star, value.Length - 5), value.AsSpan(value.Length - 3));
    }

    /// <summary>"****" + the last 4 digits, whitespace ignored: "6222 0212 3456 7890" → "****7890". Hides the length.</summary>
    public static string BankAccount(string? acct)
    {
        var value = WithoutWhitespace(acct);
        if (value.Length == 0)
        {
            return string.Empty;
        }

        return value.Length <= 4 ? "****" : string.Concat("****", value.AsSpan(value.Length - 4));
    }

    /// <summary>A mobile number keeps 3 + 4: "13812341234" → "138****1234". Shorter numbers keep only the last 4.</summary>
    /// <remarks>Whitespace and hyphens are dropped first. Input under 7 characters becomes all stars.</remarks>
    public static string Phone(string? phone)
    {
        var value = WithoutWhitespace(phone).Replace("-", string.Empty, StringComparison.Ordinal);
        if (value.Length == 0)
        {
            return string.Empty;
        }

        if (value.Length < 7)
        {
            return new string(Star, value.Length);
        }

        return value.Length >= 11
            ? string.Concat(value.AsSpan(0, 3), new string(Star, value.Length - 7), value.AsSpan(value.Length - 4))
            : string.Concat(new string(Star, value.Length - 4), value.AsSpan(value.Length - 4));
    }

    /// <summary>True when the text holds an 18-character ID-shaped run with no masking, e.g. a leak on a public page or export.</summary>
    /// <remarks>"ID-shaped": a province code, a birth date from 18xx–20xx with a plausible month and day, and a final digit or X,
    /// not inside a longer run of digits. The checksum is not required: a mistyped ID is still personal data.</remarks>
    public static bool ContainsUnmaskedIdNumber(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return UnmaskedIdNumber().IsMatch(text);
    }

    private static string WithoutWhitespace(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var buffer = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (!char.IsWhiteSpace(c))
            {
                buffer.Append(c);
            }
        }

        return buffer.ToString();
    }

    // [0-9], not \d: \d also matches full-width and other Unicode digits.
    [GeneratedRegex(
        @"(?<![0-9])(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9Xx])",
        RegexOptions.CultureInvariant)]
    private static partial Regex UnmaskedIdNumber();
}

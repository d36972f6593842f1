using System.Globalization;
using OneCard.Domain.Validation;

namespace OneCard.Domain.Identity;

/// <summary>Checks GB 11643-1999 18-character resident ID numbers (公民身份号码).</summary>
public static class IdNumber
{
    public const int Length = 18;

    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    // Remainder 0..10 → check character. A published bug swapped 7 and 8 ("10X97865432"); tests guard that.
    private const string CheckCharacters = "10X98765432";

    private static readonly DateOnly EarliestBirthDate = new(1900, 1, 1);

    // GB/T 2260 province-level codes; 81/82 are Hong Kong/Macao (residence permits use the same layout).
    private static readonly HashSet<int> ProvinceCodes =
    [
        11, 12, 13, 14, 15,
        21, 22, 23,
        31, 32, 33, 34, 35, 36, 37,
        41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54,
        61, 62, 63, 64, 65,
        71, 81, 82,
    ];

    /// <summary>Checks one ID number. Validation results are data: this never throws for bad input.</summary>
    /// <param name="raw">The number as typed or imported. All whitespace is removed and a lowercase x becomes X.</param>
    /// <param name="today">The date the birth date must not be after; the caller owns the clock.</param>
    /// <param name="isKnownAreaCode">Optional lookup of 6-digit GB/T 2260 codes, current and historical.
    /// Codes change yearly and old IDs keep old codes, so an unknown code is only a warning.</param>
    /// <param name="field">The field name to put into each <see cref="FieldIssue"/>.</param>
    public static IdNumberCheck Check(string? raw, DateOnly today, Func<string, bool>? isKnownAreaCode = null, string field = "idNumber")
    {
        var errors = new List<FieldIssue>();
        var warnings = new List<FieldIssue>();

        if (string.IsNullOrWhiteSpace(raw))
        {
            errors.Add(new FieldIssue(field, IssueCodes.IdEmpty, "身份证号不能为空", "The ID number is required"));
            return Invalid(errors, warnings);
        }

        var id = Normalize(raw);

        var charsetError = FindCharsetError(id, field);
        if (charsetError is not null)
        {
            errors.Add(charsetError);
        }

        if (id.Length != Length)
        {
            errors.Add(id.Length == 15 && IsAsciiDigits(id)
                ? new FieldIssue(field, IssueCodes.IdLength,
                    "15位旧身份证号不再受理，请使用18位身份证号",
                    "Old 15-digit ID numbers are not accepted; use the 18-character number")
                : new FieldIssue(field, IssueCodes.IdLength,
                    $"身份证号应为18位，实为{id.Length}位",
                    $"The ID number must have 18 characters, not {id.Length}"));
        }

        // Without the right length and charset the positions mean nothing; stop here.
        if (errors.Count > 0)
        {
            return Invalid(errors, warnings);
        }

        var province = ((id[0] - '0') * 10) + (id[1] - '0');
        if (!ProvinceCodes.Contains(province))
        {
            errors.Add(new FieldIssue(field, IssueCodes.IdProvince,
                $"身份证号前两位“{id[..2]}”不是省级行政区划代码",
                $"The first two digits \"{id[..2]}\" are not a province code"));
        }

        var birthDigits = id.AsSpan(6, 8);
        if (!DateOnly.TryParseExact(birthDigits, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birthDate))
        {
            errors.Add(new FieldIssue(field, IssueCodes.IdBirthDateInvalid,
                $"身份证号中的出生日期“{birthDigits}”不是有效日期",
                $"The birth date \"{birthDigits}\" in the ID number is not a real date"));
        }
        else if (birthDate < EarliestBirthDate)
        {
            errors.Add(new FieldIssue(field, IssueCodes.IdBirthDateInvalid,
                $"身份证号中的出生日期“{birthDigits}”早于1900年1月1日",
                $"The birth date \"{birthDigits}\" in the ID number is before 1900-01-01"));
        }
        else if (birthDate > today)
        {
            errors.Add(new FieldIssue(field, IssueCodes.IdBirthDateInFuture,
                $"身份证号中的出生日期“{birthDigits}”晚于今天",
                $"The birth date \"{birthDigits}\" in the ID number is in the future"));
        }

        var expected = CheckCharacter(id.AsSpan(0, 17));
        var actual = id[17];
        if (actual != expected)
        {
            // The typo is as likely in another digit as in the last one: do not invite "fixing" only the check character.
            errors.Add(new FieldIssue(field, IssueCodes.IdChecksum,
                $"身份证号校验位错误：应为 {expected}，实为 {actual}，请核对整个号码",
                $"Wrong check character: expected {expected}, found {actual}; check the whole number"));
        }

        var areaCode = id[..6];
        if (isKnownAreaCode is not null && !isKnownAreaCode(areaCode))
        {
            warnings.Add(new FieldIssue(field, IssueCodes.IdAreaCodeUnknown,
                $"行政区划代码“{areaCode}”不在区划代码表中（可能已撤销或新设），请核实",
                $"Area code \"{areaCode}\" is not in the region code list (it may be retired or new); please verify"));
        }

        if (errors.Count > 0)
        {
            return Invalid(errors, warnings);
        }

        var gender = (id[16] - '0') % 2 == 1 ? Gender.Male : Gender.Female;
        return new IdNumberCheck(true, id, birthDate, gender, areaCode, [], warnings);
    }

    /// <summary>The ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number.</summary>
    /// <exception cref="ArgumentException">The input is not exactly 17 ASCII digits.</exception>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17 || !IsAsciiDigits(first17))
        {
            throw new ArgumentException("Expected exactly 17 ASCII digits.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    // Lowercase x is normalized to X rather than rejected: it is common in spreadsheets and unambiguous.
    // Whitespace anywhere (spreadsheet padding, "110105 1949...") is removed for the same reason.
    private static string Normalize(string raw)
    {
        var buffer = new System.Text.StringBuilder(raw.Length);
        foreach (var c in raw)
        {
            if (!char.IsWhiteSpace(c))
            {
                buffer.Append(c == 'x' ? 'X' : c);
            }
        }

        return buffer.ToString();
    }

    private static FieldIssue? FindCharsetError(string id, string field)
    {
        // Full-width digits and Ｘ/ｘ come from Chinese input methods; say so, or the user sees "digits" and is puzzled.
        if (id.Any(c => c is (>= '０' and <= '９') or 'Ｘ' or 'ｘ'))
        {
            return new FieldIssue(field, IssueCodes.IdCharset,
                "身份证号含全角字符，请改为半角数字和X",
                "The ID number contains full-width characters; use half-width digits and X");
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            var allowed = char.IsAsciiDigit(c) || (c == 'X' && i == id.Length - 1);
            if (!allowed)
            {
                return new FieldIssue(field, IssueCodes.IdCharset,
                    $"身份证号含非法字符“{c}”：只能是17位数字加末位数字或X",
                    $"The ID number contains an invalid character \"{c}\": it must be 17 digits followed by a digit or X");
            }
        }

        return null;
    }

    private static bool IsAsciiDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static IdNumberCheck Invalid(List<FieldIssue> errors, List<FieldIssue> warnings) =>
        new(false, null, null, null, null, errors, warnings);
}

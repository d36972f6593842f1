using OneCard.Domain.Identity;
using OneCard.Domain.Validation;

namespace OneCard.Domain.Tests.Identity;

public class IdNumberTests
{
    private static readonly DateOnly Today = new(2026, 6, 1);

    private static string WithCheck(string first17) => first17 + IdNumber.CheckCharacter(first17);

    // Hand-checked against the GB 11643 table outside this code base; they cover remainders 0–10.
    [Theory]
    [InlineData("11010519491231002X", "1949-12-31", Gender.Female)] // published example: Σ=167, 167 mod 11 = 2 → X
    [InlineData("810000199909091111", "1999-09-09", Gender.Male)]   // remainder 0 → 1
    [InlineData("210102198001010010", "1980-01-01", Gender.Male)]   // remainder 1 → 0
    [InlineData("21010219800101007X", "1980-01-01", Gender.Male)]   // remainder 2 → X
    [InlineData("650101196001010009", "1960-01-01", Gender.Female)] // remainder 3 → 9
    [InlineData("440304198507073218", "1985-07-07", Gender.Male)]   // remainder 4 → 8 (the bad table says 7)
    [InlineData("210102198001010037", "1980-01-01", Gender.Male)]   // remainder 5 → 7 (the bad table says 8)
    [InlineData("210102198001010096", "1980-01-01", Gender.Male)]   // remainder 6 → 6
    [InlineData("210102198001010045", "1980-01-01", Gender.Female)] // remainder 7 → 5
    [InlineData("210102198001010184", "1980-01-01", Gender.Female)] // remainder 8 → 4
    [InlineData("210102198001010053", "1980-01-01", Gender.Male)]   // remainder 9 → 3
    [InlineData("210102198001010002", "1980-01-01", Gender.Female)] // remainder 10 → 2
    [InlineData("211402200002294569", "2000-02-29", Gender.Female)] // 2000 is a leap year
    [InlineData("210202199003151239", "1990-03-15", Gender.Male)]
    [InlineData("211282197511207896", "1975-11-20", Gender.Male)]
    public void Check_AcceptsId_WhenHandCheckedNumberIsValid(string id, string birthDate, Gender gender)
    {
        var result = IdNumber.Check(id, Today);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => e.MessageZh)));
        Assert.Empty(result.Errors);
        Assert.Equal(id, result.Normalized);
        Assert.Equal(DateOnly.Parse(birthDate, System.Globalization.CultureInfo.InvariantCulture), result.BirthDate);
        Assert.Equal(gender, result.Gender);
        Assert.Equal(id[..6], result.AreaCode);
    }

    public static TheoryData<string> EveryProvince()
    {
        var data = new TheoryData<string>();
        foreach (var code in new[] { 11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82 })
        {
            data.Add($"{code}0102195507150{code % 10}3");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryProvince))]
    [InlineData("21010219000101001")] // earliest allowed birth date
    [InlineData("21010220260601001")] // born today
    public void Check_AcceptsId_WhenCheckCharacterIsComputed(string first17)
    {
        var result = IdNumber.Check(WithCheck(first17), Today);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => e.MessageZh)));
    }

    [Theory]
    [InlineData("11010519491231002X", 'X')]
    [InlineData("440304198507073218", '8')]
    [InlineData("210102198001010037", '7')]
    public void CheckCharacter_MatchesPublishedTable(string id, char expected) =>
        Assert.Equal(expected, IdNumber.CheckCharacter(id.AsSpan(0, 17)));

    [Fact]
    public void CheckCharacter_DiffersFromKnownBadTable_WhereTheTablesDisagree()
    {
        // whinc/whinc.github.io#6 used "10X97865432": remainders 4 and 5 swap 8 and 7.
        const string bad = "10X97865432";
        Assert.Equal('7', bad[4]);
        Assert.Equal('8', IdNumber.CheckCharacter("44030419850707321")); // Σ=301, remainder 4
        Assert.Equal('8', bad[5]);
        Assert.Equal('7', IdNumber.CheckCharacter("21010219800101003")); // Σ=115, remainder 5
    }

    [Theory]
    [InlineData("440304198507073217")] // remainder 4, check character from the bad table
    [InlineData("210102198001010038")] // remainder 5, check character from the bad table
    [InlineData("110105194912310021")]
    [InlineData("110105194912310020")]
    [InlineData("21010219800101001X")]
    [InlineData("11010519491231012X")] // one digit mistyped elsewhere
    public void Check_RejectsId_WhenChecksumIsWrong(string id)
    {
        var result = IdNumber.Check(id, Today);

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal(IssueCodes.IdChecksum, error.Code);
        Assert.Null(result.Normalized);
        Assert.Null(result.BirthDate);
        Assert.Null(result.Gender);
    }

    [Fact]
    public void Check_SaysExpectedAndActualCheckCharacter_WhenChecksumIsWrong()
    {
        var error = Assert.Single(IdNumber.Check("110105194912310025", Today, field: "身份证号").Errors);

        Assert.Equal("身份证号", error.Field);
        Assert.StartsWith("身份证号校验位错误：应为 X，实为 5", error.MessageZh, StringComparison.Ordinal);
        Assert.Contains("expected X, found 5", error.MessageEn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("11010519491231002x")]
    [InlineData(" 11010519491231002X ")]
    [InlineData("110105 19491231 002x")]
    [InlineData("11010519491231002X\t")]
    public void Check_NormalizesId_WhenLowercaseXOrWhitespace(string raw)
    {
        var result = IdNumber.Check(raw, Today);

        Assert.True(result.IsValid);
        Assert.Equal("11010519491231002X", result.Normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Check_RejectsId_WhenEmpty(string? raw)
    {
        var result = IdNumber.Check(raw, Today);

        Assert.False(result.IsValid);
        Assert.Equal(IssueCodes.IdEmpty, Assert.Single(result.Errors).Code);
    }

    [Theory]
    [InlineData("11010519491231002")]
    [InlineData("1101051949123100211")]
    [InlineData("1")]
    public void Check_RejectsId_WhenLengthIsNot18(string raw)
    {
        var error = Assert.Single(IdNumber.Check(raw, Today).Errors);

        Assert.Equal(IssueCodes.IdLength, error.Code);
        Assert.Contains($"实为{raw.Length}位", error.MessageZh, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RejectsOld15DigitId_WithMessageSayingSo()
    {
        var error = Assert.Single(IdNumber.Check("110105491231002", Today).Errors);

        Assert.Equal(IssueCodes.IdLength, error.Code);
        Assert.Contains("15位", error.MessageZh, StringComparison.Ordinal);
        Assert.Contains("15-digit", error.MessageEn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("11010519491231002A")]
    [InlineData("1101051949123100X2")] // X only allowed last
    [InlineData("11010519491231-02X")]
    [InlineData("I1010519491231002X")]
    [InlineData("11010519491231002Y")]
    public void Check_RejectsId_WhenItHasNonDigits(string raw)
    {
        var result = IdNumber.Check(raw, Today);

        Assert.False(result.IsValid);
        Assert.Equal(IssueCodes.IdCharset, Assert.Single(result.Errors).Code);
    }

    [Theory]
    [InlineData("１１０１０５１９４９１２３１００２Ｘ")]
    [InlineData("11010519491231002Ｘ")]
    [InlineData("1101051949123１002X")]
    public void Check_RejectsId_WhenItHasFullWidthCharacters(string raw)
    {
        var result = IdNumber.Check(raw, Today);

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal(IssueCodes.IdCharset, error.Code);
        Assert.Contains("全角", error.MessageZh, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("99010219800101001")]
    [InlineData("00010219800101001")]
    [InlineData("10010219800101001")]
    [InlineData("20010219800101001")]
    [InlineData("72010219800101001")]
    [InlineData("83010219800101001")]
    [InlineData("47010219800101001")]
    public void Check_RejectsId_WhenProvinceCodeIsNotAProvince(string first17)
    {
        var result = IdNumber.Check(WithCheck(first17), Today);

        Assert.False(result.IsValid);
        Assert.Equal(IssueCodes.IdProvince, Assert.Single(result.Errors).Code);
    }

    [Theory]
    [InlineData("21010219800230001")] // 30 February
    [InlineData("21010220260229001")] // 2026 is not a leap year
    [InlineData("21010219000229001")] // 1900 is not a leap year either
    [InlineData("21010219801301001")] // month 13
    [InlineData("21010219800100001")] // day 00
    [InlineData("21010219800431001")] // 31 April
    [InlineData("21010200000101001")] // year 0
    [InlineData("21010218991231001")] // before 1900-01-01
    public void Check_RejectsId_WhenBirthDateIsNotAcceptable(string first17)
    {
        var result = IdNumber.Check(WithCheck(first17), Today);

        Assert.False(result.IsValid);
        Assert.Equal(IssueCodes.IdBirthDateInvalid, Assert.Single(result.Errors).Code);
    }

    [Theory]
    [InlineData("21010220260602001")] // tomorrow
    [InlineData("21010220300101001")]
    public void Check_RejectsId_WhenBirthDateIsAfterToday(string first17)
    {
        var result = IdNumber.Check(WithCheck(first17), Today);

        Assert.False(result.IsValid);
        Assert.Equal(IssueCodes.IdBirthDateInFuture, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void Check_UsesTheTodayItIsGiven_NotTheSystemClock()
    {
        var id = WithCheck("21010220260602001");

        Assert.True(IdNumber.Check(id, new DateOnly(2026, 6, 2)).IsValid);
        Assert.False(IdNumber.Check(id, new DateOnly(2026, 6, 1)).IsValid);
    }

    [Fact]
    public void Check_ReportsEveryHardError_WhenSeveralPartsAreWrong()
    {
        // Province 99, 30 February and a wrong check character.
        var codes = IdNumber.Check("990102198002300010", Today).Errors.Select(e => e.Code).ToList();

        Assert.Contains(IssueCodes.IdProvince, codes);
        Assert.Contains(IssueCodes.IdBirthDateInvalid, codes);
        Assert.Contains(IssueCodes.IdChecksum, codes);
    }

    [Fact]
    public void Check_AcceptsIdWithWarning_WhenAreaCodeIsUnknown()
    {
        var result = IdNumber.Check("11010519491231002X", Today, code => code == "210102");

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(IssueCodes.IdAreaCodeUnknown, warning.Code);
        Assert.Contains("110105", warning.MessageZh, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_GivesNoWarning_WhenAreaCodeIsKnown()
    {
        string? asked = null;
        var result = IdNumber.Check("11010519491231002X", Today, code => (asked = code) == "110105");

        Assert.True(result.IsValid);
        Assert.Empty(result.Warnings);
        Assert.Equal("110105", asked);
    }

    [Fact]
    public void Check_GivesNoWarning_WhenNoAreaCodeLookupIsGiven() =>
        Assert.Empty(IdNumber.Check("11010519491231002X", Today).Warnings);

    [Theory]
    [InlineData("")]
    [InlineData("1101051949123100")]
    [InlineData("110105194912310021")]
    [InlineData("1101051949123100X")]
    [InlineData("１１０１０５１９４９１２３１００")]
    public void CheckCharacter_Throws_WhenInputIsNot17AsciiDigits(string input) =>
        Assert.Throws<ArgumentException>(() => IdNumber.CheckCharacter(input));
}

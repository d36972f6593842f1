using OneCard.Domain.Banking;
using OneCard.Domain.Validation;

namespace OneCard.Domain.Tests.Banking;

public class BankAccountTests
{
    [Theory]
    [InlineData("622202123452")]        // 12 digits, the shortest allowed
    [InlineData("6222021234567894")]
    [InlineData("4111111111111111")]
    [InlineData("6228480402564890018")] // 19 digits, the longest allowed
    public void Check_AcceptsAccount_WhenDigitsPassLuhn(string raw)
    {
        var result = BankAccount.Check(raw);

        Assert.True(result.IsValid);
        Assert.Equal(raw, result.Normalized);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
    }

    [Theory]
    [InlineData("1900015080001234")] // 一折通 passbook shape
    [InlineData("6222021234567890")]
    [InlineData("62170000100012345")] // 17 digits
    public void Check_AcceptsAccountWithWarning_WhenLuhnFails(string raw)
    {
        var result = BankAccount.Check(raw, "银行账号");

        Assert.True(result.IsValid);
        Assert.Equal(raw, result.Normalized);
        Assert.Empty(result.Errors);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(IssueCodes.BankAccountLuhn, warning.Code);
        Assert.Equal("银行账号", warning.Field);
    }

    [Theory]
    [InlineData("6222 0212 3456 7894")]
    [InlineData(" 6222021234567894\t")]
    [InlineData("6222\u00A00212\u30003456 7894")] // no-break and ideographic spaces from spreadsheets
    public void Check_StripsSpaces_WhenAccountIsFormatted(string raw)
    {
        var result = BankAccount.Check(raw);

        Assert.True(result.IsValid);
        Assert.Equal("6222021234567894", result.Normalized);
    }

    [Theory]
    [InlineData("62220212345678AB")]
    [InlineData("6222-0212-3456-7894")]
    [InlineData("6222O21234567894")] // letter O for zero
    public void Check_RejectsAccount_WhenItHasLetters(string raw)
    {
        var result = BankAccount.Check(raw);

        Assert.False(result.IsValid);
        Assert.Null(result.Normalized);
        Assert.Contains(result.Errors, e => e.Code == IssueCodes.BankAccountCharset);
    }

    [Fact]
    public void Check_RejectsAccount_WhenItHasFullWidthDigits()
    {
        var error = Assert.Single(BankAccount.Check("６２２２０２１２３４５６７８９４").Errors);

        Assert.Equal(IssueCodes.BankAccountCharset, error.Code);
        Assert.Contains("全角", error.MessageZh, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("79927398713")]          // 11 digits, passes Luhn
    [InlineData("62220212345678901234")] // 20 digits
    [InlineData("1234")]
    public void Check_RejectsAccount_WhenLengthIsOutside12To19(string raw)
    {
        var result = BankAccount.Check(raw);

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal(IssueCodes.BankAccountLength, error.Code);
        Assert.Empty(result.Warnings);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Check_RejectsAccount_WhenEmpty(string? raw)
    {
        var result = BankAccount.Check(raw);

        Assert.False(result.IsValid);
        Assert.Equal(IssueCodes.BankAccountEmpty, Assert.Single(result.Errors).Code);
    }

    [Theory]
    [InlineData("79927398713", true)]
    [InlineData("79927398710", false)]
    [InlineData("4111111111111111", true)]
    [InlineData("4111111111111112", false)]
    [InlineData("0", true)]
    [InlineData("", false)]
    [InlineData("79927a98713", false)]
    public void PassesLuhn_ReturnsExpected(string digits, bool expected) =>
        Assert.Equal(expected, BankAccount.PassesLuhn(digits));
}

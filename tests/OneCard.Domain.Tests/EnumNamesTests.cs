using OneCard.Domain.Payments;

namespace OneCard.Domain.Tests;

/// <summary>An enum read from a user's or a file's text by member name only (<see cref="EnumNames"/>).</summary>
public sealed class EnumNamesTests
{
    [Theory]
    [InlineData("Paid", ResultMeaning.Paid)]
    [InlineData(" Failed ", ResultMeaning.Failed)]
    [InlineData("Refuse", ResultMeaning.Refuse)]
    public void AMembersName_IsRead(string text, ResultMeaning expected)
    {
        Assert.True(EnumNames.TryParse<ResultMeaning>(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("9")]
    [InlineData("-1")]
    [InlineData("Paid, Failed")]
    [InlineData("paid")]
    [InlineData("")]
    [InlineData(null)]
    public void ANumber_AList_AnotherCase_OrNothing_IsNot(string? text)
    {
        // Enum.TryParse accepts the first four: "9" as a value no member has.
        Assert.False(EnumNames.TryParse<ResultMeaning>(text, out _));
    }

    [Fact]
    public void IgnoringCase_ReadsAnyCaseOfAName_ButStillNoNumber()
    {
        Assert.True(EnumNames.TryParse<ResultMeaning>("pAiD", out var value, ignoreCase: true));
        Assert.Equal(ResultMeaning.Paid, value);
        Assert.False(EnumNames.TryParse<ResultMeaning>("1", out _, ignoreCase: true));
    }
}

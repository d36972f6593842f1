using System.Globalization;
using OneCard.Domain.Money;

namespace OneCard.Domain.Tests.Money;

public class YuanTests
{
    // Strings because attributes cannot hold decimals.
    [Theory]
    [InlineData("0.005", "0.01")]
    [InlineData("-0.005", "-0.01")]
    [InlineData("2.675", "2.68")]
    [InlineData("-2.675", "-2.68")]
    [InlineData("0.025", "0.03")]   // banker's rounding would give 0.02
    [InlineData("2.665", "2.67")]   // banker's rounding would give 2.66
    [InlineData("1.234", "1.23")]
    [InlineData("1.2349999", "1.23")]
    [InlineData("0.004", "0.00")]
    [InlineData("1860", "1860")]
    [InlineData("79228162514264337593543950.335", "79228162514264337593543950.34")]
    public void Round_RoundsHalfAwayFromZeroToFen(string amount, string expected) =>
        Assert.Equal(
            decimal.Parse(expected, CultureInfo.InvariantCulture),
            Yuan.Round(decimal.Parse(amount, CultureInfo.InvariantCulture)));

    [Fact]
    public void Round_KeepsAtMostTwoDecimalPlaces() =>
        Assert.Equal(2, Yuan.Round(10.0051m).Scale);
}

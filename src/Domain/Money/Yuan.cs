namespace OneCard.Domain.Money;

/// <summary>Amounts of money in yuan (元), held as <see cref="decimal"/> with two places (分).</summary>
public static class Yuan
{
    /// <summary>The one rounding rule: to 分 (2 places), half away from zero (四舍五入).</summary>
    /// <remarks>Not banker's rounding (the <see cref="Math.Round(decimal, int)"/> default): 2.675 becomes 2.68, -0.005 becomes -0.01.</remarks>
    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);
}

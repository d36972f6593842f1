namespace OneCard.Specs.Support;

/// <summary>The Chinese words the features use for values the API returns in English.</summary>
public static class Words
{
    /// <summary>Who acts, as a feature names them before the user name ("审核人 reviewer").</summary>
    public const string Who = @"(?:经办人|审核人|核查员|财政|监管) ?";

    private static readonly Dictionary<string, string> Outcomes = new(StringComparer.Ordinal)
    {
        ["符合"] = "Eligible",
        ["不符合"] = "Ineligible",
        ["规则故障"] = "Faulted",
        ["已驳回"] = "Rejected",
        ["已下指令"] = "Instructed",
        ["已发放"] = "Paid",
        ["退票"] = "Failed",
    };

    public static string Outcome(string zh) =>
        Outcomes.TryGetValue(zh, out var en) ? en : throw new ArgumentException($"Unknown line outcome '{zh}'.", nameof(zh));

    /// <summary>"1、3、5" → [1, 3, 5].</summary>
    public static int[] LineNos(string list) =>
        [.. list.Split('、', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse)];

    /// <summary>A local time in Beijing.</summary>
    public static DateTimeOffset Beijing(int year, int month, int day, int hour, int minute) =>
        new(year, month, day, hour, minute, 0, TimeSpan.FromHours(8));
}

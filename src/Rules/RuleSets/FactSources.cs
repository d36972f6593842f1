using OneCard.Domain.Registry;

namespace OneCard.Rules.RuleSets;

/// <summary>
/// The registry sources a fact may declare (<c>"source"</c>): its value is not a roster column but read by the host from the
/// household registry (<c>household.*</c>) or from the line's cross-check hits (<c>crossCheck.&lt;Kind&gt;</c>) before the line is
/// evaluated. Each source has one fact type; the loader refuses another.
/// </summary>
public static class FactSources
{
    /// <summary>户人口数: how many members the claimant's household has (int).</summary>
    public const string HouseholdMemberCount = "household.memberCount";

    /// <summary>是否户主: whether the claimant is the head of their household (bool).</summary>
    public const string HouseholdIsHead = "household.isHead";

    /// <summary>16 周岁以下成员数: members younger than 16 on the line's <c>AsOf</c> day (int).</summary>
    public const string HouseholdMembersUnder16 = "household.membersUnder16";

    /// <summary>60 周岁及以上成员数: members aged 60 or more on the line's <c>AsOf</c> day (int).</summary>
    public const string HouseholdMembersAged60Plus = "household.membersAged60Plus";

    /// <summary>The prefix of a cross-check's result: <c>crossCheck.Deceased</c> is true when the line has a hit of that check.</summary>
    public const string CrossCheckPrefix = "crossCheck.";

    private static readonly (string Source, FactType Type, string Zh)[] Household =
    [
        (HouseholdMemberCount, FactType.Int, "家庭户底册 户人口数"),
        (HouseholdIsHead, FactType.Bool, "家庭户底册 是否户主"),
        (HouseholdMembersUnder16, FactType.Int, "家庭户底册 16周岁以下成员数"),
        (HouseholdMembersAged60Plus, FactType.Int, "家庭户底册 60周岁及以上成员数"),
    ];

    /// <summary>Every source name the loader accepts, for its message.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. Household.Select(h => h.Source), .. Enum.GetNames<CrossCheckKind>().Select(k => CrossCheckPrefix + k)];

    /// <summary>The fact type a source gives, or null for an unknown source.</summary>
    public static FactType? TypeOf(string source) =>
        Household.FirstOrDefault(h => h.Source == source) is { Source: not null } h ? h.Type
        : CrossCheckOf(source) is not null ? FactType.Bool
        : null;

    /// <summary>True for a <c>household.*</c> source.</summary>
    public static bool IsHousehold(string? source) => source is not null && Household.Any(h => h.Source == source);

    /// <summary>The check of a <c>crossCheck.&lt;Kind&gt;</c> source, or null.</summary>
    public static CrossCheckKind? CrossCheckOf(string? source) =>
        source is not null && source.StartsWith(CrossCheckPrefix, StringComparison.Ordinal)
        && Enum.GetNames<CrossCheckKind>().Contains(source[CrossCheckPrefix.Length..], StringComparer.Ordinal)
            ? Enum.Parse<CrossCheckKind>(source[CrossCheckPrefix.Length..])
            : null;

    /// <summary>How policy staff read the source: “家庭户底册 户人口数”, “大数据比对 死亡”.</summary>
    public static string Zh(string source) =>
        Household.FirstOrDefault(h => h.Source == source) is { Source: not null } h ? h.Zh
        : CrossCheckOf(source) is { } kind ? "大数据比对 " + CheckZh(kind) + "（有疑点为是）"
        : source;

    /// <summary>The check's name as reviewers and policy staff read it.</summary>
    public static string CheckZh(CrossCheckKind check) => check switch
    {
        CrossCheckKind.Deceased => "死亡",
        CrossCheckKind.NotResident => "非本地户籍",
        CrossCheckKind.ClaimedElsewhere => "重复享受",
        CrossCheckKind.StateFunded => "财政供养人员",
        CrossCheckKind.ExclusivePolicy => "政策互斥",
        CrossCheckKind.AccountHolderMismatch => "账户非本人",
        _ => check.ToString(),
    };
}

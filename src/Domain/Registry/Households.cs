namespace OneCard.Domain.Registry;

/// <summary>How a member is related to the head of the household (与户主关系), as the household register writes it.</summary>
public enum HouseholdRelation
{
    /// <summary>户主: the head; each household has exactly one.</summary>
    Head,
    /// <summary>配偶.</summary>
    Spouse,
    /// <summary>子女.</summary>
    Child,
    /// <summary>父母.</summary>
    Parent,
    /// <summary>孙子女.</summary>
    Grandchild,
    /// <summary>兄弟姐妹.</summary>
    Sibling,
    /// <summary>其他.</summary>
    Other,
}

/// <summary>
/// A household (家庭户) of the registry: its number (户号, unique per county), the township or village it belongs to, and its head.
/// Policies paid to the household read their members from here (the member count, whether a claimant is the head).
/// </summary>
public sealed class Household
{
    public Guid Id { get; init; }
    /// <summary>户号 as the township writes it; unique within <see cref="CountyCode"/>.</summary>
    public required string Number { get; init; }
    /// <summary>The county (6 digits) the number is unique in.</summary>
    public required string CountyCode { get; init; }
    /// <summary>The township (9 digits) whose clerk keeps the household; every scope filter reads it.</summary>
    public required string TownshipCode { get; set; }
    /// <summary>The township or village (12 digits) the household belongs to (所属区划).</summary>
    public required string RegionCode { get; set; }
    /// <summary>The head's beneficiary (户主).</summary>
    public Guid HeadBeneficiaryId { get; set; }
    public int MemberCount { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One member of a household: a person of the registry (a <c>Beneficiary</c>) and their relation to the head. A person
/// belongs to at most one household.</summary>
public sealed class HouseholdMember
{
    public Guid Id { get; init; }
    public Guid HouseholdId { get; init; }
    /// <summary>The member's beneficiary; unique over all households.</summary>
    public Guid BeneficiaryId { get; init; }
    public HouseholdRelation Relation { get; set; }
    /// <summary>The household's township, copied for the scope filter.</summary>
    public required string TownshipCode { get; set; }
}

/// <summary>The relations' Chinese names as files and pages write them.</summary>
public static class HouseholdRelations
{
    private static readonly (HouseholdRelation Relation, string Zh)[] Names =
    [
        (HouseholdRelation.Head, "户主"), (HouseholdRelation.Spouse, "配偶"), (HouseholdRelation.Child, "子女"), (HouseholdRelation.Parent, "父母"),
        (HouseholdRelation.Grandchild, "孙子女"), (HouseholdRelation.Sibling, "兄弟姐妹"), (HouseholdRelation.Other, "其他"),
    ];

    /// <summary>All names, in order, joined for a message.</summary>
    public static string AllZh => string.Join("、", Names.Select(n => n.Zh));

    public static string Zh(HouseholdRelation relation) => Names.First(n => n.Relation == relation).Zh;

    /// <summary>The relation a cell names (Chinese, or the English enum name), or null.</summary>
    public static HouseholdRelation? Parse(string? text)
    {
        var t = text?.Trim() ?? "";
        foreach (var (relation, zh) in Names)
            if (t == zh || string.Equals(t, relation.ToString(), StringComparison.OrdinalIgnoreCase)) return relation;
        return null;
    }
}

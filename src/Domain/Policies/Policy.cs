namespace OneCard.Domain.Policies;

/// <summary>Whether a policy pays a person (到人) or a household (到户).</summary>
public enum PolicyTarget { Person, Household }

/// <summary>The level of government whose list introduced a policy (省级、市级、县级).</summary>
public enum PolicyLevel { Province, City, County }

/// <summary>One subsidy programme on the policy list, owned by a business department.</summary>
public sealed class Policy
{
    public Guid Id { get; init; }
    public required string Code { get; init; }
    public required string NameZh { get; set; }
    public required string NameEn { get; set; }
    public required string DepartmentCode { get; set; }
    public PolicyTarget Target { get; set; }
    public required string Basis { get; set; }
    public required string Frequency { get; set; }
    /// <summary>The workflow definition new applications of this policy start under (latest version).</summary>
    public required string WorkflowDefinitionId { get; set; }
    /// <summary>The level of the list that introduced the policy: a province item, or a city's or county's local item.</summary>
    public PolicyLevel Level { get; set; } = PolicyLevel.Province;
    /// <summary>The region whose list introduced the policy (210000 for the province list).</summary>
    public string RegionCode { get; set; } = "210000";
}

/// <summary>A business department (主管部门) at some level, e.g. a county's 农业农村局.</summary>
public sealed class Department
{
    public required string Code { get; init; }
    public required string NameZh { get; set; }
    public required string NameEn { get; set; }
}

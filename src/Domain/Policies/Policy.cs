namespace OneCard.Domain.Policies;

/// <summary>Whether a policy pays a person (到人) or a household (到户).</summary>
public enum PolicyTarget { Person, Household }

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
}

/// <summary>A business department (主管部门) at some level, e.g. a county's 农业农村局.</summary>
public sealed class Department
{
    public required string Code { get; init; }
    public required string NameZh { get; set; }
    public required string NameEn { get; set; }
}

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

/// <summary>A rule set file as published: kept verbatim so that a pinned case can always be re-read.</summary>
public sealed class RuleSetRecord
{
    public required string VersionKey { get; init; }
    public required string PolicyCode { get; init; }
    public int Version { get; init; }
    public required string Sha256 { get; init; }
    public required string Json { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>A workflow definition file as published, kept verbatim for the cases pinned to it.</summary>
public sealed class WorkflowDefinitionRecord
{
    public required string VersionKey { get; init; }
    public required string DefinitionId { get; init; }
    public int Version { get; init; }
    public required string Sha256 { get; init; }
    public required string Json { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
}

namespace OneCard.Domain.Policies;

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

namespace OneCard.Workflows;

/// <summary>What a fired action did: from where to where, when, the new step's deadline and the effects the host must now run.</summary>
/// <param name="FromStep">The step the case was in.</param>
/// <param name="Action">The action fired.</param>
/// <param name="ToStep">The step the case is now in; the host stores it.</param>
/// <param name="At">When it happened (the runner's <see cref="TimeProvider"/>), in UTC.</param>
/// <param name="Deadline">The deadline of <paramref name="ToStep"/> counted from <paramref name="At"/>, or null when it has no time limit.</param>
/// <param name="OnEnter">Effects of <paramref name="ToStep"/> the host must run, in order (e.g. "DrawSample").</param>
/// <param name="IsFinal">True when <paramref name="ToStep"/> is terminal.</param>
/// <param name="Guard">The guard that held for the chosen row, or null; for the audit record.</param>
/// <param name="VersionKey">The definition version applied, e.g. "standard-subsidy@1"; for the audit record.</param>
/// <param name="ActorUserId">Who fired it; for the audit record.</param>
/// <param name="Comment">The actor's comment, trimmed, or null when blank.</param>
public sealed record TransitionResult(
    string FromStep,
    string Action,
    string ToStep,
    DateTimeOffset At,
    StepDeadline? Deadline,
    IReadOnlyList<string> OnEnter,
    bool IsFinal,
    string? Guard,
    string VersionKey,
    string ActorUserId,
    string? Comment);

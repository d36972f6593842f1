namespace OneCard.Workflows;

/// <summary>One step of a workflow definition: who works it, in how long, and what the host does on entering it.</summary>
/// <param name="Name">Stable identifier (PascalCase), stored on the case.</param>
/// <param name="Kind">What moves the step on.</param>
/// <param name="Role">The role whose inbox holds the task (required for <see cref="StepKind.Human"/>), else null.</param>
/// <param name="TimeLimit">The time allowed in the step, counted from entering it; null for none.</param>
/// <param name="RemindBefore">How long before the deadline to remind, in the same unit; null for no reminder.</param>
/// <param name="TitleZh">Display title, Chinese.</param>
/// <param name="TitleEn">Display title, English.</param>
/// <param name="OnEnter">Effects the host runs on entering the step (e.g. "DrawSample"), in order.</param>
/// <param name="LineActions">Per-claim-line actions allowed while the case is in this step (e.g. "RejectLines").</param>
/// <param name="Parameters">Step settings for the host's effects (e.g. sampleShare = "0.1"), as invariant-culture strings.</param>
/// <param name="SeparateFrom">Separation of duties (职责分离): steps whose actors on the same case may not take this step, because
/// they prepared what it checks; <see cref="WorkflowDefinition.Submission"/> names the case's submission. Empty for none.</param>
/// <param name="Escalate">When and to whom an overdue task of this Human step, or a case still waiting in this System step, escalates; null for never.</param>
/// <param name="Branches">For a <see cref="StepKind.Parallel"/> step: the Human steps whose tasks open together; empty otherwise.</param>
/// <param name="AllowsLineCorrections">Whoever may act on this Human step may also correct the case's lines here (更正明细: edit a
/// line's facts or replace lines from a new roster file); false where the definition does not say so.</param>
public sealed record StepDefinition(
    string Name,
    StepKind Kind,
    string? Role,
    TimeLimit? TimeLimit,
    TimeLimit? RemindBefore,
    string TitleZh,
    string TitleEn,
    IReadOnlyList<string> OnEnter,
    IReadOnlyList<string> LineActions,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<string> SeparateFrom,
    Escalation? Escalate = null,
    IReadOnlyList<string>? Branches = null,
    bool AllowsLineCorrections = false)
{
    /// <summary>The branch steps of a <see cref="StepKind.Parallel"/> step (empty for any other kind).</summary>
    public IReadOnlyList<string> Branches { get; init; } = Branches ?? [];

    /// <summary>True for a terminal step.</summary>
    public bool IsFinal => Kind == StepKind.Final;
}

namespace OneCard.Workflows;

/// <summary>What moves a step on: a person, a timer, the system, or nothing (a terminal step).</summary>
public enum StepKind
{
    /// <summary>A task in the inbox of the step's role; has a time limit in which a person must act.</summary>
    Human,

    /// <summary>Waits for its time limit; when it ends the host fires the step's one system action (e.g. end of 公示).</summary>
    Timer,

    /// <summary>Work done by the platform (e.g. payment); the host fires a system action when the work is done.</summary>
    System,

    /// <summary>
    /// Opens one task per <see cref="StepDefinition.Branches"/> step at once (会签); a branch's action whose target is this step
    /// completes that branch, and when every branch is done the host fires this step's system action (the join).
    /// </summary>
    Parallel,

    /// <summary>A terminal step: no action leaves it.</summary>
    Final,
}

namespace OneCard.Workflows;

/// <summary>Stable codes of <see cref="WorkflowException"/>, for problem details.</summary>
public static class WorkflowErrorCodes
{
    /// <summary>The current step has no such action (or is final).</summary>
    public const string TransitionNotAllowed = nameof(TransitionNotAllowed);

    /// <summary>The action exists but the actor lacks its role (or it is system-only).</summary>
    public const string RoleNotPermitted = nameof(RoleNotPermitted);

    /// <summary>Separation of duties: the actor acted in a step this step must be separate from (e.g. submitted the roster it reviews).</summary>
    public const string SeparationOfDuties = nameof(SeparationOfDuties);

    /// <summary>The action's guard(s) are not met now; <see cref="WorkflowException.UnmetGuards"/> names them.</summary>
    public const string GuardFailed = nameof(GuardFailed);

    /// <summary>More than one guarded row of the action holds at once: the host's guards contradict each other.</summary>
    public const string GuardsAmbiguous = nameof(GuardsAmbiguous);

    /// <summary>The action needs a non-blank comment.</summary>
    public const string CommentRequired = nameof(CommentRequired);

    /// <summary>The step name is not in the definition (e.g. a case stored under another version).</summary>
    public const string UnknownStep = nameof(UnknownStep);

    /// <summary>No definition with that id (and version) in the catalog.</summary>
    public const string DefinitionNotFound = nameof(DefinitionNotFound);
}

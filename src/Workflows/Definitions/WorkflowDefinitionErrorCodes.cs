namespace OneCard.Workflows;

/// <summary>Stable codes of <see cref="WorkflowDefinitionError"/>.</summary>
public static class WorkflowDefinitionErrorCodes
{
    /// <summary>Not well-formed JSON, or too large.</summary>
    public const string InvalidJson = nameof(InvalidJson);

    /// <summary>A required property is missing.</summary>
    public const string MissingProperty = nameof(MissingProperty);

    /// <summary>A property the format does not know (often a misspelling).</summary>
    public const string UnknownProperty = nameof(UnknownProperty);

    /// <summary>A value of the wrong type or form.</summary>
    public const string InvalidValue = nameof(InvalidValue);

    /// <summary>A step kind other than Human, Timer, System, Final.</summary>
    public const string UnknownKind = nameof(UnknownKind);

    /// <summary>A time unit other than WorkingDays, CalendarDays.</summary>
    public const string UnknownUnit = nameof(UnknownUnit);

    /// <summary>Two steps with the same name.</summary>
    public const string DuplicateStep = nameof(DuplicateStep);

    /// <summary>A step name (initial step, transition from/to, separateFrom entry) that no step has.</summary>
    public const string UnknownStep = nameof(UnknownStep);

    /// <summary>The same action twice from one step without distinct guards on every row.</summary>
    public const string AmbiguousAction = nameof(AmbiguousAction);

    /// <summary>A Human step without a role.</summary>
    public const string MissingRole = nameof(MissingRole);

    /// <summary>The role "System", which is reserved for <see cref="Actor.System"/>.</summary>
    public const string ReservedRole = nameof(ReservedRole);

    /// <summary>A Human or Timer step without a time limit.</summary>
    public const string MissingTimeLimit = nameof(MissingTimeLimit);

    /// <summary>A time limit below 1, a reminder not shorter than its limit or in another unit, or a limit on a Final step.</summary>
    public const string InvalidTimeLimit = nameof(InvalidTimeLimit);

    /// <summary>A step no path from the initial step reaches.</summary>
    public const string UnreachableStep = nameof(UnreachableStep);

    /// <summary>A step from which no Final step can be reached (a dead end or a closed loop).</summary>
    public const string NoFinalReachable = nameof(NoFinalReachable);

    /// <summary>A transition leaving a Final step, or an initial step that is Final.</summary>
    public const string InvalidFinalStep = nameof(InvalidFinalStep);

    /// <summary>A Human step whose own role has no action to leave it.</summary>
    public const string NoActionForRole = nameof(NoActionForRole);

    /// <summary>A Timer step without exactly one system action name to fire when its time is up.</summary>
    public const string InvalidTimerAction = nameof(InvalidTimerAction);

    /// <summary>Two files define the same definition id and version, or a file name does not match its content.</summary>
    public const string DuplicateVersion = nameof(DuplicateVersion);

    /// <summary>An escalation on a step that is not Human or has no time limit, or to a role no user can hold.</summary>
    public const string InvalidEscalation = nameof(InvalidEscalation);

    /// <summary>A Parallel step or one of its branches breaks the parallel rules (branch not a Human step, shared, entered from elsewhere…).</summary>
    public const string InvalidParallel = nameof(InvalidParallel);
}

namespace OneCard.Workflows;

/// <summary>Where an escalated task goes, relative to the task's own region.</summary>
public enum EscalationLevel
{
    /// <summary>The task's own region.</summary>
    Same,

    /// <summary>The next region level up: township → county → city → province.</summary>
    Up,
}

/// <summary>
/// A step's escalation (上报): once a Human step's task, or a case waiting in a System step (a bank's results), has been
/// overdue for <paramref name="After"/> (the grace period, counted from the due time in the step's unit), it is raised to
/// <paramref name="ToRole"/> at <paramref name="ToLevel"/>.
/// </summary>
/// <param name="After">The grace period after the due time.</param>
/// <param name="ToRole">The role the task escalates to, one of <see cref="KnownRoles"/>.</param>
/// <param name="ToLevel">The region level of the people it escalates to.</param>
public sealed record Escalation(TimeLimit After, string ToRole, EscalationLevel ToLevel)
{
    /// <summary>
    /// The roles an escalation may name: the staff and supervisor roles a user can hold (the host's <c>Roles.Human</c> minus
    /// the administrator, who takes no step). Kept here because the workflow model does not depend on the domain; a host
    /// test keeps the two lists in step.
    /// </summary>
    public static readonly IReadOnlySet<string> KnownRoles =
        new HashSet<string>(["TownshipClerk", "CountyReviewer", "Inspector", "FinanceReviewer", "Supervisor", "PolicyOfficer"], StringComparer.Ordinal);
}

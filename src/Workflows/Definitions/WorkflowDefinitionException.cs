namespace OneCard.Workflows;

/// <summary>Thrown when a workflow definition fails validation; <see cref="Errors"/> says where and why.</summary>
public sealed class WorkflowDefinitionException : Exception
{
    /// <summary>Creates the exception from the located errors (at least one).</summary>
    public WorkflowDefinitionException(IReadOnlyList<WorkflowDefinitionError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Always "WorkflowDefinitionInvalid".</summary>
    public string Code => "WorkflowDefinitionInvalid";

    /// <summary>Every problem found, in document order.</summary>
    public IReadOnlyList<WorkflowDefinitionError> Errors { get; }

    private static string Describe(IReadOnlyList<WorkflowDefinitionError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var shown = string.Join(Environment.NewLine, errors.Take(20).Select(e => "  " + e));
        var more = errors.Count > 20 ? $"{Environment.NewLine}  … and {errors.Count - 20} more" : "";
        return $"Workflow definition invalid ({errors.Count} error(s)):{Environment.NewLine}{shown}{more}";
    }
}

namespace OneCard.Workflows;

/// <summary>A workflow rule refused an operation; <see cref="Code"/> is one of <see cref="WorkflowErrorCodes"/>.</summary>
public sealed class WorkflowException : Exception
{
    /// <summary>Creates the exception with a stable code and an English message for logs.</summary>
    public WorkflowException(string code, string message, IReadOnlyList<string>? unmetGuards = null)
        : base(message)
    {
        Code = code;
        UnmetGuards = unmetGuards ?? [];
    }

    /// <summary>Stable code from <see cref="WorkflowErrorCodes"/>.</summary>
    public string Code { get; }

    /// <summary>For <see cref="WorkflowErrorCodes.GuardFailed"/>: the guards that did not hold; otherwise empty.</summary>
    public IReadOnlyList<string> UnmetGuards { get; }
}

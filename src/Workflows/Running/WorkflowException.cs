namespace OneCard.Workflows;

/// <summary>A workflow rule refused an operation; <see cref="Code"/> is one of <see cref="WorkflowErrorCodes"/>.</summary>
public sealed class WorkflowException : Exception
{
    /// <summary>Creates the exception with a stable code and an English message for logs.</summary>
    public WorkflowException(string code, string message, IReadOnlyList<string>? unmetGuards = null, string? messageZh = null)
        : base(message)
    {
        Code = code;
        UnmetGuards = unmetGuards ?? [];
        MessageZh = messageZh;
    }

    /// <summary>Stable code from <see cref="WorkflowErrorCodes"/>.</summary>
    public string Code { get; }

    /// <summary>For <see cref="WorkflowErrorCodes.GuardFailed"/>: the guards that did not hold; otherwise empty.</summary>
    public IReadOnlyList<string> UnmetGuards { get; }

    /// <summary>A Chinese message naming the case's particulars where the code alone says too little
    /// (e.g. which earlier step the actor took for <see cref="WorkflowErrorCodes.SeparationOfDuties"/>); otherwise null.</summary>
    public string? MessageZh { get; }
}

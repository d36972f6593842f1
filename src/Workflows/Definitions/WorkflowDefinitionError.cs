namespace OneCard.Workflows;

/// <summary>One located problem in a workflow definition: which file, where in it (JSON path), and what, in Chinese and English.</summary>
/// <param name="Source">Where the JSON came from (a file path or a name given by the caller).</param>
/// <param name="Path">JSON path of the offending element, e.g. <c>$.transitions[3].to</c>.</param>
/// <param name="Code">Stable code, one of <see cref="WorkflowDefinitionErrorCodes"/>.</param>
/// <param name="MessageZh">The problem, in Chinese.</param>
/// <param name="MessageEn">The problem, in English.</param>
public sealed record WorkflowDefinitionError(string Source, string Path, string Code, string MessageZh, string MessageEn)
{
    /// <inheritdoc />
    public override string ToString() => $"{Source} {Path}: [{Code}] {MessageEn}";
}

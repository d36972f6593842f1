namespace OneCard.Workflows;

/// <summary>A definition as read, before validation; a field is null where the JSON was missing or invalid.</summary>
internal sealed class DefinitionDraft
{
    public string? DefinitionId { get; init; }
    public int? Version { get; init; }
    public string? TitleZh { get; init; }
    public string? TitleEn { get; init; }
    public string? InitialStep { get; init; }
    public List<StepDraft> Steps { get; } = [];
    public List<TransitionDraft> Transitions { get; } = [];

    /// <summary>Builds the definition; call only when validation found no error, so every field is set.</summary>
    public WorkflowDefinition Build(string json)
    {
        var steps = Steps.Select(s => new StepDefinition(
            s.Name!, s.Kind!.Value, s.Role, s.TimeLimit, s.RemindBefore, s.TitleZh!, s.TitleEn!,
            s.OnEnter.AsReadOnly(), s.LineActions.AsReadOnly(), s.Parameters.AsReadOnly(), s.SeparateFrom.AsReadOnly(), s.Escalate, s.Branches.AsReadOnly(), s.AllowsLineCorrections)).ToList();
        var transitions = Transitions.Select(t => new TransitionDefinition(
            t.From!, t.Action!, t.To!, t.Role, t.Guard, t.CommentRequired)).ToList();
        return new WorkflowDefinition(
            DefinitionId!, Version!.Value, TitleZh!, TitleEn!, InitialStep!, steps.AsReadOnly(), transitions.AsReadOnly(), json);
    }
}

/// <summary>A step as read; see <see cref="DefinitionDraft"/>.</summary>
internal sealed class StepDraft
{
    public required int Index { get; init; }
    public required string Path { get; init; }
    public string? Name { get; set; }
    public StepKind? Kind { get; set; }
    public string? Role { get; set; }
    public TimeLimit? TimeLimit { get; set; }
    public TimeLimit? RemindBefore { get; set; }
    public string? TitleZh { get; set; }
    public string? TitleEn { get; set; }
    public List<string> OnEnter { get; set; } = [];
    public List<string> LineActions { get; set; } = [];
    public Dictionary<string, string> Parameters { get; set; } = [];
    public List<string> SeparateFrom { get; set; } = [];
    public Escalation? Escalate { get; set; }
    public List<string> Branches { get; set; } = [];
    public bool AllowsLineCorrections { get; set; }
}

/// <summary>A transition as read; see <see cref="DefinitionDraft"/>.</summary>
internal sealed class TransitionDraft
{
    public required int Index { get; init; }
    public required string Path { get; init; }
    public string? From { get; set; }
    public string? Action { get; set; }
    public string? To { get; set; }
    public string? Role { get; set; }
    public string? Guard { get; set; }
    public bool CommentRequired { get; set; }
}

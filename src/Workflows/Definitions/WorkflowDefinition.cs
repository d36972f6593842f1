using System.Security.Cryptography;
using System.Text;

namespace OneCard.Workflows;

/// <summary>A validated, versioned workflow (流程定义): its steps and its transition table, as loaded from JSON.</summary>
/// <remarks>Only <see cref="WorkflowDefinitionLoader"/> creates one, so every instance has passed validation.</remarks>
public sealed class WorkflowDefinition
{
    /// <summary>The reserved name a <see cref="StepDefinition.SeparateFrom"/> list uses for the case's submission (its start event).</summary>
    public const string Submission = "Submit";

    private readonly Dictionary<string, StepDefinition> _steps;

    internal WorkflowDefinition(
        string definitionId,
        int version,
        string titleZh,
        string titleEn,
        string initialStep,
        IReadOnlyList<StepDefinition> steps,
        IReadOnlyList<TransitionDefinition> transitions,
        string json)
    {
        DefinitionId = definitionId;
        Version = version;
        TitleZh = titleZh;
        TitleEn = titleEn;
        InitialStep = initialStep;
        Steps = steps;
        Transitions = transitions;
        Json = json;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json.ReplaceLineEndings("\n"))));
        _steps = steps.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _parallelOf = steps.SelectMany(p => p.Branches.Select(b => (b, p.Name))).ToDictionary(x => x.b, x => x.Name, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, string> _parallelOf;

    /// <summary>The <see cref="StepKind.Parallel"/> step whose branch <paramref name="step"/> is, or null when it is no branch.</summary>
    public string? ParallelOf(string step) => _parallelOf.GetValueOrDefault(step);

    /// <summary>
    /// Whether <paramref name="result"/> only completes a branch of a Parallel step (its target is the branch's Parallel
    /// step): the case stays in the Parallel step and only that branch's task closes.
    /// </summary>
    public bool CompletesBranch(TransitionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return ParallelOf(result.FromStep) == result.ToStep;
    }

    /// <summary>Stable id of the process (kebab-case), e.g. "standard-subsidy".</summary>
    public string DefinitionId { get; }

    /// <summary>Version number, 1 or more; a case pins the version it started under.</summary>
    public int Version { get; }

    /// <summary>"{DefinitionId}@{Version}", e.g. "standard-subsidy@1": the key a case stores.</summary>
    public string VersionKey => $"{DefinitionId}@{Version}";

    /// <summary>Display title, Chinese.</summary>
    public string TitleZh { get; }

    /// <summary>Display title, English.</summary>
    public string TitleEn { get; }

    /// <summary>The step a new case starts in.</summary>
    public string InitialStep { get; }

    /// <summary>All steps, in file order.</summary>
    public IReadOnlyList<StepDefinition> Steps { get; }

    /// <summary>The whole transition table, in file order.</summary>
    public IReadOnlyList<TransitionDefinition> Transitions { get; }

    /// <summary>The JSON text the definition was loaded from, unchanged.</summary>
    public string Json { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Json"/> as UTF-8 with line endings normalised to LF (so a Windows checkout hashes the same).</summary>
    public string Sha256 { get; }

    /// <summary>The step named <paramref name="name"/>.</summary>
    /// <exception cref="WorkflowException">Code <see cref="WorkflowErrorCodes.UnknownStep"/> when there is none.</exception>
    public StepDefinition Step(string name) =>
        FindStep(name) ?? throw new WorkflowException(
            WorkflowErrorCodes.UnknownStep,
            $"Workflow {VersionKey} has no step '{name}'.");

    /// <summary>The step named <paramref name="name"/>, or null.</summary>
    public StepDefinition? FindStep(string name) => _steps.GetValueOrDefault(name);

    /// <summary>The transitions leaving step <paramref name="step"/>, in file order (empty for a final step).</summary>
    public IReadOnlyList<TransitionDefinition> TransitionsFrom(string step)
    {
        var from = Step(step).Name;
        return [.. Transitions.Where(t => t.From == from)];
    }

    /// <summary>
    /// The distinct system-only actions of step <paramref name="step"/>. For a <see cref="StepKind.Timer"/> step there is
    /// exactly one: the action the host fires as <see cref="Actor.System"/> when the step's deadline passes.
    /// </summary>
    public IReadOnlyList<string> SystemActions(string step) =>
        [.. TransitionsFrom(step).Where(t => t.IsSystemOnly).Select(t => t.Action).Distinct()];

    /// <summary>
    /// Separation of duties: the entries of <paramref name="step"/>'s <see cref="StepDefinition.SeparateFrom"/> in which
    /// <paramref name="userId"/> acted on this case according to <paramref name="history"/>, in declaration order.
    /// Empty when the user may take the step. The system actor is never separated (it prepares nothing).
    /// </summary>
    /// <exception cref="WorkflowException">Code <see cref="WorkflowErrorCodes.UnknownStep"/>.</exception>
    public IReadOnlyList<string> PreparedBy(string step, string userId, IEnumerable<PriorAct> history)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(history);
        var separateFrom = Step(step).SeparateFrom;
        if (separateFrom.Count == 0 || userId == Actor.System.UserId)
        {
            return [];
        }

        var mine = history.Where(a => a.UserId == userId).Select(a => a.Step).ToHashSet(StringComparer.Ordinal);
        return [.. separateFrom.Where(mine.Contains)];
    }

    /// <summary>The Chinese title of a <see cref="StepDefinition.SeparateFrom"/> entry: the step's title, or "申报提交" for the submission.</summary>
    public string TitleZhOf(string stepOrSubmission) =>
        stepOrSubmission == Submission ? "申报提交" : Step(stepOrSubmission).TitleZh;

    /// <inheritdoc />
    public override string ToString() => VersionKey;
}

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>
/// The names workflow definitions may use, each owned by the class that implements it: guards, on-enter effects and
/// line actions. Definitions are checked against it at start-up (<see cref="WorkflowVocabularyCheck"/>).
/// </summary>
public sealed class CaseVocabulary
{
    private readonly Dictionary<string, IGuard> guards;
    private readonly Dictionary<string, IStepEffect> effects;

    public CaseVocabulary(IEnumerable<IGuard> guards, IEnumerable<IStepEffect> effects, IEnumerable<ILineAction> lineActions)
    {
        this.guards = guards.ToDictionary(g => g.Name, StringComparer.Ordinal);
        this.effects = effects.ToDictionary(e => e.Name, StringComparer.Ordinal);
        LineActions = lineActions.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Guards => guards.Keys;
    public IReadOnlyCollection<string> Effects => effects.Keys;
    public IReadOnlySet<string> LineActions { get; }

    /// <summary>The guard named <paramref name="name"/>; definitions were checked at start-up, so a miss is the host's bug.</summary>
    public IGuard Guard(string name) =>
        guards.GetValueOrDefault(name) ?? throw new InvalidOperationException($"Guard '{name}' is not registered.");

    /// <summary>The effect named <paramref name="name"/>; definitions were checked at start-up, so a miss is the host's bug.</summary>
    public IStepEffect Effect(string name) =>
        effects.GetValueOrDefault(name) ?? throw new InvalidOperationException($"Effect '{name}' is not registered.");
}

using OneCard.Domain.Cases;
using OneCard.Host.Cases.Vocabulary;
using OneCard.Workflows;

namespace OneCard.Host.Cases;

/// <summary>
/// Runs the effects a step names in <c>onEnter</c>, through the registered vocabulary (<see cref="CaseVocabulary"/>).
/// Each runs inside the transition's transaction, so a step is entered with its effects or not at all.
/// </summary>
public sealed class CaseEffects(CaseVocabulary vocabulary)
{
    public Task RunAsync(string effect, WorkflowInstance instance, StepDefinition step, TransitionResult result, CancellationToken ct) =>
        vocabulary.Effect(effect).RunAsync(new EffectContext(instance, step, result), ct);
}

using OneCard.Domain.Applications;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>What a guard reads: the case, in the unit of work's database context.</summary>
public sealed record GuardContext(Guid ApplicationId, OneCardDbContext Db);

/// <summary>A named condition a transition of a workflow definition may name in <c>guard</c>.</summary>
public interface IGuard
{
    /// <summary>The name definitions use, e.g. "NoOpenObjections".</summary>
    string Name { get; }

    /// <summary>Whether the condition holds for the case as it is in the database now.</summary>
    Task<bool> HoldsAsync(GuardContext context, CancellationToken ct);
}

/// <summary>The step just entered and the transition that entered it.</summary>
public sealed record EffectContext(Application Application, StepDefinition Step, TransitionResult Result);

/// <summary>What the host does on entering a step, by the name a definition uses in <c>onEnter</c>.</summary>
public interface IStepEffect
{
    /// <summary>The name definitions use, e.g. "DrawSample".</summary>
    string Name { get; }

    /// <summary>Runs inside the transition's transaction, so a step is entered with its effects or not at all.</summary>
    Task RunAsync(EffectContext context, CancellationToken ct);
}

/// <summary>A per-line action a step may allow in <c>lineActions</c>; the handler that implements it checks by this name.</summary>
public interface ILineAction
{
    /// <summary>The name definitions use, e.g. "RejectLines".</summary>
    string Name { get; }
}

using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>What a guard reads: the case's subject, in the unit of work's database context.</summary>
public sealed record GuardContext(CaseSubject Subject, OneCardDbContext Db);

/// <summary>A named condition a transition of a workflow definition may name in <c>guard</c>.</summary>
public interface IGuard
{
    /// <summary>The name definitions use, e.g. "NoOpenObjections".</summary>
    string Name { get; }

    /// <summary>Whether the condition holds for the case as it is in the database now.</summary>
    Task<bool> HoldsAsync(GuardContext context, CancellationToken ct);
}

/// <summary>The instance, the step just entered and the transition that entered it.</summary>
public sealed record EffectContext(WorkflowInstance Instance, StepDefinition Step, TransitionResult Result)
{
    /// <summary>
    /// The application an application's effect works on (tracked, in the transition's unit of work); an effect
    /// registered for applications refuses to run on another subject kind rather than guess.
    /// </summary>
    public async Task<Application> ApplicationAsync(OneCardDbContext db, CancellationToken ct) =>
        Instance.SubjectKind == SubjectKinds.Application
            ? await db.Applications.SingleAsync(a => a.Id == Instance.SubjectId, ct)
            : throw new InvalidOperationException($"Effect for applications entered on a {Instance.SubjectKind} ({Instance.DefinitionId} step {Step.Name}).");
}

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

namespace OneCard.Workflows;

/// <summary>
/// One act from a case's history, as separation of duties needs it: who acted in which step.
/// The submission that started the case is <see cref="WorkflowDefinition.Submission"/>.
/// </summary>
/// <param name="Step">The step the actor acted in (the transition's from-step), or <see cref="WorkflowDefinition.Submission"/>.</param>
/// <param name="UserId">The actor's user id (<see cref="Actor.UserId"/>).</param>
public sealed record PriorAct(string Step, string UserId);

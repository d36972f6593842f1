using Stateless;
using static OneCard.Workflows.WorkflowErrorCodes;

namespace OneCard.Workflows;

/// <summary>Applies a definition's transition table to a case's current step (on Stateless) and computes step deadlines.</summary>
/// <remarks>
/// The runner holds no case state: the host passes the stored step in and stores <see cref="TransitionResult.ToStep"/>.
/// Each call builds a <see cref="StateMachine{TState, TTrigger}"/> over a local variable (external state accessor),
/// configured with only the rows the actor may fire, so a machine never outlives a call and the runner is thread-safe.
/// Guards are named conditions the host evaluates; within one call each name is asked at most once.
/// </remarks>
public sealed class WorkflowRunner
{
    private readonly WorkingDayCalendar _calendar;
    private readonly TimeProvider _time;

    /// <summary>Creates a runner counting deadlines on <paramref name="calendar"/> and stamping transitions with <paramref name="time"/>.</summary>
    public WorkflowRunner(WorkingDayCalendar calendar, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(time);
        _calendar = calendar;
        _time = time;
    }

    /// <summary>
    /// The deadline of <paramref name="step"/> for a case that entered it at <paramref name="enteredAt"/>
    /// (see <see cref="WorkingDayCalendar.Deadline"/>), or null when the step has no time limit. A step that escalates also
    /// gets <see cref="StepDeadline.EscalateAt"/>: the due time plus the grace period (see <see cref="WorkingDayCalendar.After"/>).
    /// </summary>
    /// <exception cref="WorkflowException">Code <see cref="UnknownStep"/>.</exception>
    public StepDeadline? DeadlineFor(WorkflowDefinition def, string step, DateTimeOffset enteredAt)
    {
        ArgumentNullException.ThrowIfNull(def);
        var s = def.Step(step);
        if (s.TimeLimit is null)
        {
            return null;
        }

        var deadline = _calendar.Deadline(enteredAt, s.TimeLimit, s.RemindBefore);
        return s.Escalate is { } escalate ? deadline with { EscalateAt = _calendar.After(deadline.DueAt, escalate.After) } : deadline;
    }

    /// <summary>
    /// The actions <paramref name="actor"/> may fire now in <paramref name="currentStep"/>: role held, not separated from the
    /// step by <paramref name="history"/> (see <see cref="Fire"/>) and guard met, in definition order, each once.
    /// Empty for a final step. The UI shows these; it does not repeat the checks.
    /// </summary>
    /// <param name="history">The case's acts; required when the step declares separation of duties and the actor is a user.</param>
    /// <exception cref="WorkflowException">Code <see cref="UnknownStep"/>.</exception>
    /// <exception cref="ArgumentNullException">The step declares separation of duties and <paramref name="history"/> is null.</exception>
    public IReadOnlyList<string> PermittedActions(
        WorkflowDefinition def, string currentStep, Actor actor, Func<string, bool> guard, IReadOnlyCollection<PriorAct>? history = null)
    {
        ArgumentNullException.ThrowIfNull(def);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(guard);
        var step = def.Step(currentStep);
        var rows = def.TransitionsFrom(step.Name).Where(t => MayFire(actor, t)).ToList();
        if (rows.Count == 0 || Prepared(def, step, actor, history).Count > 0)
        {
            return [];
        }

        var holds = Memoize(guard);
        var machine = Build(step.Name, rows, holds);
        var actions = rows.Select(t => t.Action).Distinct().ToList();
        foreach (var action in actions)
        {
            // Stateless throws InvalidOperationException when two guarded rows hold; name the host's bug instead.
            ThrowIfAmbiguous(step.Name, action, [.. rows.Where(t => t.Action == action && (t.Guard is null || holds(t.Guard)))]);
        }

        return [.. actions.Where(machine.CanFire)];
    }

    /// <summary>
    /// Fires <paramref name="action"/> in <paramref name="currentStep"/> as <paramref name="actor"/>. Checks, in order:
    /// the step has the action (<see cref="TransitionNotAllowed"/>), the actor holds its role or is
    /// <see cref="Actor.System"/> for a system-only action (<see cref="RoleNotPermitted"/>), the actor did not act in a step
    /// the current step is separate from (<see cref="SeparationOfDuties"/>, per <see cref="StepDefinition.SeparateFrom"/>
    /// and <paramref name="history"/>), exactly one row's guard holds (<see cref="GuardFailed"/>, <see cref="GuardsAmbiguous"/>),
    /// and a comment is given where required (<see cref="CommentRequired"/>). Nothing is changed on failure; on success the
    /// host persists the result.
    /// </summary>
    /// <param name="history">The case's acts; required when the step declares separation of duties and the actor is a user.</param>
    /// <exception cref="WorkflowException">With one of the codes above, or <see cref="UnknownStep"/>.</exception>
    /// <exception cref="ArgumentNullException">The step declares separation of duties and <paramref name="history"/> is null.</exception>
    public TransitionResult Fire(
        WorkflowDefinition def, string currentStep, string action, Actor actor, Func<string, bool> guard, string? comment,
        IReadOnlyCollection<PriorAct>? history = null)
    {
        ArgumentNullException.ThrowIfNull(def);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(guard);
        var step = def.Step(currentStep);
        var rows = def.TransitionsFrom(step.Name).Where(t => t.Action == action).ToList();
        if (rows.Count == 0)
        {
            throw new WorkflowException(TransitionNotAllowed, $"Step {step.Name} of {def.VersionKey} has no action '{action}'.");
        }

        var mine = rows.Where(t => MayFire(actor, t)).ToList();
        if (mine.Count == 0)
        {
            var needed = string.Join(" or ", rows.Select(t => t.Role ?? Actor.SystemRole).Distinct());
            throw new WorkflowException(RoleNotPermitted, $"Action {action} in step {step.Name} needs role {needed}; user {actor.UserId} does not hold it.");
        }

        if (Prepared(def, step, actor, history) is { Count: > 0 } prepared)
        {
            var titles = string.Join("、", prepared.Select(def.TitleZhOf));
            throw new WorkflowException(
                SeparationOfDuties,
                $"User {actor.UserId} acted in {string.Join(", ", prepared)} on this case and may not take step {step.Name} (separation of duties).",
                messageZh: $"您已办理本案件的“{titles}”环节，按职责分离规定不能办理本环节");
        }

        var holds = Memoize(guard);
        var passing = mine.Where(t => t.Guard is null || holds(t.Guard)).ToList();
        if (passing.Count == 0)
        {
            var unmet = mine.Select(t => t.Guard!).ToList();
            throw new WorkflowException(GuardFailed, $"Action {action} in step {step.Name} is not possible now: {string.Join(", ", unmet)} not met.", unmet);
        }

        ThrowIfAmbiguous(step.Name, action, passing);

        var chosen = passing[0];
        var note = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (chosen.CommentRequired && note is null)
        {
            throw new WorkflowException(CommentRequired, $"Action {action} in step {step.Name} needs a comment.");
        }

        var machine = Build(step.Name, mine, holds);
        machine.Fire(action);
        if (machine.State != chosen.To)
        {
            throw new InvalidOperationException($"Stateless moved {step.Name} --{action}--> {machine.State}, expected {chosen.To}.");
        }

        var target = def.Step(chosen.To);
        var at = _time.GetUtcNow();
        return new TransitionResult(
            step.Name, action, target.Name, at, DeadlineFor(def, target.Name, at), target.OnEnter, target.IsFinal,
            chosen.Guard, def.VersionKey, actor.UserId, note);
    }

    private static void ThrowIfAmbiguous(string step, string action, List<TransitionDefinition> passing)
    {
        if (passing.Count > 1)
        {
            throw new WorkflowException(GuardsAmbiguous, $"Action {action} in step {step}: guards {string.Join(", ", passing.Select(t => t.Guard))} all hold; they must exclude each other.");
        }
    }

    private static IReadOnlyList<string> Prepared(WorkflowDefinition def, StepDefinition step, Actor actor, IReadOnlyCollection<PriorAct>? history)
    {
        if (step.SeparateFrom.Count == 0 || actor.IsSystem)
        {
            return [];
        }

        // Fail closed: a host that forgot the history must not silently skip the rule.
        ArgumentNullException.ThrowIfNull(history);
        return def.PreparedBy(step.Name, actor.UserId, history);
    }

    private static bool MayFire(Actor actor, TransitionDefinition t) =>
        t.Role is null ? actor.IsSystem : actor.Roles.Contains(t.Role);

    private static StateMachine<string, string> Build(string current, IEnumerable<TransitionDefinition> rows, Func<string, bool> holds)
    {
        var state = current;
        var machine = new StateMachine<string, string>(() => state, s => state = s);
        var config = machine.Configure(current);
        foreach (var t in rows)
        {
            var g = t.Guard;
            // Stateless refuses Permit to the same state; a row back into its own step is a re-entry.
            _ = (t.To == current, g) switch
            {
                (true, null) => config.PermitReentry(t.Action),
                (true, _) => config.PermitReentryIf(t.Action, () => holds(g), g),
                (false, null) => config.Permit(t.Action, t.To),
                (false, _) => config.PermitIf(t.Action, t.To, () => holds(g), g),
            };
        }

        return machine;
    }

    private static Func<string, bool> Memoize(Func<string, bool> guard)
    {
        var seen = new Dictionary<string, bool>(StringComparer.Ordinal);
        return name =>
        {
            if (!seen.TryGetValue(name, out var value))
            {
                value = guard(name);
                seen[name] = value;
            }

            return value;
        };
    }
}

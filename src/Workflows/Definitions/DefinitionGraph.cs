using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows;

/// <summary>Checks that need the whole definition: names resolve, actions are unambiguous, every step is reachable and can finish.</summary>
internal static class DefinitionGraph
{
    public static void Check(DefinitionDraft d, WorkflowDefinitionLoader.Reader r)
    {
        // First occurrence of each name wins; later duplicates are reported and otherwise ignored.
        var steps = new Dictionary<string, StepDraft>(StringComparer.Ordinal);
        foreach (var s in d.Steps.Where(s => s.Name is not null))
        {
            if (!steps.TryAdd(s.Name!, s))
            {
                r.Error($"{s.Path}.name", DuplicateStep, $"步骤名 {s.Name} 重复（已见于 {steps[s.Name!].Path}）。", $"Step name {s.Name} is already used by {steps[s.Name!].Path}.");
            }
        }

        var initial = d.InitialStep is { } init && steps.TryGetValue(init, out var i) ? i : null;
        if (d.InitialStep is not null && initial is null)
        {
            r.Error("$.initialStep", UnknownStep, $"初始步骤 {d.InitialStep} 不存在。", $"Initial step {d.InitialStep} is not a step.");
        }
        else if (initial?.Kind == StepKind.Final)
        {
            r.Error("$.initialStep", InvalidFinalStep, "初始步骤不能是终止步骤。", "The initial step cannot be a Final step.");
        }

        var edges = new List<TransitionDraft>();
        foreach (var t in d.Transitions)
        {
            var fromOk = CheckEnd(t.From, $"{t.Path}.from", steps, r);
            var toOk = CheckEnd(t.To, $"{t.Path}.to", steps, r);
            if (fromOk && steps[t.From!].Kind == StepKind.Final)
            {
                r.Error($"{t.Path}.from", InvalidFinalStep, $"终止步骤 {t.From} 不能有出口动作。", $"Final step {t.From} cannot have actions.");
            }

            if (fromOk && toOk)
            {
                edges.Add(t);
            }
        }

        CheckSeparation(d.Steps, steps, r);
        CheckAmbiguity(d.Transitions, r);
        CheckStepActions(steps.Values, edges, r);
        if (initial is not null)
        {
            CheckReachability(initial, steps, edges, r);
        }
    }

    private static bool CheckEnd(string? name, string path, Dictionary<string, StepDraft> steps, WorkflowDefinitionLoader.Reader r)
    {
        if (name is null)
        {
            return false;
        }

        if (steps.ContainsKey(name))
        {
            return true;
        }

        r.Error(path, UnknownStep, $"步骤 {name} 不存在。", $"Step {name} is not defined.");
        return false;
    }

    private static void CheckSeparation(List<StepDraft> all, Dictionary<string, StepDraft> steps, WorkflowDefinitionLoader.Reader r)
    {
        foreach (var s in all)
        {
            for (var i = 0; i < s.SeparateFrom.Count; i++)
            {
                var name = s.SeparateFrom[i];
                var path = $"{s.Path}.separateFrom[{i}]";
                if (name == WorkflowDefinition.Submission)
                {
                    continue;
                }

                if (!steps.TryGetValue(name, out var other))
                {
                    r.Error(path, UnknownStep, $"职责分离引用的步骤 {name} 不存在（可写步骤名或 {WorkflowDefinition.Submission}）。", $"separateFrom names step {name}, which is not defined (use a step name or {WorkflowDefinition.Submission}).");
                }
                else if (other.Kind is not StepKind.Human)
                {
                    r.Error(path, InvalidValue, $"职责分离只能引用人工步骤，{name} 是 {other.Kind} 步骤。", $"separateFrom may name only Human steps; {name} is a {other.Kind} step.");
                }
                else if (s.Kind is not StepKind.Human)
                {
                    r.Error(path, InvalidValue, "只有人工步骤可以声明职责分离。", "Only a Human step may declare separateFrom.");
                }
            }
        }
    }

    private static void CheckAmbiguity(List<TransitionDraft> transitions, WorkflowDefinitionLoader.Reader r)
    {
        var groups = transitions
            .Where(t => t.From is not null && t.Action is not null)
            .GroupBy(t => (t.From, t.Action))
            .Where(g => g.Count() > 1);
        foreach (var group in groups)
        {
            var guards = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in group)
            {
                if (t.Guard is null)
                {
                    r.Error(t.Path, AmbiguousAction, $"步骤 {t.From} 的动作 {t.Action} 出现多次，每一条都必须有不同的 guard。", $"Action {t.Action} appears more than once from step {t.From}; each row needs its own distinct guard.");
                }
                else if (!guards.Add(t.Guard))
                {
                    r.Error($"{t.Path}.guard", AmbiguousAction, $"步骤 {t.From} 的动作 {t.Action} 重复使用 guard {t.Guard}。", $"Action {t.Action} from step {t.From} uses guard {t.Guard} twice.");
                }
            }
        }
    }

    private static void CheckStepActions(IEnumerable<StepDraft> steps, List<TransitionDraft> edges, WorkflowDefinitionLoader.Reader r)
    {
        foreach (var s in steps)
        {
            var outgoing = edges.Where(t => t.From == s.Name).ToList();
            if (s.Kind == StepKind.Human && s.Role is not null && !outgoing.Any(t => t.Role == s.Role))
            {
                r.Error(s.Path, NoActionForRole, $"人工步骤 {s.Name} 没有角色 {s.Role} 可执行的动作。", $"Human step {s.Name} has no action its role {s.Role} may take.");
            }

            if (s.Kind == StepKind.Timer)
            {
                var systemActions = outgoing.Where(t => t.Role is null).Select(t => t.Action).Distinct().Count();
                if (systemActions != 1)
                {
                    r.Error(s.Path, InvalidTimerAction, $"定时步骤 {s.Name} 必须恰有一个系统动作名（现有 {systemActions} 个），到期时触发。", $"Timer step {s.Name} needs exactly one system action name to fire when its time is up (has {systemActions}).");
                }
            }
        }
    }

    private static void CheckReachability(StepDraft initial, Dictionary<string, StepDraft> steps, List<TransitionDraft> edges, WorkflowDefinitionLoader.Reader r)
    {
        var reachable = Closure([initial.Name!], edges.ToLookup(t => t.From!, t => t.To!));
        foreach (var s in steps.Values.Where(s => !reachable.Contains(s.Name!)))
        {
            r.Error(s.Path, UnreachableStep, $"从初始步骤 {initial.Name} 无法到达步骤 {s.Name}。", $"Step {s.Name} cannot be reached from the initial step {initial.Name}.");
        }

        var finals = steps.Values.Where(s => s.Kind == StepKind.Final).Select(s => s.Name!);
        var canFinish = Closure(finals, edges.ToLookup(t => t.To!, t => t.From!));
        foreach (var s in steps.Values.Where(s => reachable.Contains(s.Name!) && !canFinish.Contains(s.Name!)))
        {
            r.Error(s.Path, NoFinalReachable, $"从步骤 {s.Name} 无法到达任何终止步骤。", $"No Final step can be reached from step {s.Name}.");
        }
    }

    private static HashSet<string> Closure(IEnumerable<string> start, ILookup<string, string> next)
    {
        var seen = new HashSet<string>(start, StringComparer.Ordinal);
        var queue = new Queue<string>(seen);
        while (queue.TryDequeue(out var step))
        {
            foreach (var n in next[step])
            {
                if (seen.Add(n))
                {
                    queue.Enqueue(n);
                }
            }
        }

        return seen;
    }
}

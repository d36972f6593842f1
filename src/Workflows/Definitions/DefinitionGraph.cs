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
        var forks = CheckParallel(d, steps, edges, r);
        if (initial is not null)
        {
            CheckReachability(initial, steps, [.. edges.Select(t => (t.From!, t.To!)), .. forks], r);
        }
    }

    /// <summary>
    /// The rules of Parallel steps: each branch is a Human step of one Parallel step only, entered from nowhere else, with
    /// an action back to its Parallel step (branch done); the Parallel step leaves only by system actions (the join).
    /// Returns the implicit fork edges (Parallel step → branch) for the reachability check.
    /// </summary>
    private static List<(string From, string To)> CheckParallel(DefinitionDraft d, Dictionary<string, StepDraft> steps, List<TransitionDraft> edges, WorkflowDefinitionLoader.Reader r)
    {
        var forks = new List<(string, string)>();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in steps.Values.Where(s => s.Kind == StepKind.Parallel))
        {
            for (var i = 0; i < p.Branches.Count; i++)
            {
                var name = p.Branches[i];
                var path = $"{p.Path}.branches[{i}]";
                if (!steps.TryGetValue(name, out var branch))
                {
                    r.Error(path, UnknownStep, $"并行步骤 {p.Name} 的分支 {name} 不存在。", $"Branch {name} of Parallel step {p.Name} is not defined.");
                    continue;
                }

                if (branch.Kind != StepKind.Human)
                {
                    r.Error(path, InvalidParallel, $"并行分支只能是人工步骤，{name} 是 {branch.Kind} 步骤。", $"A branch must be a Human step; {name} is a {branch.Kind} step.");
                    continue;
                }

                if (!owner.TryAdd(name, p.Name!))
                {
                    r.Error(path, InvalidParallel, $"步骤 {name} 已是并行步骤 {owner[name]} 的分支，不能再属于 {p.Name}。", $"Step {name} is already a branch of {owner[name]}.");
                    continue;
                }

                forks.Add((p.Name!, name));
                if (!edges.Any(t => t.From == name && t.To == p.Name))
                {
                    r.Error(branch.Path, InvalidParallel, $"分支 {name} 必须有回到并行步骤 {p.Name} 的动作（分支办结）。", $"Branch {name} needs an action back to its Parallel step {p.Name} (branch done).");
                }
            }

            foreach (var t in edges.Where(t => t.From == p.Name && t.Role is not null))
            {
                r.Error($"{t.Path}.role", InvalidParallel, $"并行步骤 {p.Name} 只能由系统在各分支办结后离开，role 应为 null。", $"Parallel step {p.Name} is left only by the system once every branch is done; role must be null.");
            }

            if (!edges.Any(t => t.From == p.Name && t.Role is null))
            {
                r.Error(p.Path, InvalidParallel, $"并行步骤 {p.Name} 需要一个系统动作，在各分支办结后离开。", $"Parallel step {p.Name} needs a system action to leave it once every branch is done.");
            }
        }

        foreach (var (branch, parallel) in owner)
        {
            if (d.InitialStep == branch)
            {
                r.Error("$.initialStep", InvalidParallel, $"初始步骤不能是并行分支 {branch}。", $"The initial step cannot be the branch {branch}.");
            }

            foreach (var t in edges.Where(t => t.To == branch && t.From != branch))
            {
                r.Error($"{t.Path}.to", InvalidParallel, $"分支 {branch} 只能由并行步骤 {parallel} 打开，不能由 {t.From} 转入。", $"Branch {branch} is opened only by its Parallel step {parallel}, not entered from {t.From}.");
            }

            foreach (var t in edges.Where(t => t.From == branch && t.To == branch))
            {
                r.Error($"{t.Path}.to", InvalidParallel, $"分支 {branch} 的动作不能回到自身。", $"An action of branch {branch} cannot lead back to the branch itself.");
            }
        }

        return forks;
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

    private static void CheckReachability(StepDraft initial, Dictionary<string, StepDraft> steps, List<(string From, string To)> edges, WorkflowDefinitionLoader.Reader r)
    {
        var reachable = Closure([initial.Name!], edges.ToLookup(t => t.From, t => t.To));
        foreach (var s in steps.Values.Where(s => !reachable.Contains(s.Name!)))
        {
            r.Error(s.Path, UnreachableStep, $"从初始步骤 {initial.Name} 无法到达步骤 {s.Name}。", $"Step {s.Name} cannot be reached from the initial step {initial.Name}.");
        }

        var finals = steps.Values.Where(s => s.Kind == StepKind.Final).Select(s => s.Name!);
        var canFinish = Closure(finals, edges.ToLookup(t => t.To, t => t.From));
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

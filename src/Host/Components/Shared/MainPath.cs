using OneCard.Workflows;

namespace OneCard.Host.Components.Shared;

/// <summary>
/// The main path of a workflow definition, for the step bar: the shortest way from the initial step to the final step that
/// lies furthest from it (the regular end, e.g. 已公开; the early ends 已驳回/已撤回 are nearer). A case resting off that path
/// (退回修改, 异议处理, 已驳回) is shown where it left it: after the path step it came from.
/// </summary>
public static class MainPath
{
    public sealed record Item(string Step, string TitleZh, bool IsFinal, string TitleEn = "")
    {
        /// <summary>The step's title in the current UI culture.</summary>
        public string Title => Resources.Ui.Pick(TitleZh, TitleEn);
    }

    public static IReadOnlyList<Item> Of(WorkflowDefinition definition, string currentStep, string? cameFrom = null)
    {
        var path = Shortest(definition);
        if (!path.Contains(currentStep))
        {
            // After the step the case came from, or else after the first path step that leads to it.
            var after = cameFrom is not null && path.Contains(cameFrom) ? cameFrom
                : path.FirstOrDefault(p => definition.Transitions.Any(t => t.From == p && t.To == currentStep));
            var current = definition.Steps.FirstOrDefault(s => s.Name == currentStep);
            if (current is not null)
            {
                var at = after is null ? path.Count : path.IndexOf(after) + 1;
                // A final step off the path ends the bar there: the rest will not happen.
                path = current.IsFinal ? [.. path.Take(at), currentStep] : [.. path.Take(at), currentStep, .. path.Skip(at)];
            }
        }
        return [.. path.Select(name => definition.Steps.First(s => s.Name == name)).Select(s => new Item(s.Name, s.TitleZh, s.IsFinal, s.TitleEn))];
    }

    private static List<string> Shortest(WorkflowDefinition definition)
    {
        var previous = new Dictionary<string, string?> { [definition.InitialStep] = null };
        var distance = new Dictionary<string, int> { [definition.InitialStep] = 0 };
        var queue = new Queue<string>([definition.InitialStep]);
        while (queue.Count > 0)
        {
            var step = queue.Dequeue();
            foreach (var t in definition.Transitions.Where(t => t.From == step))
            {
                if (distance.ContainsKey(t.To)) continue;
                distance[t.To] = distance[step] + 1;
                previous[t.To] = step;
                queue.Enqueue(t.To);
            }
        }
        var finals = definition.Steps.Where(s => s.IsFinal && distance.ContainsKey(s.Name)).ToList();
        // Ties go to the final step declared first.
        var end = finals.Count == 0 ? distance.MaxBy(d => d.Value).Key : finals.MaxBy(s => distance[s.Name])!.Name;
        var path = new List<string>();
        for (string? s = end; s is not null; s = previous[s]) path.Insert(0, s);
        return path;
    }
}

namespace OneCard.Host.Cases.Diagrams;

/// <summary>
/// A case's way through its definition so far, for highlighting on the diagram: the step it is in, the steps it has
/// been in, and the transitions it took (from, action, to), as read from its workflow history.
/// </summary>
public sealed class CasePath
{
    private CasePath(string? current, IReadOnlySet<string> visited, IReadOnlySet<(string From, string Action, string To)> taken)
    {
        Current = current;
        Visited = visited;
        Taken = taken;
        Key = $"{current}|{string.Join(",", visited.Order(StringComparer.Ordinal))}|"
              + string.Join(",", taken.Select(t => $"{t.From}-{t.Action}-{t.To}").Order(StringComparer.Ordinal));
    }

    /// <summary>Equal for equal paths: lets a diagram redraw only when the path changed.</summary>
    public string Key { get; }

    /// <summary>No case: nothing highlighted.</summary>
    public static CasePath None { get; } = new(null, new HashSet<string>(), new HashSet<(string, string, string)>());

    /// <summary>The step the case is in now, or null.</summary>
    public string? Current { get; }

    /// <summary>Every step the case has been in, the current one included.</summary>
    public IReadOnlySet<string> Visited { get; }

    /// <summary>Every transition the case took, once each however often.</summary>
    public IReadOnlySet<(string From, string Action, string To)> Taken { get; }

    /// <summary>
    /// The path of a case in <paramref name="current"/> whose history is <paramref name="events"/> (from step, action, to step),
    /// in any order. The submission's event has an empty from step: it marks its target visited but is no transition.
    /// </summary>
    public static CasePath From(string? current, IEnumerable<(string From, string Action, string To)> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var taken = new HashSet<(string, string, string)>();
        foreach (var (from, action, to) in events)
        {
            visited.Add(to);
            if (from.Length > 0)
            {
                visited.Add(from);
                taken.Add((from, action, to));
            }
        }

        if (current is not null)
        {
            visited.Add(current);
        }

        return new CasePath(current, visited, taken);
    }
}

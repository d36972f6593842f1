namespace OneCard.Host.Applications;

/// <summary>
/// The located errors of one submission, kept up to a cap: a hostile file (a million broken lines)
/// must not make the host build a million error objects. Past the cap only the counts grow, so the
/// totals stay exact while memory stays bounded.
/// </summary>
public sealed class LineErrors(int keep = LineErrors.DefaultKeep) : IReadOnlyList<LineError>
{
    /// <summary>How many errors are kept for the downloadable report.</summary>
    public const int DefaultKeep = 10_000;

    private readonly List<LineError> kept = [];
    private int lastRow = int.MinValue;

    /// <summary>Every error found, kept or not.</summary>
    public int Total { get; private set; }

    /// <summary>How many rows have at least one error (errors arrive row by row).</summary>
    public int Rows { get; private set; }

    /// <summary>True when more errors were found than kept.</summary>
    public bool Truncated => Total > kept.Count;

    public int Keep => keep;

    /// <summary>Where a roster import collects its refused rows with their cells and every reason (not capped by <see cref="Keep"/>), or null.</summary>
    public RefusedRows? Refusals { get; init; }

    public void Add(LineError error)
    {
        Refusals?.Reason(error);
        Total++;
        if (error.Row != lastRow)
        {
            Rows++;
            lastRow = error.Row;
        }
        if (kept.Count < keep) kept.Add(error);
    }

    public void Add(int row, string field, string code, string zh, string en) => Add(new LineError(row, field, code, zh, en));

    public static LineErrors From(IEnumerable<LineError> errors)
    {
        var all = new LineErrors();
        foreach (var e in errors) all.Add(e);
        return all;
    }

    public int Count => kept.Count;
    public LineError this[int index] => kept[index];
    public IEnumerator<LineError> GetEnumerator() => kept.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A user's value quoted in a message, shortened: messages stay small whatever the cell holds.</summary>
    public static string Echo(string? value, int max = 24)
    {
        if (value is null) return "";
        var shown = value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");
        return shown.Any(char.IsControl) ? new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray()) : shown;
    }
}

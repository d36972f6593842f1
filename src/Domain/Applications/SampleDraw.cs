namespace OneCard.Domain.Applications;

/// <summary>
/// The recorded random draw of lines for the on-site sample check. With the seed, the population
/// (eligible line numbers in order) and the algorithm named here, anyone can redo the draw.
/// </summary>
public sealed class SampleDraw
{
    public const string AlgorithmName = "fisher-yates/System.Random(seed)/eligible-lines-by-line-no";

    public Guid Id { get; init; }
    public Guid ApplicationId { get; init; }
    public int Seed { get; init; }
    public decimal Share { get; init; }
    public int Minimum { get; init; }
    public int PopulationCount { get; init; }
    public int SampleCount { get; init; }
    public required string Algorithm { get; init; }
    public DateTimeOffset DrawnAt { get; init; }

    /// <summary>Picks <c>max(minimum, ceil(share × n))</c> line numbers (at most n) from the population, reproducibly.</summary>
    public static IReadOnlyList<int> Draw(IReadOnlyList<int> populationLineNos, int seed, decimal share, int minimum)
    {
        var n = populationLineNos.Count;
        var k = Math.Min(n, Math.Max(minimum, (int)Math.Ceiling(share * n)));
        var pool = populationLineNos.Order().ToArray();
        var random = new Random(seed);
        for (var i = 0; i < k; i++)
        {
            var j = random.Next(i, n);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool.Take(k).Order().ToArray();
    }
}

using System.Security.Cryptography;
using System.Text;

namespace OneCard.Domain.Inspections;

/// <summary>A member of a population to draw from: its key and its stratum (the township's 9-digit code).</summary>
public readonly record struct Member(Guid Key, string Stratum);

/// <summary>One stratum's part of a draw: its size, the sample size the formula gives and the keys drawn (ascending).</summary>
public sealed record StratumDraw(string Stratum, int Population, int SampleSize, IReadOnlyList<Guid> Drawn);

/// <summary>
/// The stratified draw of inspection campaigns, written so that anyone can redo it from the recorded inputs in any language:
/// <list type="number">
/// <item>strata are the members' township codes, taken in ordinal order;</item>
/// <item>in each stratum of n members, k = min(n, max(minimum, ⌈share × n⌉));</item>
/// <item>the stratum's keys are sorted by their lowercase hyphenated text (<c>Guid.ToString("D")</c>), ordinal;</item>
/// <item>a SplitMix64 generator is seeded with <c>seed XOR FNV-1a-64(UTF-8 stratum code)</c>;</item>
/// <item>a partial Fisher–Yates shuffle: for i = 0…k−1, j = i + below(n − i), swap i and j, where below(m) draws 64-bit
/// values and rejects those under (2⁶⁴ − m) mod m, then takes the value mod m (no modulo bias);</item>
/// <item>the first k keys are the stratum's sample.</item>
/// </list>
/// Nothing here depends on the .NET runtime's <c>Random</c>, whose sequence is not a published contract.
/// </summary>
public static class StratifiedDraw
{
    public const string AlgorithmName = "stratified-by-township/fisher-yates/splitmix64(seed^fnv1a64(stratum))/keys-by-guid-text";

    /// <summary>The sample size of a stratum of <paramref name="n"/>: max(minimum, ⌈share × n⌉), never more than n.</summary>
    public static int SampleSize(int n, decimal share, int minimum)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (share is <= 0m or > 1m) throw new ArgumentOutOfRangeException(nameof(share), "The share is in (0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegative(minimum);
        return Math.Min(n, Math.Max(minimum, (int)Math.Ceiling(share * n)));
    }

    /// <summary>Draws per stratum (strata in ordinal order); the same inputs always give the same result.</summary>
    public static IReadOnlyList<StratumDraw> Draw(IEnumerable<Member> population, long seed, decimal share, int minimum)
    {
        var strata = population.GroupBy(m => m.Stratum, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal);
        var result = new List<StratumDraw>();
        foreach (var stratum in strata)
        {
            var keys = stratum.Select(m => m.Key).Distinct().Select(k => k.ToString("D")).Order(StringComparer.Ordinal).ToArray();
            var n = keys.Length;
            var k = SampleSize(n, share, minimum);
            var rng = new SplitMix64(unchecked(seed ^ (long)Fnv1a64(stratum.Key)));
            for (var i = 0; i < k; i++)
            {
                var j = i + (int)rng.Below((ulong)(n - i));
                (keys[i], keys[j]) = (keys[j], keys[i]);
            }
            var drawn = keys.Take(k).Order(StringComparer.Ordinal).Select(Guid.Parse).ToArray();
            result.Add(new StratumDraw(stratum.Key, n, k, drawn));
        }
        return result;
    }

    /// <summary>
    /// SHA-256 (lowercase hex) of the population: one line <c>stratum|key\n</c> per member, sorted ordinally — what a changed
    /// population is detected by; the members themselves are stored too, to say which changed.
    /// </summary>
    public static string PopulationHash(IEnumerable<Member> population)
    {
        var lines = population.Select(m => $"{m.Stratum}|{m.Key:D}\n").Order(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in lines) sha.AppendData(Encoding.UTF8.GetBytes(line));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>A fresh seed from the operating system's CSPRNG (recorded before the draw).</summary>
    public static long NewSeed() => BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;

    /// <summary>FNV-1a, 64-bit, over the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a64(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash = unchecked(hash * 1099511628211UL);
        }
        return hash;
    }

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014): small, fast, and fully specified by its constants.</summary>
    public struct SplitMix64(long seed)
    {
        private ulong state = unchecked((ulong)seed);

        public ulong Next()
        {
            var z = unchecked(state += 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return z ^ (z >> 31);
        }

        /// <summary>A uniform value in [0, <paramref name="bound"/>) by rejection (no modulo bias).</summary>
        public ulong Below(ulong bound)
        {
            ArgumentOutOfRangeException.ThrowIfZero(bound);
            var threshold = unchecked(0UL - bound) % bound;
            while (true)
            {
                var x = Next();
                if (x >= threshold) return x % bound;
            }
        }
    }
}

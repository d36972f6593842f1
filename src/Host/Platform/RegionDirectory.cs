using OneCard.Domain.Regions;
using OneCard.Persistence.Seeding;

namespace OneCard.Host.Platform;

/// <summary>Liaoning's divisions in memory: the same list the database is seeded with.</summary>
public sealed class RegionDirectory
{
    private readonly Dictionary<string, Region> byCode;

    public RegionDirectory(IEnumerable<Region> regions)
    {
        byCode = regions.ToDictionary(r => r.Code, StringComparer.Ordinal);
        Codes = byCode.Keys.ToHashSet(StringComparer.Ordinal);
    }

    public static RegionDirectory Liaoning() => new(RegionSeed.Load());

    public IReadOnlySet<string> Codes { get; }

    public Region? Find(string code) => byCode.GetValueOrDefault(code);

    /// <summary>"沈阳市 于洪区 北陵街道" for a township code.</summary>
    public string FullName(string code)
    {
        var names = new List<string>();
        for (var region = Find(code); region is not null && region.Level != RegionLevel.Province; region = region.ParentCode is null ? null : Find(region.ParentCode))
            names.Insert(0, region.Name);
        return names.Count == 0 ? code : string.Join(' ', names);
    }

    /// <summary>
    /// The codes of every region whose full name contains <paramref name="text"/> (e.g. "大孤家子" or "康平"), and of the regions
    /// under them, for a text search over places; empty when nothing matches.
    /// </summary>
    public IReadOnlyList<string> Matching(string text)
    {
        var hits = byCode.Values.Where(r => r.Level != RegionLevel.Province && r.Name.Contains(text, StringComparison.Ordinal)).Select(r => r.Code).ToList();
        if (hits.Count == 0) return [];
        var matched = hits.ToHashSet(StringComparer.Ordinal);
        return [.. byCode.Keys.Where(code => Lineage(code).Any(matched.Contains))];
    }

    /// <summary>The region and its parents up to the province, by the parent codes the directory holds.</summary>
    private IEnumerable<string> Lineage(string code)
    {
        for (var region = Find(code); region is not null; region = region.ParentCode is null ? null : Find(region.ParentCode))
            yield return region.Code;
    }

    /// <summary>The counties and townships at or under <paramref name="code"/>, in code order: a filter's choices of place.</summary>
    public IReadOnlyList<Region> PlacesUnder(string code) =>
        [.. byCode.Values.Where(r => r.Level is RegionLevel.County or RegionLevel.Township && Lineage(r.Code).Contains(code)).OrderBy(r => r.Code, StringComparer.Ordinal)];
}

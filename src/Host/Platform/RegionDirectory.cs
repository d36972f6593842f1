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
}

namespace OneCard.Domain.Regions;

/// <summary>The level of an administrative division (GB/T 2260; townships use 9-digit statistical codes).</summary>
public enum RegionLevel { Province, City, County, Township }

/// <summary>An administrative division of Liaoning: province, city, county or township.</summary>
public sealed class Region
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public RegionLevel Level { get; init; }
    public string? ParentCode { get; init; }
}

using System.Reflection;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Regions;

namespace OneCard.Persistence.Seeding;

/// <summary>
/// Liaoning's divisions from the statistical division codes (province, 14 cities, their counties,
/// ~1,400 townships), shipped as an embedded CSV, plus 沈抚示范区 which the official list lacks.
/// </summary>
public static class RegionSeed
{
    /// <summary>沈抚改革创新示范区: a special unit under the province, not in GB/T 2260.</summary>
    public static readonly Region ShenfuDemonstrationZone = new() { Code = "219900", Name = "沈抚改革创新示范区", Level = RegionLevel.County, ParentCode = "210000" };

    public static IReadOnlyList<Region> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("OneCard.Persistence.regions-liaoning.csv")
            ?? throw new InvalidOperationException("The embedded region list is missing.");
        using var reader = new StreamReader(stream);
        var header = reader.ReadLine();
        if (header != "code,name,level,parent_code")
            throw new InvalidOperationException($"Unexpected region CSV header '{header}'.");
        var regions = new List<Region>();
        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Length == 0) continue;
            var parts = line.Split(',');
            if (parts.Length != 4)
                throw new InvalidOperationException($"Region CSV line {lineNo}: expected 4 fields, found {parts.Length}.");
            regions.Add(new Region
            {
                Code = parts[0],
                Name = parts[1],
                Level = Enum.Parse<RegionLevel>(parts[2], ignoreCase: true),
                ParentCode = parts[3].Length == 0 ? null : parts[3],
            });
        }
        regions.Add(ShenfuDemonstrationZone);
        return regions;
    }

    /// <summary>Inserts the regions once; re-running is a no-op.</summary>
    public static async Task EnsureSeededAsync(OneCardDbContext db, CancellationToken ct = default)
    {
        if (await db.Regions.AnyAsync(ct)) return;
        db.Regions.AddRange(Load());
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }
}

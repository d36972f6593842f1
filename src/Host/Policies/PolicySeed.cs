using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Policies;
using OneCard.Persistence;

namespace OneCard.Host.Policies;

/// <summary>
/// The shipped policy data under <c>policies/</c>: the departments (主管部门) and the province list per year. At start-up,
/// on every host (not only the demo), missing departments, lists and policy rows are inserted; what exists is left as it
/// is (a published list is immutable; a correction is a new version made by a policy officer). Inserts are keyed by
/// unique indexes, so a second host starting at once finds the row and moves on.
/// </summary>
public sealed class PolicySeed
{
    /// <summary>The workflow definition every seeded policy's applications start under.</summary>
    public const string WorkflowDefinitionId = "standard-subsidy";

    public sealed record DepartmentRow(string Code, string NameZh, string NameEn);
    public sealed record DepartmentFile(IReadOnlyList<DepartmentRow> Departments);
    public sealed record SharesRow(decimal? Central, decimal? Provincial, decimal? City, decimal? County);
    public sealed record ItemRow(int Seq, string Code, string NameZh, string NameEn, string DepartmentCode, string Basis, PolicyTarget Target,
        string TargetText, string StandardText, decimal? Amount, string? Unit, SharesRow? Shares, string? SharesNote, string Frequency,
        string PaymentMonths, DateOnly EffectiveFrom, DateOnly? EffectiveTo, PolicyItemStatus Status, string Source);
    public sealed record ListFile(string RegionCode, PolicyLevel Level, int Year, int Version, PolicyListStatus Status, string? Note, IReadOnlyList<ItemRow> Items);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() }, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public IReadOnlyList<DepartmentRow> Departments { get; }
    public IReadOnlyList<(string File, ListFile List)> Lists { get; }

    private PolicySeed(IReadOnlyList<DepartmentRow> departments, IReadOnlyList<(string, ListFile)> lists)
    {
        Departments = departments;
        Lists = lists;
    }

    /// <summary>Reads and checks every file; a bad file stops the host with each problem located (file, item, field).</summary>
    public static PolicySeed Load(string directory)
    {
        T Read<T>(string path)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) ?? throw new InvalidOperationException($"{Path.GetFileName(path)}：文件为空");
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"{Path.GetFileName(path)}：{e.Path} 无法读取（{e.Message}）", e);
            }
        }

        var departments = Read<DepartmentFile>(Path.Combine(directory, "departments.json")).Departments;
        var codes = departments.Select(d => d.Code).ToHashSet(StringComparer.Ordinal);
        var lists = new List<(string, ListFile)>();
        var problems = new List<string>();
        foreach (var path in Directory.GetFiles(directory, "*.json").Where(p => Path.GetFileName(p) != "departments.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            var list = Read<ListFile>(path);
            if (name != $"{list.RegionCode}-{list.Year.ToString(CultureInfo.InvariantCulture)}.json")
                problems.Add($"{name}：文件名应为 {list.RegionCode}-{list.Year}.json");
            problems.AddRange(PolicyList.Validate(list.Items.Select(i => ToItem(i, Guid.Empty, list.Level)).ToList(), codes)
                .Select(e => $"{name}：{e.Field}：{e.MessageZh}"));
            lists.Add((name, list));
        }
        if (problems.Count > 0)
            throw new InvalidOperationException("policies/ 种子数据有误：" + string.Join("；", problems));
        return new PolicySeed(departments, lists);
    }

    public static PolicyListItem ToItem(ItemRow r, Guid listId, PolicyLevel level) => new()
    {
        Id = Guid.CreateVersion7(), ListId = listId, Seq = r.Seq, Code = r.Code, NameZh = r.NameZh, Level = level, DepartmentCode = r.DepartmentCode,
        Basis = r.Basis, Target = r.Target, TargetText = r.TargetText, StandardText = r.StandardText, Amount = r.Amount, Unit = r.Unit,
        CentralShare = r.Shares?.Central, ProvincialShare = r.Shares?.Provincial, CityShare = r.Shares?.City, CountyShare = r.Shares?.County,
        SharesNote = r.SharesNote, Frequency = r.Frequency, PaymentMonths = r.PaymentMonths, EffectiveFrom = r.EffectiveFrom, EffectiveTo = r.EffectiveTo,
        Status = r.Status, Source = r.Source,
    };

    /// <summary>Inserts what is missing, one row at a time: a unique-key clash means another host inserted it first.</summary>
    public async Task EnsureSeededAsync(OneCardDbContext db, TimeProvider time, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        foreach (var d in Departments)
            if (!await db.Departments.AnyAsync(x => x.Code == d.Code, ct))
                await TryInsertAsync(db, new Department { Code = d.Code, NameZh = d.NameZh, NameEn = d.NameEn },
                    () => db.Departments.AnyAsync(x => x.Code == d.Code, ct), ct);

        foreach (var (_, file) in Lists)
        {
            if (await db.PolicyLists.AnyAsync(l => l.RegionCode == file.RegionCode && l.Year == file.Year && l.Version == file.Version, ct)) continue;
            var items = file.Items.Select(i => ToItem(i, Guid.Empty, file.Level));
            var list = file.Status == PolicyListStatus.Published
                ? PolicyList.Seeded(file.RegionCode, file.Level, file.Year, file.Version, now, items)
                : Draft(file, now, items);
            await TryInsertAsync(db, list,
                () => db.PolicyLists.AnyAsync(l => l.RegionCode == file.RegionCode && l.Year == file.Year && l.Version == file.Version, ct), ct);
        }

        // Policy rows: every policy the newest list of each region names (workflow standard-subsidy), inserted if missing.
        var newest = Lists.GroupBy(l => l.List.RegionCode).Select(g => g.OrderByDescending(l => l.List.Year).First().List);
        foreach (var file in newest)
            foreach (var item in file.Items)
                if (!await db.Policies.AnyAsync(p => p.Code == item.Code, ct))
                    await TryInsertAsync(db, new Policy
                    {
                        Id = Guid.CreateVersion7(), Code = item.Code, NameZh = item.NameZh, NameEn = item.NameEn, DepartmentCode = item.DepartmentCode,
                        Target = item.Target, Basis = item.Basis, Frequency = FrequencyText(item.Frequency, item.PaymentMonths),
                        WorkflowDefinitionId = WorkflowDefinitionId, Level = file.Level, RegionCode = file.RegionCode,
                    }, () => db.Policies.AnyAsync(p => p.Code == item.Code, ct), ct);
    }

    private static PolicyList Draft(ListFile file, DateTimeOffset now, IEnumerable<PolicyListItem> items)
    {
        var list = new PolicyList { Id = Guid.CreateVersion7(), RegionCode = file.RegionCode, Level = file.Level, Year = file.Year, Version = file.Version, CreatedBy = "system", CreatedAt = now };
        foreach (var item in items) { item.ListId = list.Id; list.Items.Add(item); }
        return list;
    }

    public static string FrequencyText(string frequency, string months) =>
        string.IsNullOrWhiteSpace(months) ? frequency : $"{frequency}（{months}月）";

    private static async Task TryInsertAsync<T>(OneCardDbContext db, T entity, Func<Task<bool>> exists, CancellationToken ct) where T : class
    {
        db.Add(entity);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another host inserted the same key a moment ago: theirs stands (seed rows are identical by construction).
            // Anything else (the row is still missing) is a real failure.
            db.ChangeTracker.Clear();
            if (!await exists()) throw;
        }
    }
}

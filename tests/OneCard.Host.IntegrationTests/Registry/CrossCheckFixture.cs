using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Privacy;
using OneCard.Domain.Registry;
using OneCard.Domain.Users;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Registry;

/// <summary>
/// A host for the cross-check tests, on PostgreSQL or on embedded SQLite, with a 民政 clerk in a second township
/// (<c>clerk2.civil</c>, 三面船镇) beside the demo users, and helpers to submit 低保 (minimum-living-allowance, whose v2 configures
/// Deceased, NotResident, ClaimedElsewhere, StateFunded and ExclusivePolicy) and to insert reference snapshots.
/// </summary>
public sealed class CrossCheckFixture : IAsyncDisposable
{
    public const string Policy = "minimum-living-allowance";
    public const string Township = "210124101";
    public const string OtherTownship = "210124102";

    private readonly string? sqliteFolder;

    private CrossCheckFixture(OneCardApp app, string? sqliteFolder)
    {
        App = app;
        Driver = new CaseDriver(app);
        this.sqliteFolder = sqliteFolder;
    }

    public OneCardApp App { get; }
    public CaseDriver Driver { get; }

    public static async Task<CrossCheckFixture> StartAsync(bool sqlite)
    {
        string? folder = null;
        Dictionary<string, string?>? settings = null;
        if (sqlite)
        {
            folder = Directory.CreateTempSubdirectory("onecard-crosschecks-").FullName;
            settings = new()
            {
                ["Database:Provider"] = "Sqlite",
                ["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "onecard.db")}",
                ["Jobs:SqlitePath"] = Path.Combine(folder, "onecard-jobs.db"),
            };
        }
        var app = await OneCardApp.StartAsync(settings: settings);
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var user = new User
            {
                Id = "u-clerk2.civil", UserName = "clerk2.civil", DisplayName = "孙经办（三面船镇民政）", RegionCode = OtherTownship,
                DepartmentCode = DepartmentCodes.Civil, PasswordHash = "",
            };
            user.Grant(Roles.TownshipClerk, "seed", DateTimeOffset.UnixEpoch);
            user.PasswordHash = sp.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, Demo.DemoData.Password);
            db.Users.Add(user);
            return await db.SaveChangesAsync();
        });
        return new CrossCheckFixture(app, folder);
    }

    /// <summary>A 低保 line of a household of two with no income (the standard decides the amount; none is on file for 2025, so the
    /// line is Faulted — still checked, as a faulted line may yet be paid).</summary>
    public static object Line(string name, string id, string region = Township) => new
    {
        name, idNumber = id, regionCode = region, bankAccount = Claims.Account, bankName = "邮储银行法库县支行",
        facts = new Dictionary<string, object>
        {
            ["IsRural"] = "是", ["HouseholdSize"] = 2, ["PerCapitaMonthlyIncome"] = 0, ["AssetsWithinLimit"] = "是", ["RefusedWorkThreeTimes"] = "否",
        },
    };

    public async Task<Guid> SubmitAsync(string clerk, string period, params object[] lines)
    {
        var response = await (await Driver.As(clerk)).PostAsJsonAsync("/api/applications", new { policyCode = Policy, period, lines });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Submit failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>The blind index of an ID number or an account number, as the host keys beneficiaries, accounts and snapshot rows.</summary>
    public string Hash(string idNumber) => App.Services.GetRequiredService<PersonalDataProtector>().LookupHash(idNumber);

    /// <summary>A row of a snapshot, keyed by the person's ID number.</summary>
    public sealed record Row(string IdNumber, int RowNo, string? RegionCode = null, bool? Alive = null, DateOnly? EventDate = null,
        DateOnly? EndDate = null, string? PolicyCode = null, string? Period = null, string? Detail = null, string? Account = null);

    /// <summary>Inserts a snapshot and its rows directly (the import is another helper's); <paramref name="replaced"/> marks it replaced.</summary>
    public Task<Guid> SnapshotAsync(ReferenceKind kind, string region, string source, DateOnly asOf, IReadOnlyList<Row> rows,
        string policyCode = "", bool replaced = false) =>
        App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var id = Guid.CreateVersion7();
            db.ReferenceSnapshots.Add(new ReferenceSnapshot
            {
                Id = id, Kind = kind, RegionCode = region, PolicyCode = policyCode, Source = source, AsOf = asOf, FileName = $"{kind}.csv",
                FileSha256 = new string('0', 64), Encoding = "UTF-8", RowCount = rows.Count, ImportedBy = "u-test", ImportedAt = App.Clock.GetUtcNow(),
                // A replaced snapshot points at a successor; the successor need not exist for the checks (they read ReplacedBy IS NULL).
                ReplacedBy = replaced ? Guid.CreateVersion7() : null, ReplacedAt = replaced ? App.Clock.GetUtcNow() : null,
            });
            foreach (var r in rows)
                db.ReferenceRecords.Add(new ReferenceRecord
                {
                    SnapshotId = id, RowNo = r.RowNo, IdNumberHash = Hash(r.IdNumber), RegionCode = r.RegionCode, Alive = r.Alive, EventDate = r.EventDate,
                    EndDate = r.EndDate, PolicyCode = r.PolicyCode, Period = r.Period, Detail = r.Detail,
                    AccountHash = r.Account is null ? null : Hash(r.Account),
                });
            await db.SaveChangesAsync();
            return id;
        });

    /// <summary>The hits stored for an application, as (line, check) pairs, ordered.</summary>
    public Task<List<CrossCheckHit>> HitsAsync(Guid applicationId) => App.AsSystemAsync(sp =>
        sp.GetRequiredService<OneCardDbContext>().CrossCheckHits.AsNoTracking().Where(h => h.ApplicationId == applicationId)
            .OrderBy(h => h.LineNo).ThenBy(h => h.Check).ToListAsync());

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (sqliteFolder is null) return;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(sqliteFolder, recursive: true);
    }
}

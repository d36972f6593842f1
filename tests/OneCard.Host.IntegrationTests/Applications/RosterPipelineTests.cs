using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Applications;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Demo;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>
/// Issue 9 item 5, the one-pass roster: rows flow read → validate → evaluate → protect → store in chunks (here 3 lines, so a
/// 10-line roster spans four chunks) inside one transaction. What spans chunks — the duplicate set, line numbers, totals,
/// the all-or-nothing refusal, the import's exactly-once case — is proved here, on PostgreSQL (COPY) and SQLite (EF).
/// </summary>
public abstract class RosterPipelineTests(bool sqlite) : IAsyncLifetime
{
    private const int ChunkSize = 3;
    private static readonly CurrentUser Clerk = new("u-clerk", "clerk", "王经办", Roles.TownshipClerk, DemoData.Township, null);
    private readonly string folder = Directory.CreateTempSubdirectory("onecard-pipeline-").FullName;
    private OneCardApp app = null!;

    public async Task InitializeAsync() =>
        app = await OneCardApp.StartAsync(settings: sqlite
            ? new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Sqlite",
                ["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "onecard.db")}",
                ["Jobs:SqlitePath"] = Path.Combine(folder, "onecard-jobs.db"),
            }
            : null);

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Ten demo lines (spreadsheet rows 2–11) as a CSV file, some swapped for bad ones.</summary>
    private string Csv(Func<int, string, string>? replace = null)
    {
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".csv");
        using (var file = File.Create(path)) DemoRosterFile.Write(file, 10, seed: 2026, replace: replace);
        return path;
    }

    private static string BreakId(string line)
    {
        var cells = line.Split(',');
        var id = cells[1];
        cells[1] = id[..17] + (id[17] == '0' ? '1' : '0');
        return string.Join(',', cells);
    }

    private Task<SubmitApplication.Outcome> SubmitAsync(string csv, RosterImportMode mode, Guid? importId = null) =>
        app.AsUserAsync(Clerk, async sp =>
        {
            using var roster = RosterReader.OpenFile(csv, "花名册.csv");
            return await sp.GetRequiredService<SubmitApplication.Handler>().SubmitRosterAsync(DemoData.PolicyCode, "2026", roster,
                new SubmitApplication.RosterOptions(mode, importId, ChunkSize: ChunkSize), CancellationToken.None);
        });

    private sealed record Counts(int Applications, int Lines, int Beneficiaries, int Accounts, int Audit, int Cases);

    private Task<Counts> CountAsync() => app.AsSystemAsync(async sp =>
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        return new Counts(await db.Applications.IgnoreQueryFilters().CountAsync(), await db.ClaimLines.IgnoreQueryFilters().CountAsync(),
            await db.Beneficiaries.IgnoreQueryFilters().CountAsync(), await db.BeneficiaryAccounts.IgnoreQueryFilters().CountAsync(),
            await db.AuditLog.CountAsync(), await db.WorkflowInstances.IgnoreQueryFilters().CountAsync());
    });

    [Fact]
    public async Task Pipeline_DuplicateIdAcrossChunks_IsRefusedNamingBothRows()
    {
        var lines = File.ReadAllLines(Csv());
        var firstId = lines[1].Split(',')[1]; // spreadsheet row 2, chunk 1
        var csv = Csv((row, line) => row == 10 ? line.Replace(line.Split(',')[1], firstId, StringComparison.Ordinal) : line); // chunk 3
        var before = await CountAsync();

        var outcome = await SubmitAsync(csv, RosterImportMode.RefuseWhole);

        Assert.Null(outcome.Result);
        var duplicate = Assert.Single(outcome.Errors);
        Assert.Equal(10, duplicate.Row);
        Assert.Equal("DuplicateIdInRoster", duplicate.Code);
        Assert.Equal("身份证号与第2行重复", duplicate.MessageZh);
        Assert.Equal(10, outcome.LineCount);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task Pipeline_AcceptValid_StoresExactlyTheValidLines_NumberedContiguously_WithTheirTotals()
    {
        // Rows 3 (chunk 1) and 9 (chunk 3) are bad; the other eight are stored as lines 1–8 in roster order.
        var csv = Csv((row, line) => row is 3 or 9 ? BreakId(line) : line);
        var expectedNames = File.ReadAllLines(csv).Skip(1).Where((_, i) => i + 2 is not (3 or 9)).Select(l => l.Split(',')[0]).ToList();

        var outcome = await SubmitAsync(csv, RosterImportMode.AcceptValid);

        Assert.NotNull(outcome.Result);
        Assert.Equal([3, 9], outcome.Errors.Select(e => e.Row).Distinct());
        Assert.Equal(2, outcome.Errors.Rows);
        var (application, lines) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.Applications.IgnoreQueryFilters().AsNoTracking().SingleAsync(),
                await db.ClaimLines.IgnoreQueryFilters().AsNoTracking().OrderBy(l => l.LineNo).ToListAsync());
        });
        Assert.Equal(Enumerable.Range(1, 8), lines.Select(l => l.LineNo));
        Assert.Equal(expectedNames, lines.Select(l => l.Name));
        Assert.Equal(8, application.LineCount);
        Assert.Equal(8, outcome.Result!.LineCount);
        Assert.Equal(lines.Count(l => l.Outcome == LineOutcome.Eligible), application.EligibleCount);
        Assert.True(application.PayableAmount > 0);
        Assert.Equal(lines.Where(l => l.Outcome == LineOutcome.Eligible).Sum(l => l.Amount ?? 0m), application.PayableAmount);
        Assert.Equal(application.PayableAmount, outcome.Result.PayableAmount);
        Assert.Equal(lines.Count, outcome.Result.EligibleCount + outcome.Result.IneligibleCount + outcome.Result.FaultedCount);
        var counts = await CountAsync();
        Assert.Equal(8, counts.Beneficiaries);
        Assert.Equal(8, counts.Accounts);
        Assert.True(lines.All(l => l.BeneficiaryId != Guid.Empty));
    }

    [Fact]
    public async Task Pipeline_RefuseWhole_ErrorInTheLastChunk_LeavesNoApplicationLineBeneficiaryAccountOrAuditRow()
    {
        var csv = Csv((row, line) => row == 11 ? BreakId(line) : line); // the last line, alone in chunk 4: chunks 1–3 were stored
        var before = await CountAsync();

        var outcome = await SubmitAsync(csv, RosterImportMode.RefuseWhole);

        Assert.Null(outcome.Result);
        Assert.Equal([11], outcome.Errors.Select(e => e.Row).Distinct());
        Assert.NotNull(outcome.ReportId); // the error report is stored, as for any refused roster
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task Pipeline_RefuseWhole_ReportsEveryErrorAfterTheFirst()
    {
        var csv = Csv((row, line) => row is 2 or 7 or 11 ? BreakId(line) : line);

        var outcome = await SubmitAsync(csv, RosterImportMode.RefuseWhole);

        Assert.Null(outcome.Result);
        Assert.Equal([2, 7, 11], outcome.Errors.Select(e => e.Row).Distinct());
        Assert.Equal(0, (await CountAsync()).Lines);
    }

    [Fact]
    public async Task Pipeline_TotalOverflowFoundAfterTheLastRow_RollsEverythingBack()
    {
        // v1 of the demo policy has no area bound and no ceiling (v2 added them): put v2 out of force, then two lines of the last
        // chunk each compute an amount that fits the money column (≈ 7.7e13) while the roster's total (≈ 1.5e14) does not.
        await app.AsSystemAsync(async sp =>
        {
            await sp.GetRequiredService<OneCardDbContext>().RuleSets.Where(r => r.VersionKey == DemoData.PolicyCode + "@2")
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.EffectiveFrom, new DateOnly(2099, 1, 1)));
            await sp.GetRequiredService<Host.RuleSets.RuleSetStore>().ReloadAsync(CancellationToken.None);
            return 0;
        });
        var csv = Csv((row, line) => row is 10 or 11 ? line.Replace(line.Split(',')[5], "900000000000", StringComparison.Ordinal) : line);
        var before = await CountAsync();

        var outcome = await SubmitAsync(csv, RosterImportMode.AcceptValid);

        Assert.Null(outcome.Result);
        var overflow = Assert.Single(outcome.Errors);
        Assert.Equal("TotalOutOfRange", overflow.Code);
        Assert.Equal(11, overflow.Row);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task Pipeline_ImportRerunAfterItsCaseCommitted_MakesNoSecondCase()
    {
        var csv = Csv();
        var import = new RosterImport
        {
            Id = Guid.NewGuid(), UploadedBy = Clerk.Id, RegionCode = Clerk.RegionCode, PolicyCode = DemoData.PolicyCode, Period = "2026",
            Mode = RosterImportMode.AcceptValid, FileName = "花名册.csv", SizeBytes = new FileInfo(csv).Length, Sha256 = new string('0', 64),
            SpoolPath = csv, Status = RosterImportStatus.Running, Phase = SubmitApplication.Handler.Reading, TotalBytes = new FileInfo(csv).Length,
            CreatedAt = app.Clock.GetUtcNow(),
        };
        await app.AsSystemAsync(sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            db.RosterImports.Add(import);
            return db.SaveChangesAsync();
        });
        var first = await SubmitAsync(csv, RosterImportMode.AcceptValid, import.Id);
        Assert.NotNull(first.Result);
        var after = await CountAsync();

        var rerun = await Assert.ThrowsAsync<Domain.Errors.OneCardException>(() => SubmitAsync(csv, RosterImportMode.AcceptValid, import.Id));

        Assert.Equal("RosterImportAlreadySubmitted", rerun.Code);
        Assert.Equal(after, await CountAsync());
        Assert.Equal(1, after.Applications);
        Assert.Equal(10, after.Lines);
        Assert.Equal(first.Result!.Id, (await app.AsSystemAsync(sp =>
            sp.GetRequiredService<OneCardDbContext>().RosterImports.AsNoTracking().SingleAsync(i => i.Id == import.Id))).ApplicationId);
    }
}

public sealed class RosterPipelinePostgresTests() : RosterPipelineTests(sqlite: false);

public sealed class RosterPipelineSqliteTests() : RosterPipelineTests(sqlite: true);

using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OneCard.Domain.Applications;
using OneCard.Domain.Privacy;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Demo;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Applications;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>
/// The roster's COPY store on PostgreSQL against the EF SaveChanges store: same rows, and nothing
/// left behind when the COPY fails.
/// </summary>
public sealed class SubmitApplicationBulkStoreTests
{
    private static readonly CurrentUser Clerk = new("u-clerk", "clerk", "王经办", Roles.TownshipClerk, DemoData.Township, null);

    [Fact]
    public async Task Submit_StoresSameRows_OnCopyAndEfPaths()
    {
        // One set of keys for both hosts: equal hashes, and ciphers that decrypt alike.
        var keys = new Dictionary<string, string?>
        {
            ["Keys:PersonalDataEncryption"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            ["Keys:PersonalDataLookup"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Keys:AuditChain"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        await using var ef = await OneCardApp.StartAsync(settings: new Dictionary<string, string?>(keys) { ["Database:BulkCopy"] = "false" });
        await using var copy = await OneCardApp.StartAsync(settings: new Dictionary<string, string?>(keys) { ["Database:BulkCopy"] = "true" });

        var first = FirstRoster();
        // The second roster re-names and re-banks known people and adds new ones: the upsert's both arms.
        var second = Renumber([
            .. first.Take(40).Select((l, i) => l with { Name = "更名" + l.Name, BankAccount = DemoData.MakeAccount(new Random(900 + i)) }),
            .. DemoData.Roster(seed: 43, count: 30)]);

        foreach (var app in new[] { ef, copy })
        {
            await SubmitAsync(app, first);
            app.Clock.Advance(TimeSpan.FromHours(1));
            await SubmitAsync(app, second);
        }

        var expected = await SnapshotAsync(ef);
        var actual = await SnapshotAsync(copy);
        Assert.Equal(2, expected.Applications.Count);
        Assert.Equal(first.Count + 30, expected.Beneficiaries.Count);
        Assert.Equal(first.Count + second.Count, expected.Lines.Count);
        Assert.Contains(expected.Lines, l => l.Outcome == nameof(LineOutcome.Ineligible));
        Assert.Contains(expected.Lines, l => l.WarningsJson is not null);
        Assert.Contains(expected.Beneficiaries, b => b.Name.StartsWith("更名", StringComparison.Ordinal) && b.UpdatedAt > b.CreatedAt);

        Assert.Equal(expected.Applications, actual.Applications);
        Assert.Equal(expected.Beneficiaries, actual.Beneficiaries);
        Assert.Equal(expected.Lines, actual.Lines);
        Assert.Equal(expected.Cases, actual.Cases);
        Assert.Equal(expected.Audit, actual.Audit);
    }

    [Fact]
    public async Task Submit_LeavesNothingBehind_WhenCopyFailsMidway()
    {
        await using var app = await OneCardApp.StartAsync();
        var first = DemoData.Roster(seed: 7, count: 50);
        await SubmitAsync(app, first);
        var before = await SnapshotAsync(app);

        // Line 150 of the next roster breaks a constraint: the COPY of its lines fails halfway, after its
        // beneficiaries were upserted and its application row written in the same transaction.
        await ExecuteAsync(app, """ALTER TABLE "ClaimLines" ADD CONSTRAINT "CK_Test_FailMidway" CHECK ("LineNo" <> 150)""");
        var second = Renumber([
            .. first.Select(l => l with { Name = "更名" + l.Name, BankAccount = DemoData.MakeAccount(new Random(l.Row)) }),
            .. DemoData.Roster(seed: 8, count: 250)]);
        app.Clock.Advance(TimeSpan.FromHours(1));

        // Thrown by the COPY itself (EF would wrap it in a DbUpdateException): the bulk path ran.
        var failure = await Assert.ThrowsAsync<PostgresException>(() => SubmitAsync(app, second));
        Assert.Equal(PostgresErrorCodes.CheckViolation, failure.SqlState);

        var after = await SnapshotAsync(app);
        Assert.Equal(before.Applications, after.Applications);
        Assert.Equal(before.Beneficiaries, after.Beneficiaries);
        Assert.Equal(before.Lines, after.Lines);
        Assert.Equal(before.Cases, after.Cases);
        Assert.Equal(before.Audit, after.Audit);
    }

    [Fact]
    public async Task BeneficiaryStore_WaitsForAPersonAnotherSubmissionStoresMeanwhile_AndUpdatesThem()
    {
        await using var app = await OneCardApp.StartAsync();
        var at = app.Clock.GetUtcNow();
        // Submission A stores person X and has not committed when submission B, naming X and Y, looks them up: to B both are new.
        await using var scopeA = app.Services.CreateAsyncScope();
        var dbA = scopeA.ServiceProvider.GetRequiredService<OneCardDbContext>();
        await using var transactionA = await dbA.Database.BeginTransactionAsync();
        var storedByA = await RosterStore.UpsertBeneficiariesAsync(dbA, [Person(HashX, "甲", at)], CancellationToken.None);

        await using var scopeB = app.Services.CreateAsyncScope();
        var dbB = scopeB.ServiceProvider.GetRequiredService<OneCardDbContext>();
        await using var transactionB = await dbB.Database.BeginTransactionAsync();
        var xFromB = Person(HashX, "乙", at.AddHours(1));
        var y = Person(HashY, "丙", at.AddHours(1));
        var storing = RosterStore.UpsertBeneficiariesAsync(dbB, [xFromB, y], CancellationToken.None);

        // B's insert of X waits on A's uncommitted row in the unique index; A commits, and B updates X as A stored it. A faster
        // store that copies new people straight in must keep this (the unique index would refuse B's copy).
        await WaitForALockWaitAsync(app.ConnectionString, storing);
        await transactionA.CommitAsync();
        var storedByB = await storing;
        await transactionB.CommitAsync();

        Assert.Equal(storedByA[HashX], storedByB[HashX]);
        Assert.Equal(y.Id, storedByB[HashY]);
        var stored = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Beneficiaries.IgnoreQueryFilters().AsNoTracking()
            .OrderBy(b => b.IdNumberHash).ToListAsync());
        Assert.Equal([HashX, HashY], stored.Select(b => b.IdNumberHash));
        Assert.Equal((storedByA[HashX], "乙", at, at.AddHours(1)), (stored[0].Id, stored[0].Name, stored[0].CreatedAt, stored[0].UpdatedAt));
        Assert.Equal(("丙", y.Id), (stored[1].Name, stored[1].Id));
    }

    [Fact]
    public async Task BeneficiaryStore_ReturnsAKnownPersonsStoredId_AndEveryNewOneTheirOwn_AndRefusesAPersonNamedTwice()
    {
        await using var app = await OneCardApp.StartAsync();
        var at = app.Clock.GetUtcNow();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        await using (var first = await db.Database.BeginTransactionAsync())
        {
            await RosterStore.UpsertBeneficiariesAsync(db, [Person(HashX, "甲", at)], CancellationToken.None);
            await first.CommitAsync();
        }
        var knownId = await db.Beneficiaries.IgnoreQueryFilters().Where(b => b.IdNumberHash == HashX).Select(b => b.Id).SingleAsync();

        // Only the known person comes back from the database; the new one is stored under the candidate's id.
        var x = Person(HashX, "乙", at.AddHours(1));
        var y = Person(HashY, "丙", at.AddHours(1));
        await using (var second = await db.Database.BeginTransactionAsync())
        {
            var ids = await RosterStore.UpsertBeneficiariesAsync(db, [x, y], CancellationToken.None);
            await second.CommitAsync();
            Assert.Equal(new Dictionary<string, Guid> { [HashX] = knownId, [HashY] = y.Id }, ids);
        }
        Assert.NotEqual(knownId, x.Id);
        var stored = await db.Beneficiaries.IgnoreQueryFilters().AsNoTracking().OrderBy(b => b.IdNumberHash).ToListAsync();
        Assert.Equal([(knownId, "乙", at), (y.Id, "丙", at.AddHours(1))], stored.Select(b => (b.Id, b.Name, b.CreatedAt)));

        // A chunk naming one person twice is refused before anything is staged: no one of it is stored.
        var hashZ = new string('c', 64);
        await using (var third = await db.Database.BeginTransactionAsync())
        {
            var twice = await Assert.ThrowsAsync<InvalidOperationException>(() => RosterStore.UpsertBeneficiariesAsync(db,
                [Person(hashZ, "丁", at), Person(hashZ, "戊", at)], CancellationToken.None));
            Assert.Contains("twice", twice.Message, StringComparison.Ordinal);
            await third.CommitAsync();
        }
        Assert.False(await db.Beneficiaries.IgnoreQueryFilters().AnyAsync(b => b.IdNumberHash == hashZ));
    }

    [Fact]
    public async Task ClaimLines_WithHeldReferences_AreCopiedWithoutForeignKeyTriggers_WhichAreOnAgainAfterwards()
    {
        await using var app = await OneCardApp.StartAsync();
        await SubmitAsync(app, DemoData.Roster(seed: 11, count: 3));
        var applicationId = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Applications.Select(a => a.Id).SingleAsync());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        Assert.True(await RosterStore.MaySkipForeignKeyTriggersAsync(db, CancellationToken.None)); // the tests' cluster runs as its superuser
        var stored = await RosterStore.UpsertBeneficiariesAsync(db, [Person(HashX, "甲", app.Clock.GetUtcNow())], CancellationToken.None);

        // A held set that (wrongly) names a person nobody stored: the copy takes it, so no foreign-key trigger ran and the
        // only guarantee is the held set's. (Through SubmitApplication the set is exactly what the chunk's upsert returned.)
        var nobody = Guid.CreateVersion7();
        var held = new RosterStore.HeldReferences(applicationId, new HashSet<Guid> { stored[HashX], nobody });
        Assert.Equal(2ul, await RosterStore.InsertClaimLinesAsync(db, [Line(applicationId, 10_001, stored[HashX]), Line(applicationId, 10_002, nobody)],
            held, CancellationToken.None));
        Assert.Equal("origin", await ShowReplicationRoleAsync(db));

        // Without held references the lines keep their triggers: a person nobody stored is refused by the database.
        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            RosterStore.InsertClaimLinesAsync(db, [Line(applicationId, 10_003, Guid.CreateVersion7())], null, CancellationToken.None));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
    }

    [Fact]
    public async Task ClaimLines_ReferringToRowsNotHeld_AreRefusedBeforeAnythingIsWritten()
    {
        await using var app = await OneCardApp.StartAsync();
        await SubmitAsync(app, DemoData.Roster(seed: 12, count: 3));
        var applicationId = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Applications.Select(a => a.Id).SingleAsync());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var stored = await RosterStore.UpsertBeneficiariesAsync(db, [Person(HashX, "甲", app.Clock.GetUtcNow())], CancellationToken.None);
        var held = RosterStore.HeldReferences.Of(applicationId, stored);

        // The second line names a person this chunk did not store; the first is fine and is not written either.
        var notStored = await Assert.ThrowsAsync<InvalidOperationException>(() => RosterStore.InsertClaimLinesAsync(db,
            [Line(applicationId, 10_001, stored[HashX]), Line(applicationId, 10_002, Guid.CreateVersion7())], held, CancellationToken.None));
        Assert.Contains("did not store", notStored.Message, StringComparison.Ordinal);
        var otherCase = await Assert.ThrowsAsync<InvalidOperationException>(() => RosterStore.InsertClaimLinesAsync(db,
            [Line(Guid.CreateVersion7(), 10_001, stored[HashX])], held, CancellationToken.None));
        Assert.Contains("not to " + applicationId, otherCase.Message, StringComparison.Ordinal);

        Assert.Equal(3, await db.ClaimLines.IgnoreQueryFilters().CountAsync(l => l.ApplicationId == applicationId));
        Assert.Equal("origin", await ShowReplicationRoleAsync(db));
    }

    [Fact]
    public async Task TheTablesARosterCopiesWithoutTriggers_HaveNoTriggerOfTheirOwn()
    {
        // session_replication_role = replica switches off every trigger of the session, not only the foreign keys' (which are
        // internal): a trigger added to these tables would be skipped for roster rows. Add one, and this fails: the store must
        // then keep its triggers (or run that trigger's work itself).
        await using var app = await OneCardApp.StartAsync();
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """SELECT tgrelid::regclass::text || '.' || tgname FROM pg_trigger WHERE tgrelid IN ('"ClaimLines"'::regclass, '"BeneficiaryAccounts"'::regclass) AND NOT tgisinternal""",
            connection);
        var triggers = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) triggers.Add(reader.GetString(0));
        Assert.Empty(triggers);
        // The foreign keys' own triggers are there (internal), and are what the store skips.
        await using var internals = new NpgsqlCommand(
            """SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('"ClaimLines"'::regclass, '"BeneficiaryAccounts"'::regclass) AND tgisinternal AND tgfoid = 'pg_catalog."RI_FKey_check_ins"'::regproc""",
            connection);
        Assert.Equal(3L, (long)(await internals.ExecuteScalarAsync())!); // lines → application, lines → beneficiary, account → beneficiary
    }

    [Fact]
    public async Task SkippingForeignKeyTriggers_IsForASuperuser_OrARoleGrantedTheSetting()
    {
        await using var app = await OneCardApp.StartAsync();
        var role = "onecard_plain_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        await using var admin = new NpgsqlConnection(app.ConnectionString);
        await admin.OpenAsync();
        Assert.True(await RosterStore.MaySkipForeignKeyTriggersAsync(admin, CancellationToken.None));
        await Execute(admin, $"CREATE ROLE {role} LOGIN");
        try
        {
            var asRole = new NpgsqlConnectionStringBuilder(app.ConnectionString) { Username = role, Pooling = false }.ConnectionString;
            async Task<bool> MayAsync()
            {
                await using var connection = new NpgsqlConnection(asRole);
                await connection.OpenAsync();
                return await RosterStore.MaySkipForeignKeyTriggersAsync(connection, CancellationToken.None);
            }
            Assert.False(await MayAsync());
            await Execute(admin, $"GRANT SET ON PARAMETER session_replication_role TO {role}");
            Assert.True(await MayAsync());
        }
        finally
        {
            await Execute(admin, $"REVOKE SET ON PARAMETER session_replication_role FROM {role}");
            await Execute(admin, $"DROP ROLE {role}");
        }

        static async Task Execute(NpgsqlConnection connection, string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<string> ShowReplicationRoleAsync(OneCardDbContext db)
    {
        await using var command = new NpgsqlCommand("SHOW session_replication_role", (NpgsqlConnection)db.Database.GetDbConnection());
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static ClaimLine Line(Guid applicationId, int lineNo, Guid beneficiaryId) => new()
    {
        Id = Guid.CreateVersion7(), ApplicationId = applicationId, LineNo = lineNo, BeneficiaryId = beneficiaryId, RegionCode = DemoData.Township,
        PolicyCode = DemoData.PolicyCode, Period = "2026", Name = "甲", IdNumberMasked = "2102**********0011", FactsJson = "{}",
        Outcome = LineOutcome.Ineligible, RuleResultsJson = "[]", RuleSetKey = "test",
    };

    // Two people's blind indexes: 32 bytes in hex, as LookupHash gives them (the column stores the bytes).
    private static readonly string HashX = new('a', 64);
    private static readonly string HashY = new('b', 64);

    private static Domain.Beneficiaries.Beneficiary Person(string hash, string name, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(), IdNumberHash = hash, IdNumberCipher = "cipher-" + hash, IdNumberMasked = "2102**********0011", Name = name,
        BirthDate = new DateOnly(1960, 1, 1), IsMale = true, RegionCode = DemoData.Township, CreatedAt = at, UpdatedAt = at,
    };

    /// <summary>Until a backend of the test's database waits for a lock (or <paramref name="storing"/> ended, which fails the test).</summary>
    private static async Task WaitForALockWaitAsync(string connectionString, Task storing)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while ((long)(await waiting.ExecuteScalarAsync(timeout.Token))! == 0)
        {
            Assert.False(storing.IsCompleted, "B's store ended without waiting for A's row: " + storing.Exception?.GetBaseException().Message);
            await Task.Delay(20, timeout.Token);
        }
    }

    private static IReadOnlyList<ClaimInput> FirstRoster()
    {
        var lines = DemoData.Roster(seed: 42, count: 120).ToList();
        // Warnings travel with the line: an account failing Luhn, an ID with an unknown Liaoning area code.
        lines[5] = lines[5] with { BankAccount = lines[5].BankAccount![..^1] + (lines[5].BankAccount![^1] == '0' ? '1' : '0') };
        var body = $"219999{lines[6].IdNumber![6..17]}";
        lines[6] = lines[6] with { IdNumber = body + Domain.Identity.IdNumber.CheckCharacter(body) };
        return lines;
    }

    private static IReadOnlyList<ClaimInput> Renumber(IEnumerable<ClaimInput> lines) =>
        lines.Select((l, i) => l with { Row = i + 2 }).ToList();

    private static async Task SubmitAsync(OneCardApp app, IReadOnlyList<ClaimInput> roster)
    {
        var outcome = await app.AsUserAsync(Clerk, sp => sp.GetRequiredService<SubmitApplication.Handler>()
            .SubmitAsync(DemoData.PolicyCode, "2026", ApplicationSource.Roster, roster, CancellationToken.None));
        Assert.Empty(outcome.Errors);
    }

    private static Task<int> ExecuteAsync(OneCardApp app, string sql) =>
        app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Database.ExecuteSqlRawAsync(sql));

    // Ids and case numbers are random per run; rows are compared by what they say, ciphers by what they decrypt to.
    private sealed record ApplicationRow(DateTimeOffset SubmittedAt, string PolicyCode, string Period, string RegionCode, string Source,
        string SubmittedBy, string RuleSetKey, string WorkflowKey, int LineCount, int EligibleCount, decimal PayableAmount);
    private sealed record BeneficiaryRow(string IdNumberHash, string IdNumber, string IdNumberMasked, string Name, DateOnly BirthDate,
        bool IsMale, string RegionCode, string? BankAccount, string? BankAccountMasked, string? BankName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
    private sealed record LineRow(DateTimeOffset SubmittedAt, int LineNo, string BeneficiaryHash, string RegionCode, string PolicyCode, string Period,
        string Name, string IdNumberMasked, string FactsJson, decimal? Amount, string Outcome, string? ReasonZh, string? ReasonEn,
        string RuleResultsJson, string RuleSetKey, string? WarningsJson, bool Sampled, string? SampleResult);
    private sealed record CaseRow(DateTimeOffset SubmittedAt, string Step, DateTimeOffset? StepDueAt, int Events, string Tasks);
    private sealed record AuditRow(long Seq, string Action, string EntityType, string RegionCode, string ActorId, DateTimeOffset At);
    private sealed record Snapshot(List<ApplicationRow> Applications, List<BeneficiaryRow> Beneficiaries, List<LineRow> Lines,
        List<CaseRow> Cases, List<AuditRow> Audit);

    private static Task<Snapshot> SnapshotAsync(OneCardApp app) => app.AsSystemAsync(async sp =>
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        var protector = sp.GetRequiredService<PersonalDataProtector>();
        var applications = await db.Applications.AsNoTracking().OrderBy(a => a.SubmittedAt).ToListAsync();
        var submittedAt = applications.ToDictionary(a => a.Id, a => a.SubmittedAt);
        var beneficiaries = await db.Beneficiaries.AsNoTracking().ToListAsync();
        var hashOf = beneficiaries.ToDictionary(b => b.Id, b => b.IdNumberHash);
        var lines = await db.ClaimLines.AsNoTracking().ToListAsync();
        var instances = await db.WorkflowInstances.AsNoTracking().Include(i => i.History).ToListAsync();
        var tasks = await db.Tasks.AsNoTracking().ToListAsync();
        var audit = await db.AuditLog.AsNoTracking().OrderBy(a => a.Seq).ToListAsync();
        return new Snapshot(
            applications.Select(a => new ApplicationRow(a.SubmittedAt, a.PolicyCode, a.Period, a.RegionCode, a.Source.ToString(), a.SubmittedBy,
                a.RuleSetKey, a.WorkflowKey, a.LineCount, a.EligibleCount, a.PayableAmount)).ToList(),
            beneficiaries.OrderBy(b => b.IdNumberHash, StringComparer.Ordinal).Select(b => new BeneficiaryRow(b.IdNumberHash,
                protector.Decrypt(b.IdNumberCipher), b.IdNumberMasked, b.Name, b.BirthDate, b.IsMale, b.RegionCode,
                b.BankAccountCipher is null ? null : protector.Decrypt(b.BankAccountCipher), b.BankAccountMasked, b.BankName,
                b.CreatedAt, b.UpdatedAt)).ToList(),
            lines.Select(l => new LineRow(submittedAt[l.ApplicationId], l.LineNo, hashOf[l.BeneficiaryId], l.RegionCode, l.PolicyCode, l.Period,
                l.Name, l.IdNumberMasked, l.FactsJson, l.Amount, l.Outcome.ToString(), l.ReasonZh, l.ReasonEn, l.RuleResultsJson, l.RuleSetKey,
                l.WarningsJson, l.Sampled, l.SampleResult?.ToString()))
                .OrderBy(l => l.SubmittedAt).ThenBy(l => l.LineNo).ToList(),
            instances.Select(i => new CaseRow(submittedAt[i.SubjectId], i.Step, i.StepDueAt, i.History.Count,
                string.Join(";", tasks.Where(t => t.InstanceId == i.Id).Select(t => $"{t.Role}/{t.Status}/{t.RegionCode}/{t.DueAt:O}")))).OrderBy(c => c.SubmittedAt).ToList(),
            audit.Select(a => new AuditRow(a.Seq, a.Action, a.EntityType, a.RegionCode, a.ActorId, a.At)).ToList());
    });
}

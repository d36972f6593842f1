// Payments benchmark (issue 8, item 10): the bank file of a 1,000,000-line batch and the import of its results, against
// PostgreSQL's own COPY … TO, and COPY … FROM plus one set-based UPDATE of the same rows, measured in the same run.
//
// Setup (untimed): one real case is driven to Payment through the API (a real batch, agreement, keys, application, claim
// lines), then its batch is grown set-based to N lines by cloning its template rows — N beneficiaries, N claim lines and N
// instructions, each with its own ids, line number, blind index and sequence number (so no unique index is bypassed) — and
// the batch's line count and total are set to match.
//
// (a) generate: BankFiles.Handler.BankFileAsync — read in sequence order, decrypt each account (SM4-GCM), CSV in the
//     agreement's format with formula neutralisation, SM4-CBC encrypt and HMAC-SM3 sign, stream to a temporary file, audit;
//     the download then copied to a file. Run twice, as (A) is: the first download in a process also pays for compiling its
//     path (the tiered JIT runs the hot loops unoptimised and instrumented at first); the ratio is the second's, and the
//     first's is printed beside it.
// (A) baseline: COPY (SELECT the same columns of the same rows ORDER BY seq) TO STDOUT, into a file; before and after (a),
//     the better of the two.
// `bench/run.sh payments N file` stops after (a), (A) and (a)'s profile.
// (b) import: BankFiles.Handler.ImportResultsAsync on the demo bank's sealed result file (1 line in 1,000 failed) — spool,
//     verify the MAC, decrypt, parse and check every row, COPY into a temporary table, UPDATE instructions and claim lines,
//     record the import, audit, move the batch's case; commit. A case this large has its publication (公开) queued as a job.
// (p) publication, timed on its own after (b): the job that moves the application's case to 公开 and writes its public
//     notice of every paid line, in its own transaction (Publication.RunAsync). Not part of (b)'s ratio: the finance
//     officer's import has answered by then; it is printed so that nothing the import used to do goes unmeasured.
// (B) baseline: COPY FROM STDIN (binary) of (seq, paid, message) into a temporary table plus one set-based UPDATE of the
//     same instructions, in a transaction that is rolled back (so (b) still finds every line pending).
// Both meet the same table: VACUUM ANALYZE (untimed) after the setup, whose million fresh rows would otherwise have their
// hint bits set by whichever side reads them first, and again after (B)'s rollback, which leaves a dead version of every
// instruction and an index entry for each. Without the second, (b) paid for (B)'s dead rows: its update of the instructions
// took 12.2 s at 300,000 lines against 7.6 s for the same update in (B).
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OneCard.Domain.Cases;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Host.Cases;
using OneCard.Host.Demo;
using OneCard.Host.Payments;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Bench;

internal static class PaymentsBench
{
    public static async Task RunAsync(string[] args)
    {
        var lines = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        // `file`: (a) and (A) with (a)'s profile only, no import (a quicker loop when working on the bank file).
        var fileOnly = args.Length > 1 && args[1] == "file";
        Console.WriteLine($"OneCard payments benchmark: bank file of {lines:N0} lines and the import of its results, against COPY baselines in the same run.");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs (shared; figures are noisy).");
        await using var app = await OneCardApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Fatal",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Error",
            // The grown case is large at any size the bench is run at (its application row still counts the template's lines).
            ["Payments:PublishInlineUpTo"] = "0",
        });

        var (applicationId, batchId) = await PaymentCaseAsync(app);
        var watch = Stopwatch.StartNew();
        await GrowAsync(app.ConnectionString, applicationId, batchId, lines);
        // Allocated to a budget indicator and released to its bank as finance would, at its grown total.
        await BatchRelease.EnsureReleasedAsync(await app.SignInAsync("finance"), batchId);
        await VacuumAsync(app.ConnectionString);
        Console.WriteLine($"setup: batch grown to {lines:N0} lines, allocated and released in {watch.Elapsed.TotalSeconds:F1} s (untimed)");

        var work = Path.Combine(Path.GetTempPath(), $"onecard-payments-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            // (A) COPY … TO, then (a) our file; (A) again after, so that cache warmth favours neither.
            var copyTo1 = await CopyToAsync(app.ConnectionString, batchId, Path.Combine(work, "copy-to-1.txt"));
            var bankFile = Path.Combine(work, "instructions.bank");
            // (a) twice, as (A) runs twice: the first download in a process also JIT-compiles the writer's path (and runs its hot
            // loops in the unoptimised and instrumented tiers until they are promoted); the second is what every later download
            // of a running host costs. Both are printed; the ratio is the second's against the better (A).
            var cold = await GenerateAsync(app, batchId, bankFile, lines);
            var warm = await GenerateAsync(app, batchId, bankFile, lines);
            var copyTo2 = await CopyToAsync(app.ConnectionString, batchId, Path.Combine(work, "copy-to-2.txt"));
            var copyTo = Math.Min(copyTo1, copyTo2);
            var generate = warm.Seconds;
            Console.WriteLine($"(a) bank file {generate:F2} s = {lines / generate:N0} lines/s (the first download in the process: {cold.Seconds:F2} s); " +
                              $"(A) COPY TO {copyTo1:F2} s and {copyTo2:F2} s; (a)/(A) {generate / copyTo:F2}x (the first download's: {cold.Seconds / copyTo:F2}x)");
            foreach (var (name, run) in new[] { ("first", cold), ("second", warm) })
            {
                Console.WriteLine($"    (a) {name} download by phase: " + string.Join("; ", run.Phases.Select(p => $"{p.Phase} {p.Elapsed.TotalSeconds:F2} s"))
                    + $"; the download copied to a file {run.Seconds - run.Handed:F2} s");
                Console.WriteLine($"    (a) {name} download: host CPU {run.Cpu:F2} s in {run.Seconds:F2} s on {Environment.ProcessorCount} cores; GC paused {run.Paused:F2} s in {run.Collections} collections; allocated {run.AllocatedPerLine:N0} B per line; CPU {run.BothSides}");
            }
            // Where (a)'s time goes: the same rows read through EF as the writer reads them, then also unsealed — no CSV, no file.
            var (read, unseal, readBytes, unsealBytes) = await ReadStagesAsync(app, batchId);
            Console.WriteLine($"    of which: reading the rows through EF {read:F2} s; reading and unsealing each account {unseal:F2} s (the rest: CSV, SM4-CBC + HMAC-SM3 on a second core, file)");
            Console.WriteLine($"    allocated per line: reading the rows {readBytes:N0} B; reading and unsealing {unsealBytes:N0} B");
            await ProfileGenerationAsync(app, batchId, bankFile);
            if (fileOnly) return;

            // The bank's answer (untimed): the demo bank opens the file with the agreement's keys and fails 1 line in 1,000.
            var resultFile = Path.Combine(work, "results.bank");
            watch.Restart();
            await using (var scope = app.Services.CreateAsyncScope())
            {
                scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
                var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
                var batch = await db.PaymentBatches.AsNoTracking().SingleAsync(b => b.Id == batchId);
                var agreement = await db.BankAgreements.AsNoTracking().SingleAsync(a => a.Id == batch.AgreementId);
                var keys = BankFileKeys.For(agreement, scope.ServiceProvider.GetRequiredService<PersonalDataProtector>());
                var format = scope.ServiceProvider.GetRequiredService<BankFormatCatalog>().Get(agreement.FileFormat);
                await using var input = File.OpenRead(bankFile);
                await using var output = File.Create(resultFile);
                DemoBank.Respond(input, output, keys, format, seq => seq % 1000 == 0);
            }
            Console.WriteLine($"demo bank answered in {watch.Elapsed.TotalSeconds:F1} s (untimed); instruction file {new FileInfo(bankFile).Length / 1e6:F1} MB, result file {new FileInfo(resultFile).Length / 1e6:F1} MB");

            // (B) COPY … FROM + one UPDATE, rolled back; then (b) the import.
            var copyFrom = await CopyFromAndUpdateAsync(app.ConnectionString, batchId, lines);
            // The rolled-back UPDATE left a dead version of every instruction and an index entry for each: cleared, untimed,
            // as autovacuum would between two imports, so that (b) meets the table (B) met.
            watch.Restart();
            await VacuumAsync(app.ConnectionString);
            Console.WriteLine($"    (B)'s dead rows vacuumed in {watch.Elapsed.TotalSeconds:F1} s (untimed)");
            watch.Restart();
            IReadOnlyList<(string Phase, TimeSpan Elapsed)> phases = [];
            var summary = await AsFinanceAsync(app, async h =>
            {
                await using var file = File.OpenRead(resultFile);
                var (s, errors) = await h.ImportResultsAsync(batchId, file, CancellationToken.None);
                if (errors.Total > 0) throw new InvalidOperationException("Import refused: " + string.Join("; ", errors.Take(5).Select(BankFiles.Describe)));
                phases = h.Phases.ToList();
                return s!;
            });
            var import = watch.Elapsed.TotalSeconds;
            Console.WriteLine("    (b) by phase: " + string.Join("; ", phases.Select(p => $"{p.Phase} {p.Elapsed.TotalSeconds:F2} s")));
            if (!summary.PublicationQueued) throw new InvalidOperationException("The import published inline: (b) would include (p).");
            watch.Restart();
            var step = await app.Services.GetRequiredService<Publication>().RunAsync(applicationId, CancellationToken.None);
            var publication = watch.Elapsed.TotalSeconds;
            Console.WriteLine($"(p) publication job {publication:F2} s = {lines / publication:N0} lines/s; the case moved to {step}");
            await ProfileImportAsync(app, batchId, resultFile);
            Console.WriteLine($"(b) import {import:F2} s = {lines / import:N0} lines/s; (B) COPY FROM + UPDATE {copyFrom:F2} s; (b)/(B) {import / copyFrom:F2}x");
            if (summary.Applied != lines || summary.BatchStatus != "Reconciled")
                throw new InvalidOperationException($"Import applied {summary.Applied} of {lines}, batch {summary.BatchStatus}.");

            Console.WriteLine();
            Console.WriteLine($"{"mode",-58} {"lines",10} {"s",8} {"lines/s",12}");
            void Row(string name, double seconds) => Console.WriteLine($"{name,-58} {lines,10:N0} {seconds,8:F2} {lines / seconds,12:N0}");
            Row("(a) bank file: read, decrypt, CSV, SM4 + HMAC-SM3, stream", generate);
            Row("(A) baseline COPY … TO STDOUT (same rows, best of 2)", copyTo);
            Row("(b) result import: verify, decrypt, check, COPY, UPDATE", import);
            Row("(B) baseline COPY … FROM + one set-based UPDATE", copyFrom);
            Row("(p) publication job (after the import, not in (b))", publication);
            Console.WriteLine($"(a)/(A) time: {generate / copyTo:F2}x   (b)/(B) time: {import / copyFrom:F2}x   target: within 2x");
            Console.WriteLine($"import: {summary.Lines:N0} rows, {summary.Applied:N0} applied, batch {summary.BatchStatus}, publication queued; after the job the application is in {step}");
            if (step != "Publicized") throw new InvalidOperationException($"The publication job left the case in {step ?? "its step"}.");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static double Seconds(Action work)
    {
        var watch = Stopwatch.StartNew();
        work();
        return watch.Elapsed.TotalSeconds;
    }

    private static (BankFileKeys Keys, BankFileFormat Format) KeysAndFormat(OneCardApp app, Guid batchId)
    {
        using var scope = app.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var batch = db.PaymentBatches.AsNoTracking().Single(b => b.Id == batchId);
        var agreement = db.BankAgreements.AsNoTracking().Single(a => a.Id == batch.AgreementId);
        return (BankFileKeys.For(agreement, scope.ServiceProvider.GetRequiredService<PersonalDataProtector>()),
            scope.ServiceProvider.GetRequiredService<BankFormatCatalog>().Get(agreement.FileFormat));
    }

    private static byte[] OpenClear(string path, BankFileKeys keys, out double verify, out double decrypt)
    {
        using var file = File.OpenRead(path);
        var (_, iv, headerLength) = BankFileEnvelope.ReadHeader(file);
        var ok = false;
        verify = Seconds(() => ok = BankFileEnvelope.Verify(file, headerLength, keys));
        if (!ok) throw new InvalidOperationException("The file does not verify.");
        var clear = new MemoryStream();
        decrypt = Seconds(() =>
        {
            using var stream = BankFileEnvelope.OpenRead(file, headerLength, iv, keys);
            stream.CopyTo(clear, 1 << 16);
        });
        return clear.ToArray();
    }

    /// <summary>
    /// (a)'s phases one by one, each alone on one core (the writer overlaps them on two): CSV with and without the formula
    /// neutralising, from rows already read and unsealed; SM4-CBC of the clear CSV (BouncyCastle's <c>SM4Engine</c> and the
    /// T-table <see cref="Sm4"/>); HMAC-SM3 of the ciphertext; writing the file.
    /// </summary>
    private static async Task ProfileGenerationAsync(OneCardApp app, Guid batchId, string bankFile)
    {
        var (keys, format) = KeysAndFormat(app, batchId);
        var clear = OpenClear(bankFile, keys, out var verify, out var decrypt);
        var rows = new List<string[]>();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
            var decryptor = scope.ServiceProvider.GetRequiredService<PersonalDataProtector>().CreateDecryptor();
            await foreach (var r in db.PaymentInstructions.AsNoTracking().Where(i => i.BatchId == batchId).OrderBy(i => i.Seq)
                               .Select(i => new { i.Seq, i.PayeeName, i.AccountCipher, i.Amount, i.PolicyCode, i.Period }).AsAsyncEnumerable())
                rows.Add([r.Seq.ToString(CultureInfo.InvariantCulture), r.PayeeName, decryptor.Decrypt(r.AccountCipher), r.Amount.ToString("0.00", CultureInfo.InvariantCulture), r.PolicyCode, r.Period]);
        }
        double Csv(bool neutralise) => Seconds(() =>
        {
            using var text = new StreamWriter(Stream.Null, BankFileSetup.EncodingOf(format), 1 << 16);
            using var csv = new CsvHelper.CsvWriter(text, BankFileSetup.CsvConfig(format));
            foreach (var row in rows)
            {
                foreach (var cell in row) csv.WriteField(neutralise ? BankCsv.Neutralise(cell) : cell);
                csv.NextRecord();
            }
        });
        var csvPlain = Csv(neutralise: false);
        var csvNeutralised = Csv(neutralise: true);
        var padded = new byte[(clear.Length / 16 + 1) * 16];
        clear.CopyTo(padded, 0);
        var bc = Seconds(() =>
        {
            var cbc = new Org.BouncyCastle.Crypto.Modes.CbcBlockCipher(new Org.BouncyCastle.Crypto.Engines.SM4Engine());
            cbc.Init(true, new Org.BouncyCastle.Crypto.Parameters.ParametersWithIV(new Org.BouncyCastle.Crypto.Parameters.KeyParameter(keys.EncryptionKey), new byte[16]));
            var output = new byte[16];
            for (var at = 0; at < padded.Length; at += 16) cbc.ProcessBlock(padded, at, output, 0);
        });
        var table = Seconds(() => new Sm4(keys.EncryptionKey, forEncryption: true).EncryptCbc(new byte[16], padded, new byte[padded.Length]));
        var mac = Seconds(() =>
        {
            var hmac = new Org.BouncyCastle.Crypto.Macs.HMac(new Org.BouncyCastle.Crypto.Digests.SM3Digest());
            hmac.Init(new Org.BouncyCastle.Crypto.Parameters.KeyParameter(keys.SigningKey));
            hmac.BlockUpdate(padded, 0, padded.Length);
            hmac.DoFinal(new byte[32], 0);
        });
        var path = bankFile + ".copy";
        var write = Seconds(() => File.WriteAllBytes(path, padded));
        File.Delete(path);
        Console.WriteLine($"    (a) phases alone ({clear.Length / 1e6:F1} MB of CSV): CSV {csvPlain:F2} s, with formula neutralising {csvNeutralised:F2} s; " +
                          $"SM4-CBC BouncyCastle SM4Engine {bc:F2} s, T-table Sm4 {table:F2} s; HMAC-SM3 {mac:F2} s; write the file {write:F2} s; " +
                          $"(the bank side: verify {verify:F2} s, decrypt {decrypt:F2} s)");
    }

    /// <summary>(b)'s file phases alone: verify, decrypt, parse (the reader's rows, no checks).</summary>
    private static Task ProfileImportAsync(OneCardApp app, Guid batchId, string resultFile)
    {
        var (keys, format) = KeysAndFormat(app, batchId);
        var clear = OpenClear(resultFile, keys, out var verify, out var decrypt);
        var count = 0;
        var parse = Seconds(() =>
        {
            var (reader, errors) = BankResultReader.Open(new MemoryStream(clear), format);
            if (reader is null) throw new InvalidOperationException(string.Join("; ", errors.Select(BankFiles.Describe)));
            using (reader) foreach (var _ in reader.Rows()) count++;
        });
        Console.WriteLine($"    (b) file phases alone: verify HMAC-SM3 {verify:F2} s; decrypt SM4-CBC {decrypt:F2} s; parse {count:N0} rows {parse:F2} s");
        return Task.CompletedTask;
    }

    /// <summary>Reading the batch's rows as <c>BankFileWriter</c> does, alone and with each account unsealed: (a)'s cost split.</summary>
    private static async Task<(double Read, double Unseal, double ReadBytesPerLine, double UnsealBytesPerLine)> ReadStagesAsync(OneCardApp app, Guid batchId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var decryptor = scope.ServiceProvider.GetRequiredService<PersonalDataProtector>().CreateDecryptor();
        async Task<(double Seconds, double BytesPerLine)> Time(bool unseal)
        {
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            long length = 0, count = 0;
            await foreach (var row in db.PaymentInstructions.AsNoTracking().Where(i => i.BatchId == batchId).OrderBy(i => i.Seq)
                               .Select(i => new { i.Seq, i.PayeeName, i.AccountCipher, i.Amount, i.PolicyCode, i.Period, i.AccountType, i.AgentBankCode })
                               .AsAsyncEnumerable())
            {
                length += unseal ? decryptor.Decrypt(row.AccountCipher).Length : row.AccountCipher.Length;
                count++;
            }
            return length > 0 ? (watch.Elapsed.TotalSeconds, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count) : (double.NaN, double.NaN);
        }
        var (read, readBytes) = await Time(unseal: false);
        var (unsealed, unsealBytes) = await Time(unseal: true);
        return (read, unsealed, readBytes, unsealBytes);
    }

    private sealed record Generation(double Seconds, double Handed, IReadOnlyList<(string Phase, TimeSpan Elapsed)> Phases, double Cpu, double Paused,
        int Collections, double AllocatedPerLine, string BothSides);

    /// <summary>(a) once: the finance officer's download, handed over as a stream and copied to <paramref name="path"/>.</summary>
    private static async Task<Generation> GenerateAsync(OneCardApp app, Guid batchId, string path, int lines)
    {
        var (cpuBefore, pausedBefore, collectionsBefore) = (Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalPauseDuration(), GC.CollectionCount(0));
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var meter = new CpuMeter();
        var watch = Stopwatch.StartNew();
        IReadOnlyList<(string Phase, TimeSpan Elapsed)> phases = [];
        var handed = TimeSpan.Zero;
        await AsFinanceAsync(app, async h =>
        {
            var (_, content) = await h.BankFileAsync(batchId, CancellationToken.None);
            phases = h.Phases.ToList();
            handed = watch.Elapsed;
            await using (content)
            await using (var file = File.Create(path)) await content.CopyToAsync(file);
        });
        var seconds = watch.Elapsed.TotalSeconds;
        return new Generation(seconds, handed.TotalSeconds, phases, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds,
            (GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds, GC.CollectionCount(0) - collectionsBefore,
            (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)lines, meter.Report());
    }

    private static async Task<T> AsFinanceAsync<T>(OneCardApp app, Func<BankFiles.Handler, Task<T>> work)
    {
        var finance = DemoData.Users.Single(u => u.UserName == "finance");
        var user = new CurrentUser("u-finance", "finance", finance.DisplayName, OneCard.Domain.Users.Roles.Ordered(finance.Roles), finance.Region, finance.Organisation, finance.Department);
        return await app.AsUserAsync(user, sp => work(sp.GetRequiredService<BankFiles.Handler>()));
    }

    private static Task AsFinanceAsync(OneCardApp app, Func<BankFiles.Handler, Task> work) => AsFinanceAsync(app, async h => { await work(h); return true; });

    /// <summary>A five-line case driven to Payment through the API, and its batch (still to be allocated and released).</summary>
    private static async Task<(Guid Application, Guid Batch)> PaymentCaseAsync(OneCardApp app)
    {
        var clerk = await app.SignInAsync("clerk");
        var submitted = await clerk.PostAsJsonAsync("/api/applications", new { policyCode = "arable-land-protection", period = "2026", lines = Claims.FiveLines() });
        submitted.EnsureSuccessStatusCode();
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        async Task Act(string user, string action) =>
            (await (await app.SignInAsync(user)).PostAsJsonAsync($"/api/applications/{id}/actions/{action}", new { comment = (string?)null })).EnsureSuccessStatusCode();
        await Act("clerk.review", "Approve");
        await Act("reviewer", "Approve");
        var inspector = await app.SignInAsync("inspector");
        foreach (var line in (await inspector.GetFromJsonAsync<JsonElement>($"/api/applications/{id}")).GetProperty("lines").EnumerateArray())
            (await inspector.PostAsJsonAsync($"/api/applications/{id}/lines/{line.GetProperty("lineNo").GetInt32()}/sample-result", new { passed = true, note = "一致" })).EnsureSuccessStatusCode();
        await Act("inspector", "Complete");
        app.Clock.Advance(TimeSpan.FromDays(8));
        await app.Services.GetRequiredService<StepTimerJob>().RunAsync(SubjectKinds.Application, id, "Publicity", default);
        await Act("finance", "Approve");
        var batch = (await (await app.SignInAsync("finance")).GetFromJsonAsync<JsonElement>($"/api/payments/batches?applicationId={id}")).EnumerateArray().Single();
        return (id, batch.GetProperty("id").GetGuid());
    }

    /// <summary>Clones the batch's first instruction, its claim line and beneficiary to <paramref name="lines"/> of each, set-based.</summary>
    private static async Task GrowAsync(string connectionString, Guid applicationId, Guid batchId, int lines)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        async Task<List<string>> Columns(string table)
        {
            var columns = new List<string>();
            await using var cmd = new NpgsqlCommand("SELECT column_name FROM information_schema.columns WHERE table_name = @t ORDER BY ordinal_position", connection);
            cmd.Parameters.AddWithValue("t", table);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
            return columns;
        }
        string Clone(string table, List<string> columns, string template, IReadOnlyDictionary<string, string> overrides) =>
            $"""
            INSERT INTO "{table}" ({string.Join(", ", columns.Select(c => $"\"{c}\""))})
            SELECT {string.Join(", ", columns.Select(c => overrides.TryGetValue(c, out var e) ? e : $"t.\"{c}\""))}
            FROM generate_series(1, @n) g CROSS JOIN ({template}) t;
            """;
        var beneficiary = Clone("Beneficiaries", await Columns("Beneficiaries"),
            """SELECT b.* FROM "Beneficiaries" b JOIN "PaymentInstructions" i ON i."BeneficiaryId" = b."Id" WHERE i."BatchId" = @batch AND i."Seq" = 1""",
            new Dictionary<string, string> { ["Id"] = "md5('bench-b' || g)::uuid", ["IdNumberHash"] = "sha256(('bench-h' || g)::bytea)" });
        var line = Clone("ClaimLines", await Columns("ClaimLines"),
            """SELECT l.* FROM "ClaimLines" l JOIN "PaymentInstructions" i ON i."ClaimLineId" = l."Id" WHERE i."BatchId" = @batch AND i."Seq" = 1""",
            new Dictionary<string, string> { ["Id"] = "md5('bench-l' || g)::uuid", ["LineNo"] = "100000 + g", ["BeneficiaryId"] = "md5('bench-b' || g)::uuid" });
        var instruction = Clone("PaymentInstructions", await Columns("PaymentInstructions"),
            """SELECT i.* FROM "PaymentInstructions" i WHERE i."BatchId" = @batch AND i."Seq" = 1""",
            new Dictionary<string, string>
            {
                ["Id"] = "md5('bench-i' || g)::uuid", ["Seq"] = "1000 + g", ["ClaimLineId"] = "md5('bench-l' || g)::uuid", ["BeneficiaryId"] = "md5('bench-b' || g)::uuid",
                // Amounts vary (1.00 – 99.99) so the totals are checked for real.
                ["Amount"] = "(1 + (g % 9899) / 100.0)::numeric(18,2)",
            });
        // The five real instructions stay; the clones make up the rest.
        var extra = lines - await Scalar<int>(connection, """SELECT count(*)::int FROM "PaymentInstructions" WHERE "BatchId" = @batch""", batchId, 0);
        if (Environment.GetEnvironmentVariable("BENCH_FILLFACTOR") is { } ff)
        {
            await using var alter = new NpgsqlCommand($"ALTER TABLE \"ClaimLines\" SET (fillfactor = {int.Parse(ff, CultureInfo.InvariantCulture)})", connection);
            await alter.ExecuteNonQueryAsync();
        }
        // The migration sets 60 (room for HOT updates); BENCH_FILLFACTOR overrides it for an experiment.
        await using (var fill = new NpgsqlCommand("""
            SELECT coalesce((SELECT option_value FROM pg_options_to_table(c.reloptions) WHERE option_name = 'fillfactor'), '100')
            FROM pg_class c WHERE c.relname = 'ClaimLines'
            """, connection))
            Console.WriteLine($"setup: ClaimLines fillfactor {await fill.ExecuteScalarAsync()}");
        await using var cmd = new NpgsqlCommand($"""
            {beneficiary}
            {line}
            {instruction}
            UPDATE "PaymentBatches" b SET "LineCount" = s.n, "TotalAmount" = s.total
            FROM (SELECT count(*)::int n, sum("Amount") total FROM "PaymentInstructions" WHERE "BatchId" = @batch) s WHERE b."Id" = @batch;
            ANALYZE;
            """, connection) { CommandTimeout = 3600 };
        cmd.Parameters.AddWithValue("batch", batchId);
        cmd.Parameters.AddWithValue("n", extra);
        await cmd.ExecuteNonQueryAsync();
        _ = applicationId;
    }

    /// <summary>VACUUM ANALYZE of the tables the import updates, outside any transaction.</summary>
    private static async Task VacuumAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""VACUUM (ANALYZE) "PaymentInstructions", "ClaimLines", "PaymentBatches" """, connection) { CommandTimeout = 3600 };
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql, Guid batchId, int n)
    {
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        cmd.Parameters.AddWithValue("batch", batchId);
        cmd.Parameters.AddWithValue("n", n);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>(A): COPY of the same columns the file carries, of the same rows in the same order, to a file.</summary>
    private static async Task<double> CopyToAsync(string connectionString, Guid batchId, string path)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var meter = new CpuMeter();
        var watch = Stopwatch.StartNew();
        using (var reader = await connection.BeginTextExportAsync($"""
            COPY (SELECT i."Seq", i."PayeeName", i."AccountCipher", i."Amount", i."PolicyCode", i."Period"
                  FROM "PaymentInstructions" i WHERE i."BatchId" = '{batchId}' ORDER BY i."Seq") TO STDOUT (FORMAT CSV)
            """))
        await using (var file = File.CreateText(path))
        {
            var buffer = new char[1 << 16];
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0) await file.WriteAsync(buffer.AsMemory(0, n));
        }
        Console.WriteLine($"    (A) COPY TO {watch.Elapsed.TotalSeconds:F2} s: CPU {meter.Report()}");
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>(B): COPY FROM of every line's result into a temporary table and one UPDATE of the same instructions, rolled back.</summary>
    private static async Task<double> CopyFromAndUpdateAsync(string connectionString, Guid batchId, int lines)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var seqs = new List<int>(lines);
        await using (var cmd = new NpgsqlCommand("""SELECT "Seq" FROM "PaymentInstructions" WHERE "BatchId" = @batch ORDER BY "Seq" """, connection))
        {
            cmd.Parameters.AddWithValue("batch", batchId);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) seqs.Add(reader.GetInt32(0));
        }
        var watch = Stopwatch.StartNew();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE baseline_results (seq integer NOT NULL, paid boolean NOT NULL, message text) ON COMMIT DROP", connection, tx))
            await create.ExecuteNonQueryAsync();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY baseline_results (seq, paid, message) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var seq in seqs)
            {
                await writer.StartRowAsync();
                writer.Write(seq, NpgsqlDbType.Integer);
                writer.Write(seq % 1000 != 0, NpgsqlDbType.Boolean);
                if (seq % 1000 == 0) writer.Write("账户已销户", NpgsqlDbType.Text); else writer.WriteNull();
            }
            await writer.CompleteAsync();
        }
        await using (var update = new NpgsqlCommand("""
            UPDATE "PaymentInstructions" AS i SET "Status" = CASE WHEN r.paid THEN 'Succeeded' ELSE 'Failed' END, "BankMessage" = r.message, "ResultAt" = now()
            FROM baseline_results r WHERE i."BatchId" = @batch AND i."Seq" = r.seq AND i."Status" = 'Pending'
            """, connection, tx) { CommandTimeout = 3600 })
        {
            update.Parameters.AddWithValue("batch", batchId);
            var updated = await update.ExecuteNonQueryAsync();
            if (updated != lines) throw new InvalidOperationException($"The baseline updated {updated} rows, not {lines}.");
        }
        var seconds = watch.Elapsed.TotalSeconds;
        await tx.RollbackAsync();
        return seconds;
    }
}

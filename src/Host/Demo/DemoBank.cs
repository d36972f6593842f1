using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Host.Payments;
using OneCard.Persistence;

namespace OneCard.Host.Demo;

/// <summary>
/// A demo agent bank: it opens an instruction file with its agreement's keys (checking the signature as a bank would), pays
/// every line but the chosen ones, and returns a result file (回盘) in the agreement's format, encrypted and signed the same
/// way. The demo data, tests, specs and the benchmark all use it; it streams, so it answers a million lines too.
/// </summary>
public static class DemoBank
{
    public const string DefaultReason = "账户已销户";

    /// <summary>The result file for <paramref name="instructionFile"/>, failing <paramref name="failSeqs"/> with <paramref name="reason"/>.</summary>
    public static async Task<byte[]> RespondAsync(IServiceProvider services, byte[] instructionFile, IReadOnlyCollection<int> failSeqs,
        string reason = DefaultReason, CancellationToken ct = default)
    {
        using var input = new MemoryStream(instructionFile, writable: false);
        var (header, _, _) = BankFileEnvelope.ReadHeader(input);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var agreement = await db.BankAgreements.AsNoTracking().IgnoreQueryFilters().SingleAsync(a => a.AgreementNo == header.AgreementNo, ct);
        var keys = BankFileKeys.For(agreement, scope.ServiceProvider.GetRequiredService<PersonalDataProtector>());
        var format = scope.ServiceProvider.GetRequiredService<BankFormatCatalog>().Get(agreement.FileFormat);
        using var output = new MemoryStream();
        Respond(input, output, keys, format, failSeqs.Contains, reason);
        return output.ToArray();
    }

    /// <summary>The same, for a caller holding a context and the deployment's protector (a test outside the host's process).</summary>
    public static async Task<byte[]> RespondAsync(OneCardDbContext db, PersonalDataProtector protector, BankFormatCatalog formats, byte[] instructionFile,
        IReadOnlyCollection<int> failSeqs, string reason = DefaultReason, CancellationToken ct = default)
    {
        using var input = new MemoryStream(instructionFile, writable: false);
        var (header, _, _) = BankFileEnvelope.ReadHeader(input);
        var agreement = await db.BankAgreements.AsNoTracking().IgnoreQueryFilters().SingleAsync(a => a.AgreementNo == header.AgreementNo, ct);
        using var output = new MemoryStream();
        Respond(input, output, BankFileKeys.For(agreement, protector), formats.Get(agreement.FileFormat), failSeqs.Contains, reason);
        return output.ToArray();
    }

    /// <summary>Reads an instruction envelope from <paramref name="instructionFile"/> (seekable) and writes the result envelope to <paramref name="output"/>.</summary>
    public static void Respond(Stream instructionFile, Stream output, BankFileKeys keys, BankFileFormat format, Func<int, bool> fail, string reason = DefaultReason)
    {
        var (header, iv, headerLength) = BankFileEnvelope.ReadHeader(instructionFile);
        if (header.Kind != BankEnvelopeHeader.Instructions) throw new InvalidOperationException("Not an instruction file.");
        if (!BankFileEnvelope.Verify(instructionFile, headerLength, keys))
            throw new InvalidOperationException("演示银行：代发文件签名验证失败，拒绝处理");
        var resultHeader = header with { Kind = BankEnvelopeHeader.Results, KeyVersion = keys.KeyVersion, Format = format.Code };
        using var clear = BankFileEnvelope.OpenRead(instructionFile, headerLength, iv, keys);
        using var text = new StreamReader(clear, BankFileSetup.EncodingOf(format));
        using var parser = new CsvParser(text, BankFileSetup.CsvConfig(format));
        if (!parser.Read()) throw new InvalidOperationException("Empty instruction file.");
        var columns = parser.Record!.ToList();
        int At(InstructionField f) => columns.IndexOf(format.InstructionColumns.Single(c => c.Field == f).Header);
        int batchAt = At(InstructionField.BatchNo), seqAt = At(InstructionField.Seq), amountAt = At(InstructionField.Amount);
        using (var sealedStream = BankFileEnvelope.OpenWrite(output, resultHeader, keys))
        using (var writer = new StreamWriter(sealedStream, BankFileSetup.EncodingOf(format), 1 << 16, leaveOpen: true))
        using (var csv = new CsvWriter(writer, BankFileSetup.CsvConfig(format), leaveOpen: true))
        {
            foreach (var c in format.ResultColumns) csv.WriteField(c.Header);
            csv.NextRecord();
            var failedCode = format.ResultCodes.FirstOrDefault(c => c.Value == ResultMeaning.Failed).Key ?? "3001";
            while (parser.Read())
            {
                var record = parser.Record!;
                var seq = int.Parse(record[seqAt], CultureInfo.InvariantCulture);
                var failed = fail(seq);
                foreach (var c in format.ResultColumns)
                    csv.WriteField(BankCsv.Neutralise(c.Field switch
                    {
                        ResultField.BatchNo => record[batchAt],
                        ResultField.Seq => record[seqAt],
                        ResultField.Amount => record[amountAt],
                        ResultField.ResultCode => failed ? failedCode : format.PaidCode,
                        ResultField.Message => failed ? reason : "",
                        _ => "",
                    }));
                csv.NextRecord();
            }
        }
    }

    /// <summary>Opens an envelope (instructions or results) with the keys and returns its clear CSV text — for tests and the demo.</summary>
    public static string Open(byte[] file, BankFileKeys keys, BankFileFormat format)
    {
        using var input = new MemoryStream(file, writable: false);
        var (_, iv, headerLength) = BankFileEnvelope.ReadHeader(input);
        if (!BankFileEnvelope.Verify(input, headerLength, keys)) throw new InvalidOperationException("Signature does not verify.");
        using var clear = BankFileEnvelope.OpenRead(input, headerLength, iv, keys);
        using var text = new StreamReader(clear, BankFileSetup.EncodingOf(format));
        return text.ReadToEnd();
    }

    /// <summary>The clear CSV of a file, with the keys of the agreement its header names.</summary>
    public static async Task<string> OpenAsync(IServiceProvider services, byte[] file, CancellationToken ct = default)
    {
        using var input = new MemoryStream(file, writable: false);
        var (header, _, _) = BankFileEnvelope.ReadHeader(input);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var agreement = await db.BankAgreements.AsNoTracking().IgnoreQueryFilters().SingleAsync(a => a.AgreementNo == header.AgreementNo, ct);
        var keys = BankFileKeys.For(agreement, scope.ServiceProvider.GetRequiredService<PersonalDataProtector>());
        return Open(file, keys, scope.ServiceProvider.GetRequiredService<BankFormatCatalog>().Get(agreement.FileFormat));
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Persistence;

namespace OneCard.Host.Payments;

/// <summary>Registration of the bank file formats (loaded and checked at start) and the bank file use cases.</summary>
public static class BankFileSetup
{
    static BankFileSetup() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>
    /// Loads <c>bankformats/*.json</c> (or <c>BankFormats:Directory</c>) now, so a format with a problem stops the host at start
    /// with every problem located (<see cref="BankFormatException"/>); registers the handler.
    /// </summary>
    public static IServiceCollection AddBankFiles(this IServiceCollection services, IConfiguration config)
    {
        var catalog = BankFormatCatalog.LoadFromDirectory(config["BankFormats:Directory"] ?? Path.Combine(AppContext.BaseDirectory, "bankformats"));
        services.AddSingleton(catalog);
        services.AddScoped<BankFiles.Handler>();
        return services;
    }

    /// <summary>The text encoding a format names (UTF-8 without BOM on the wire, or GB18030).</summary>
    public static Encoding EncodingOf(BankFileFormat format) => format.Encoding switch
    {
        "GB18030" => Encoding.GetEncoding("GB18030"),
        _ => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
    };

    public static CsvConfiguration CsvConfig(BankFileFormat format) => new(CultureInfo.InvariantCulture)
    {
        Delimiter = format.Delimiter.ToString(), NewLine = "\r\n", HasHeaderRecord = false,
        // Neutralised by BankCsv.Neutralise, explicitly, in every cell we write.
        InjectionOptions = InjectionOptions.None,
        BadDataFound = null, MissingFieldFound = null, DetectColumnCountChanges = false,
    };
}

/// <summary>The cell rule of every CSV OneCard writes.</summary>
public static class BankCsv
{
    /// <summary>
    /// A cell a spreadsheet would run as a formula — starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage
    /// return — is prefixed with <c>'</c>, which spreadsheets show as text; anything else is written as it is.
    /// </summary>
    public static string Neutralise(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
    }
}

/// <summary>
/// Writes a batch's instruction file in its agreement's format, inside the SM4/HMAC-SM3 envelope, streaming: instructions
/// are read in sequence order from the database and each row goes through the CSV writer and the cipher to
/// <c>output</c> as it comes, so the largest batch needs no more memory than the smallest.
/// </summary>
public static class BankFileWriter
{
    private sealed record Row(int Seq, string PayeeName, string AccountCipher, decimal Amount, string PolicyCode, string Period, AccountType AccountType, string? AgentBankCode);

    public static async Task WriteInstructionsAsync(OneCardDbContext db, PersonalDataProtector protector, PaymentBatch batch, BankAgreement agreement,
        BankFileFormat format, BankFileKeys keys, Stream output, CancellationToken ct)
    {
        var header = new BankEnvelopeHeader(BankEnvelopeHeader.Instructions, batch.BatchNo, agreement.AgreementNo, keys.KeyVersion, format.Code,
            batch.LineCount, batch.TotalAmount);
        // Two stages on two cores: this one reads, unseals and writes CSV into a pipe; the other encrypts and signs what comes
        // out of it (SM4-CBC and HMAC-SM3 are sequential by nature and about half the work). The pipe is bounded, so memory
        // stays flat; a failure on either side fails the whole file.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false));
        var sealing = Task.Run(async () =>
        {
            try
            {
                await using var sealedStream = BankFileEnvelope.OpenWrite(output, header, keys);
                await pipe.Reader.CopyToAsync(sealedStream, ct);
                await pipe.Reader.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Reader.CompleteAsync(e);
                throw;
            }
        }, CancellationToken.None);
        try
        {
            await WriteCsvAsync(db, protector, batch, format, pipe.Writer.AsStream(leaveOpen: true), ct);
            await pipe.Writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await pipe.Writer.CompleteAsync(e);
            // The sealing side now fails with this same error; the writer's is the one to report.
            await sealing.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            throw;
        }
        await sealing;
    }

    /// <summary>Rows read and unsealed per unit of work: large enough to amortise a task, small enough to keep memory flat.</summary>
    private const int Chunk = 4096;

    /// <summary>At most this many chunks are being unsealed (or waiting to be written) at once.</summary>
    private const int ChunksInFlight = 3;

    private static async Task WriteCsvAsync(OneCardDbContext db, PersonalDataProtector protector, PaymentBatch batch, BankFileFormat format,
        Stream clear, CancellationToken ct)
    {
        await using (var text = new StreamWriter(clear, BankFileSetup.EncodingOf(format), bufferSize: 1 << 16, leaveOpen: true))
        await using (var csv = new CsvWriter(text, BankFileSetup.CsvConfig(format), leaveOpen: true))
        {
            foreach (var c in format.InstructionColumns) csv.WriteField(BankCsv.Neutralise(c.Header));
            csv.NextRecord();
            // Unsealing each account (SM4-GCM) is the largest cost of a line: chunks of rows are unsealed on the thread pool,
            // one decryptor per worker (a decryptor is not thread-safe), while the next chunk is read; chunks are written in
            // the order they were read, so the file is in sequence order whatever finishes first.
            var decryptors = new ConcurrentBag<PersonalDataProtector.Decryptor>();
            var inFlight = new Queue<Task<(List<Row> Rows, string[] Accounts)>>();
            var needsAccount = format.InstructionColumns.Any(c => c.Field == InstructionField.Account);
            Task<(List<Row>, string[])> Unseal(List<Row> rows) => Task.Run(() =>
            {
                var accounts = new string[rows.Count];
                if (!needsAccount) return (rows, accounts);
                if (!decryptors.TryTake(out var decryptor)) decryptor = protector.CreateDecryptor();
                for (var i = 0; i < rows.Count; i++) accounts[i] = decryptor.Decrypt(rows[i].AccountCipher);
                decryptors.Add(decryptor);
                return (rows, accounts);
            }, ct);
            try
            {
                var rows = new List<Row>(Chunk);
                await foreach (var row in db.PaymentInstructions.AsNoTracking().Where(i => i.BatchId == batch.Id).OrderBy(i => i.Seq)
                                   .Select(i => new Row(i.Seq, i.PayeeName, i.AccountCipher, i.Amount, i.PolicyCode, i.Period, i.AccountType, i.AgentBankCode))
                                   .AsAsyncEnumerable().WithCancellation(ct))
                {
                    rows.Add(row);
                    if (rows.Count < Chunk) continue;
                    inFlight.Enqueue(Unseal(rows));
                    rows = new List<Row>(Chunk);
                    if (inFlight.Count >= ChunksInFlight) Write(await inFlight.Dequeue());
                }
                if (rows.Count > 0) inFlight.Enqueue(Unseal(rows));
                while (inFlight.Count > 0) Write(await inFlight.Dequeue());
            }
            finally
            {
                // A failure leaves no task running on the pool behind it.
                foreach (var task in inFlight) await task.ContinueWith(static _ => { }, TaskScheduler.Default);
            }

            void Write((List<Row> Rows, string[] Accounts) chunk)
            {
                for (var n = 0; n < chunk.Rows.Count; n++)
                {
                    var row = chunk.Rows[n];
                    foreach (var c in format.InstructionColumns)
                        csv.WriteField(BankCsv.Neutralise(c.Field switch
                        {
                            InstructionField.BatchNo => batch.BatchNo,
                            InstructionField.Seq => row.Seq.ToString(CultureInfo.InvariantCulture),
                            InstructionField.PayeeName => row.PayeeName,
                            InstructionField.Account => chunk.Accounts[n],
                            InstructionField.AccountType => row.AccountType == AccountType.SocialSecurityCard ? "社保卡" : "银行卡",
                            InstructionField.Amount => row.Amount.ToString("0.00", CultureInfo.InvariantCulture),
                            InstructionField.PolicyCode => row.PolicyCode,
                            InstructionField.Period => row.Period,
                            InstructionField.AgentBankCode => row.AgentBankCode ?? batch.AgentBankCode,
                            _ => "",
                        }));
                    csv.NextRecord();
                }
            }
        }
    }
}

using System.Globalization;
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
        await using (var sealedStream = BankFileEnvelope.OpenWrite(output, header, keys))
        await using (var text = new StreamWriter(sealedStream, BankFileSetup.EncodingOf(format), bufferSize: 1 << 16, leaveOpen: true))
        await using (var csv = new CsvWriter(text, BankFileSetup.CsvConfig(format), leaveOpen: true))
        {
            foreach (var c in format.InstructionColumns) csv.WriteField(BankCsv.Neutralise(c.Header));
            csv.NextRecord();
            var rows = db.PaymentInstructions.AsNoTracking().Where(i => i.BatchId == batch.Id).OrderBy(i => i.Seq)
                .Select(i => new Row(i.Seq, i.PayeeName, i.AccountCipher, i.Amount, i.PolicyCode, i.Period, i.AccountType, i.AgentBankCode))
                .AsAsyncEnumerable();
            await foreach (var row in rows.WithCancellation(ct))
            {
                foreach (var c in format.InstructionColumns)
                    csv.WriteField(BankCsv.Neutralise(c.Field switch
                    {
                        InstructionField.BatchNo => batch.BatchNo,
                        InstructionField.Seq => row.Seq.ToString(CultureInfo.InvariantCulture),
                        InstructionField.PayeeName => row.PayeeName,
                        InstructionField.Account => protector.Decrypt(row.AccountCipher),
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

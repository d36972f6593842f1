using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OneCard.Domain.Privacy;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace OneCard.Domain.Payments;

/// <summary>What an envelope's clear header says: which batch, agreement, key version and format, and the file's lines and total.</summary>
public sealed record BankEnvelopeHeader(string Kind, string BatchNo, string AgreementNo, int KeyVersion, string Format, int Lines, decimal Total)
{
    public const string Instructions = "instructions";
    public const string Results = "results";
}

/// <summary>The keys of one agreement: SM4 (16 bytes) encrypts, HMAC-SM3 (32 bytes) signs, both ways.</summary>
public sealed record BankFileKeys(byte[] EncryptionKey, byte[] SigningKey, int KeyVersion)
{
    /// <summary>Unseals an agreement's keys (they are stored sealed by the personal data protector).</summary>
    public static BankFileKeys For(BankAgreement agreement, PersonalDataProtector protector) => new(
        Convert.FromBase64String(protector.Decrypt(agreement.EncryptionKeyCipher)),
        Convert.FromBase64String(protector.Decrypt(agreement.SigningKeyCipher)),
        agreement.KeyVersion);
}

/// <summary>An envelope that cannot be opened: a stable code and a located Chinese reason.</summary>
public sealed class BankEnvelopeException(string code, string messageZh, string messageEn) : Exception(messageEn)
{
    public string Code { get; } = code;
    public string MessageZh { get; } = messageZh;
}

/// <summary>
/// The envelope every bank file travels in, both ways (GM/T 0002 SM4, GB/T 32905 SM3):
/// <code>
/// ONECARD-BANKFILE/1\n
/// kind: instructions | results\n  batch: …\n  agreement: …\n  key-version: 1\n  format: …\n  lines: …\n  total: 0.00\n  iv: 32 hex\n
/// \n
/// SM4-CBC-PKCS7(csv) | HMAC-SM3(signing key, header bytes | ciphertext) (32 bytes)
/// </code>
/// The header is in clear so a file names its batch and key version before it is opened; the MAC covers it (encrypt then MAC),
/// so no header field can be changed either. SM4 is the T-table <see cref="Sm4"/>, CBC over 64 KiB at a time. Writing streams
/// (nothing is held but one 64 KiB buffer); reading needs a seekable
/// stream (the upload is spooled to disk): the MAC is checked over the whole file before a single byte is decrypted.
/// </summary>
public static class BankFileEnvelope
{
    public const string Magic = "ONECARD-BANKFILE/1";
    public const int MacSize = 32;
    public const int MaxHeaderBytes = 4096;
    private const int IvSize = 16;

    /// <summary>Opens a stream that encrypts what is written to it into <paramref name="output"/>; disposing it writes the MAC.</summary>
    public static Stream OpenWrite(Stream output, BankEnvelopeHeader header, BankFileKeys keys)
    {
        var iv = RandomNumberGenerator.GetBytes(IvSize);
        var text = new StringBuilder()
            .Append(Magic).Append('\n')
            .Append("kind: ").Append(header.Kind).Append('\n')
            .Append("batch: ").Append(header.BatchNo).Append('\n')
            .Append("agreement: ").Append(header.AgreementNo).Append('\n')
            .Append("key-version: ").Append(header.KeyVersion.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("format: ").Append(header.Format).Append('\n')
            .Append("lines: ").Append(header.Lines.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("total: ").Append(header.Total.ToString("0.00", CultureInfo.InvariantCulture)).Append('\n')
            .Append("iv: ").Append(Convert.ToHexStringLower(iv)).Append('\n')
            .Append('\n');
        var headerBytes = Encoding.UTF8.GetBytes(text.ToString());
        var mac = Mac(keys);
        mac.BlockUpdate(headerBytes);
        output.Write(headerBytes);
        return new EncryptingStream(output, Cipher(forEncryption: true, keys), (byte[])iv.Clone(), mac);
    }

    /// <summary>Reads the clear header; the stream is left after the blank line.</summary>
    public static (BankEnvelopeHeader Header, byte[] Iv, int HeaderLength) ReadHeader(Stream file)
    {
        file.Position = 0;
        var buffer = new byte[MaxHeaderBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = file.Read(buffer, read, buffer.Length - read)) > 0) read += n;
        var end = buffer.AsSpan(0, read).IndexOf("\n\n"u8);
        if (read < Magic.Length || !buffer.AsSpan(0, Magic.Length).SequenceEqual(Encoding.ASCII.GetBytes(Magic)))
            throw Invalid("EnvelopeInvalid", $"文件第1行应为“{Magic}”：这不是经加密签名的代发/回盘文件（明文 CSV 不被接受）", "Not a OneCard bank file envelope.");
        if (end < 0) throw Invalid("EnvelopeInvalid", $"文件头未在 {MaxHeaderBytes} 字节内以空行结束", "The envelope header does not end.");
        string headerText;
        try { headerText = new UTF8Encoding(false, true).GetString(buffer, 0, end); }
        catch (DecoderFallbackException) { throw Invalid("EnvelopeInvalid", "文件头不是有效的 UTF-8 文本", "The header is not UTF-8."); }
        var lines = headerText.Split('\n');
        var values = new Dictionary<string, (string Value, int Line)>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0) throw Invalid("EnvelopeInvalid", $"文件头第{i + 1}行“{Shorten(lines[i])}”应为“名称: 值”", "Malformed header line.");
            values[lines[i][..colon]] = (lines[i][(colon + 2)..], i + 1);
        }
        string Value(string name) => values.TryGetValue(name, out var v) ? v.Value
            : throw Invalid("EnvelopeInvalid", $"文件头缺少“{name}”", $"The header has no '{name}'.");
        int Number(string name) => int.TryParse(Value(name), NumberStyles.None, CultureInfo.InvariantCulture, out var x) ? x
            : throw Invalid("EnvelopeInvalid", $"文件头第{values[name].Line}行 {name}“{Shorten(Value(name))}”应为非负整数", $"'{name}' is not a number.");
        var kind = Value("kind");
        if (kind is not (BankEnvelopeHeader.Instructions or BankEnvelopeHeader.Results))
            throw Invalid("EnvelopeInvalid", $"文件头第{values["kind"].Line}行 kind“{Shorten(kind)}”应为 instructions 或 results", "Unknown kind.");
        if (!decimal.TryParse(Value("total"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var total))
            throw Invalid("EnvelopeInvalid", $"文件头第{values["total"].Line}行 total“{Shorten(Value("total"))}”应为金额（如 1234.50）", "'total' is not an amount.");
        var ivHex = Value("iv");
        byte[] iv;
        try { iv = Convert.FromHexString(ivHex); } catch (FormatException) { iv = []; }
        if (iv.Length != IvSize) throw Invalid("EnvelopeInvalid", $"文件头第{values["iv"].Line}行 iv 应为 32 位十六进制", "'iv' must be 16 bytes in hex.");
        var header = new BankEnvelopeHeader(kind, Value("batch"), Value("agreement"), Number("key-version"), Value("format"), Number("lines"), total);
        file.Position = end + 2;
        return (header, iv, end + 2);
    }

    /// <summary>Whether the file's MAC is right for these keys (constant time); nothing is decrypted.</summary>
    public static bool Verify(Stream file, int headerLength, BankFileKeys keys)
    {
        var length = file.Length;
        if (length < headerLength + MacSize + IvSize) return false;
        var mac = Mac(keys);
        file.Position = 0;
        var buffer = new byte[81920];
        var remaining = length - MacSize;
        while (remaining > 0)
        {
            var n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (n == 0) return false;
            mac.BlockUpdate(buffer, 0, n);
            remaining -= n;
        }
        var expected = new byte[MacSize];
        mac.DoFinal(expected, 0);
        var actual = new byte[MacSize];
        file.ReadExactly(actual);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>A stream of the clear content; call only after <see cref="Verify"/> said yes.</summary>
    public static Stream OpenRead(Stream file, int headerLength, byte[] iv, BankFileKeys keys)
    {
        file.Position = headerLength;
        return new DecryptingStream(file, file.Length - MacSize - headerLength, Cipher(forEncryption: false, keys), (byte[])iv.Clone());
    }

    private static BankEnvelopeException Invalid(string code, string zh, string en) => new(code, zh, en);

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;

    private static HMac Mac(BankFileKeys keys)
    {
        var mac = new HMac(new SM3Digest());
        mac.Init(new KeyParameter(keys.SigningKey));
        return mac;
    }

    private static Sm4 Cipher(bool forEncryption, BankFileKeys keys)
    {
        if (keys.EncryptionKey.Length != 16) throw new CryptographicException("The SM4 key must be 16 bytes.");
        return new Sm4(keys.EncryptionKey, forEncryption);
    }

    private const int ChunkSize = 1 << 16;

    /// <summary>SM4-CBC with PKCS#7 padding, streaming: whole blocks are encrypted as they come, the tail waits for the next write or the end.</summary>
    private sealed class EncryptingStream(Stream output, Sm4 cipher, byte[] iv, IMac mac) : Stream
    {
        private readonly byte[] buffer = new byte[ChunkSize];
        private int held;
        private bool finished;

        public override void Write(byte[] data, int offset, int count) => Write(data.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> data)
        {
            while (data.Length > 0)
            {
                var take = Math.Min(data.Length, buffer.Length - held);
                data[..take].CopyTo(buffer.AsSpan(held));
                held += take;
                data = data[take..];
                if (held == buffer.Length) Emit(buffer.Length);
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct = default) { Write(data.Span); return ValueTask.CompletedTask; }

        public override Task WriteAsync(byte[] data, int offset, int count, CancellationToken ct) { Write(data.AsSpan(offset, count)); return Task.CompletedTask; }

        /// <summary>Encrypts, signs and writes the first <paramref name="n"/> bytes (whole blocks) of the buffer.</summary>
        private void Emit(int n)
        {
            var span = buffer.AsSpan(0, n);
            cipher.EncryptCbc(iv, span, span);
            mac.BlockUpdate(buffer, 0, n);
            output.Write(buffer, 0, n);
            held = 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !finished)
            {
                finished = true;
                // PKCS#7: 1 to 16 bytes, each the count (a full block when the content is whole blocks). The buffer's size
                // is a multiple of 16 and it was emitted when full, so the padding fits.
                var pad = Sm4.BlockSize - held % Sm4.BlockSize;
                buffer.AsSpan(held, pad).Fill((byte)pad);
                Emit(held + pad);
                var tag = new byte[MacSize];
                mac.DoFinal(tag, 0);
                output.Write(tag);
                output.Flush();
            }
            base.Dispose(disposing);
        }

        public override void Flush() => output.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] b, int o, int c) => throw new NotSupportedException();
        public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
        public override void SetLength(long v) => throw new NotSupportedException();
    }

    /// <summary>SM4-CBC decryption of a known length of ciphertext; the last block's PKCS#7 padding is checked and removed.</summary>
    private sealed class DecryptingStream(Stream input, long cipherLength, Sm4 cipher, byte[] iv) : Stream
    {
        private readonly byte[] buffer = new byte[ChunkSize];
        private int outStart, outEnd;
        private readonly bool wholeBlocks = cipherLength > 0 && cipherLength % Sm4.BlockSize == 0;
        private long remaining = cipherLength;

        public override int Read(byte[] data, int offset, int count) => Read(data.AsSpan(offset, count));

        public override int Read(Span<byte> data)
        {
            while (outStart == outEnd)
            {
                if (!wholeBlocks) throw new CryptographicException("The ciphertext is not whole blocks.");
                if (remaining == 0) return 0;
                var want = (int)Math.Min(buffer.Length, remaining);
                input.ReadExactly(buffer, 0, want);
                remaining -= want;
                cipher.DecryptCbc(iv, buffer.AsSpan(0, want), buffer.AsSpan(0, want));
                outStart = 0;
                outEnd = want;
                if (remaining == 0)
                {
                    int pad = buffer[want - 1];
                    if (pad is < 1 or > Sm4.BlockSize || buffer.AsSpan(want - pad, pad).ContainsAnyExcept((byte)pad))
                        throw new CryptographicException("Bad padding.");
                    outEnd = want - pad;
                }
            }
            var take = Math.Min(data.Length, outEnd - outStart);
            buffer.AsSpan(outStart, take).CopyTo(data);
            outStart += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> data, CancellationToken ct = default) => ValueTask.FromResult(Read(data.Span));
        public override Task<int> ReadAsync(byte[] data, int offset, int count, CancellationToken ct) => Task.FromResult(Read(data.AsSpan(offset, count)));
        public override void Flush() { }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
        public override void SetLength(long v) => throw new NotSupportedException();
        public override void Write(byte[] b, int o, int c) => throw new NotSupportedException();
    }
}

using OneCard.Domain.Privacy;
using System.Security.Cryptography;
using System.Text;
using FsCheck.Xunit;
using OneCard.Domain.Payments;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Paddings;
using Org.BouncyCastle.Crypto.Parameters;

namespace OneCard.Domain.Tests.Payments;

/// <summary>
/// The T-table SM4 (<see cref="Sm4"/>) is SM4: the two examples of GB/T 32907-2016 appendix A, and BouncyCastle's
/// <c>SM4Engine</c> (block and CBC) on random keys and data.
/// </summary>
public sealed class Sm4Tests
{
    private static readonly byte[] StandardKey = Convert.FromHexString("0123456789abcdeffedcba9876543210");

    [Fact]
    public void AppendixA_Example1_OneBlockEncryptsAndDecrypts()
    {
        var cipher = new byte[16];
        new Sm4(StandardKey, forEncryption: true).ProcessBlock(StandardKey, cipher);
        Assert.Equal("681edf34d206965e86b3e94f536e4246", Convert.ToHexStringLower(cipher));
        var clear = new byte[16];
        new Sm4(StandardKey, forEncryption: false).ProcessBlock(cipher, clear);
        Assert.Equal(StandardKey, clear);
    }

    [Fact]
    public void AppendixA_Example2_OneMillionEncryptionsUnderTheSameKey()
    {
        var sm4 = new Sm4(StandardKey, forEncryption: true);
        var block = (byte[])StandardKey.Clone();
        for (var i = 0; i < 1_000_000; i++) sm4.ProcessBlock(block, block);
        Assert.Equal("595298c7c6fd271f0402f804c33d3f66", Convert.ToHexStringLower(block));
        var back = new Sm4(StandardKey, forEncryption: false);
        for (var i = 0; i < 1_000_000; i++) back.ProcessBlock(block, block);
        Assert.Equal(StandardKey, block);
    }

    [Property(MaxTest = 500)]
    public bool Block_SameAsBouncyCastleSm4Engine(byte[] keySeed, byte[] blockSeed)
    {
        var key = Fit(keySeed, 16);
        var block = Fit(blockSeed, 16);
        var reference = new SM4Engine();
        reference.Init(true, new KeyParameter(key));
        var expected = new byte[16];
        reference.ProcessBlock(block, 0, expected, 0);
        var actual = new byte[16];
        new Sm4(key, forEncryption: true).ProcessBlock(block, actual);
        var clear = new byte[16];
        new Sm4(key, forEncryption: false).ProcessBlock(actual, clear);
        return expected.AsSpan().SequenceEqual(actual) && clear.AsSpan().SequenceEqual(block);
    }

    [Property(MaxTest = 200)]
    public bool Cbc_SameAsBouncyCastleCbcOverSm4Engine(byte[] keySeed, byte[] ivSeed, byte[] data, byte split)
    {
        var key = Fit(keySeed, 16);
        var iv = Fit(ivSeed, 16);
        var blocks = (data ?? []).AsSpan(0, (data?.Length ?? 0) / 16 * 16).ToArray();
        var reference = new CbcBlockCipher(new SM4Engine());
        reference.Init(true, new ParametersWithIV(new KeyParameter(key), iv));
        var expected = new byte[blocks.Length];
        for (var at = 0; at < blocks.Length; at += 16) reference.ProcessBlock(blocks, at, expected, at);

        // In two calls split at a block boundary: the chaining value carries over.
        var cut = blocks.Length == 0 ? 0 : split % (blocks.Length / 16 + 1) * 16;
        var actual = new byte[blocks.Length];
        var chain = (byte[])iv.Clone();
        var sm4 = new Sm4(key, forEncryption: true);
        sm4.EncryptCbc(chain, blocks.AsSpan(0, cut), actual.AsSpan(0, cut));
        sm4.EncryptCbc(chain, blocks.AsSpan(cut), actual.AsSpan(cut));

        var clear = (byte[])actual.Clone();
        var back = (byte[])iv.Clone();
        new Sm4(key, forEncryption: false).DecryptCbc(back, clear, clear);
        return expected.AsSpan().SequenceEqual(actual) && clear.AsSpan().SequenceEqual(blocks);
    }

    /// <summary>Random bytes of an exact length from whatever FsCheck generated.</summary>
    private static byte[] Fit(byte[]? seed, int length)
    {
        var bytes = new byte[length];
        if (seed is { Length: > 0 }) for (var i = 0; i < length; i++) bytes[i] = (byte)(seed[i % seed.Length] + i * 31);
        return bytes;
    }
}

/// <summary>
/// The envelope's format did not change with the faster SM4: a file sealed the old way (BouncyCastle SM4-CBC-PKCS7 +
/// HMAC-SM3, as the reference below) opens, a file sealed now opens the old way, every content length (empty, exact
/// blocks, the 64 KiB buffer's edges) round-trips, and a changed byte anywhere fails the signature.
/// </summary>
public sealed class BankFileEnvelopeTests
{
    private static readonly BankFileKeys Keys = new(Convert.FromHexString("00112233445566778899aabbccddeeff"),
        Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), 1);

    private static readonly BankEnvelopeHeader Header = new(BankEnvelopeHeader.Results, "PB-210124-2026-0001", "SY-DF-2026-001", 1, "demo-csv", 3, 12.34m);

    public static TheoryData<int> Lengths => [0, 1, 15, 16, 17, 65535, 65536, 65537, 65536 * 2, 200_003];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void WrittenNow_OpensWithTheReferenceImplementation_AndWithTheReader(int length)
    {
        var content = RandomNumberGenerator.GetBytes(length);
        var file = new MemoryStream();
        using (var sealing = BankFileEnvelope.OpenWrite(file, Header, Keys))
        {
            // Uneven writes, as the CSV writer makes them.
            for (var at = 0; at < content.Length;)
            {
                var n = Math.Min(content.Length - at, 1 + at % 7000);
                sealing.Write(content, at, n);
                at += n;
            }
        }
        Assert.Equal(content, ReferenceOpen(file.ToArray()));
        Assert.Equal(content, Open(file));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void WrittenByTheReferenceImplementation_OpensWithTheReader(int length)
    {
        var content = RandomNumberGenerator.GetBytes(length);
        var file = new MemoryStream(ReferenceSeal(content));
        Assert.Equal(content, Open(file));
    }

    [Fact]
    public void AnyChangedByte_FailsTheSignature()
    {
        var sealedBytes = ReferenceSeal(Encoding.UTF8.GetBytes("批次号,序号,金额,结果\r\nPB-1,1,1.00,0000\r\n"));
        for (var at = 0; at < sealedBytes.Length; at += 7)
        {
            var tampered = (byte[])sealedBytes.Clone();
            tampered[at] ^= 0x01;
            var file = new MemoryStream(tampered);
            int headerLength;
            try { (_, _, headerLength) = BankFileEnvelope.ReadHeader(file); }
            catch (BankEnvelopeException) { continue; } // a header that no longer parses is refused before the MAC
            Assert.False(BankFileEnvelope.Verify(file, headerLength, Keys), $"byte {at} changed and the MAC still verified");
        }
    }

    private static byte[] Open(MemoryStream file)
    {
        var (header, iv, headerLength) = BankFileEnvelope.ReadHeader(file);
        Assert.Equal(Header, header);
        Assert.True(BankFileEnvelope.Verify(file, headerLength, Keys));
        using var clear = BankFileEnvelope.OpenRead(file, headerLength, iv, Keys);
        var output = new MemoryStream();
        clear.CopyTo(output, 1000);
        return output.ToArray();
    }

    /// <summary>The envelope as the first version wrote it, with BouncyCastle's own SM4-CBC-PKCS7 and HMAC-SM3.</summary>
    private static byte[] ReferenceSeal(byte[] content)
    {
        var iv = RandomNumberGenerator.GetBytes(16);
        var header = Encoding.UTF8.GetBytes(
            $"ONECARD-BANKFILE/1\nkind: {Header.Kind}\nbatch: {Header.BatchNo}\nagreement: {Header.AgreementNo}\nkey-version: 1\nformat: {Header.Format}\n" +
            $"lines: {Header.Lines}\ntotal: 12.34\niv: {Convert.ToHexStringLower(iv)}\n\n");
        var cipher = new PaddedBufferedBlockCipher(new CbcBlockCipher(new SM4Engine()), new Pkcs7Padding());
        cipher.Init(true, new ParametersWithIV(new KeyParameter(Keys.EncryptionKey), iv));
        var body = cipher.DoFinal(content);
        var mac = new HMac(new SM3Digest());
        mac.Init(new KeyParameter(Keys.SigningKey));
        mac.BlockUpdate(header, 0, header.Length);
        mac.BlockUpdate(body, 0, body.Length);
        var tag = new byte[32];
        mac.DoFinal(tag, 0);
        return [.. header, .. body, .. tag];
    }

    private static byte[] ReferenceOpen(byte[] file)
    {
        var text = Encoding.UTF8.GetString(file);
        var end = Array.IndexOf(file, (byte)'\n', 0);
        var headerEnd = text.IndexOf("\n\n", StringComparison.Ordinal) + 2;
        Assert.True(end > 0 && headerEnd > 2);
        var ivLine = text[..headerEnd].Split('\n').Single(l => l.StartsWith("iv: ", StringComparison.Ordinal));
        var iv = Convert.FromHexString(ivLine[4..]);
        var mac = new HMac(new SM3Digest());
        mac.Init(new KeyParameter(Keys.SigningKey));
        mac.BlockUpdate(file, 0, file.Length - 32);
        var tag = new byte[32];
        mac.DoFinal(tag, 0);
        Assert.Equal(file[^32..], tag);
        var cipher = new PaddedBufferedBlockCipher(new CbcBlockCipher(new SM4Engine()), new Pkcs7Padding());
        cipher.Init(false, new ParametersWithIV(new KeyParameter(Keys.EncryptionKey), iv));
        return cipher.DoFinal(file, headerEnd, file.Length - 32 - headerEnd);
    }
}

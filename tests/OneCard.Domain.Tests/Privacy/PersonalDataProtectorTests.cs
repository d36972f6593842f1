using System.Security.Cryptography;
using OneCard.Domain.Privacy;

namespace OneCard.Domain.Tests.Privacy;

public class PersonalDataProtectorTests
{
    private static readonly byte[] EncryptionKey = Enumerable.Range(0x01, 16).Select(i => (byte)i).ToArray();
    private static readonly byte[] LookupKey = Enumerable.Range(0x20, 32).Select(i => (byte)i).ToArray();

    private static PersonalDataProtector Create() => new(EncryptionKey, LookupKey);

    [Theory]
    [InlineData("11010519491231002X")]
    [InlineData("张三")]
    [InlineData("辽宁省沈阳市和平区南京街道 138****1234 😀")]
    [InlineData("")]
    public void Decrypt_ReturnsPlaintext_WhenGivenEncryptOutput(string plaintext)
    {
        var protector = Create();

        Assert.Equal(plaintext, protector.Decrypt(protector.Encrypt(plaintext)));
    }

    [Fact]
    public void Decrypt_ReadsCiphertextMadeByOpenSsl()
    {
        // Made with Python cryptography (OpenSSL) SM4-GCM: key 01..10, nonce A0..AB, AAD 01, layout 01|nonce|ct|tag.
        const string fromOpenSsl = "AaChoqOkpaanqKmqq8rhpWeQ5BPbqfacCunNYWIEpxbbxJPaLQ1yQyhPLzNe39+zzz11WxtV";

        Assert.Equal("张三 11010519491231002X", Create().Decrypt(fromOpenSsl));
    }

    [Fact]
    public void Decryptor_ReadsValueAfterValue_LikeDecrypt_AcrossLengths()
    {
        var protector = Create();
        var values = new[] { "6217000010001234567", "", "张三", new string('长', 400), "6228480402564890018", "11010519491231002X" };
        var decryptor = protector.CreateDecryptor();

        Assert.Equal(values, values.Select(protector.Encrypt).Select(decryptor.Decrypt));
    }

    [Theory]
    [InlineData(0)] // the first value, which also sets the key up
    [InlineData(2)]
    public void Decryptor_RefusesATamperedValue_AndReadsTheNextOnes(int tampered)
    {
        var protector = Create();
        var ciphers = new[] { "a1", "b2", "c3", "d4" }.Select(protector.Encrypt).ToArray();
        var bytes = Convert.FromBase64String(ciphers[tampered]);
        bytes[^1] ^= 0x01;
        ciphers[tampered] = Convert.ToBase64String(bytes);
        var decryptor = protector.CreateDecryptor();

        for (var i = 0; i < ciphers.Length; i++)
        {
            if (i == tampered) Assert.Throws<CryptographicException>(() => decryptor.Decrypt(ciphers[i]));
            else Assert.Equal(new[] { "a1", "b2", "c3", "d4" }[i], decryptor.Decrypt(ciphers[i]));
        }
    }

    [Fact]
    public void Decryptor_RefusesValuesOfAnotherKey()
    {
        var other = new PersonalDataProtector(Enumerable.Range(0x40, 16).Select(i => (byte)i).ToArray(), LookupKey);
        var decryptor = Create().CreateDecryptor();

        Assert.Throws<CryptographicException>(() => decryptor.Decrypt(other.Encrypt("6217000010001234567")));
        Assert.Throws<CryptographicException>(() => decryptor.Decrypt("not base64!"));
    }

    [Fact]
    public void Encrypt_GivesDifferentOutput_WhenCalledTwiceWithSameText()
    {
        var protector = Create();

        Assert.NotEqual(protector.Encrypt("11010519491231002X"), protector.Encrypt("11010519491231002X"));
    }

    [Fact]
    public void Encrypt_WritesVersionNonceCiphertextAndTag()
    {
        var bytes = Convert.FromBase64String(Create().Encrypt("张三")); // 6 UTF-8 bytes

        Assert.Equal(PersonalDataProtector.FormatVersion, bytes[0]);
        Assert.Equal(1 + 12 + 6 + 16, bytes.Length);
    }

    [Theory]
    [InlineData(0)]  // version
    [InlineData(1)]  // nonce
    [InlineData(13)] // ciphertext
    [InlineData(-1)] // tag
    public void Decrypt_ThrowsCryptographicException_WhenAnyByteIsChanged(int index)
    {
        var protector = Create();
        var bytes = Convert.FromBase64String(protector.Encrypt("11010519491231002X"));
        bytes[index < 0 ? bytes.Length + index : index] ^= 0x01;

        Assert.Throws<CryptographicException>(() => protector.Decrypt(Convert.ToBase64String(bytes)));
    }

    [Fact]
    public void Decrypt_ThrowsCryptographicException_WhenKeyIsDifferent()
    {
        var ciphertext = Create().Encrypt("张三");
        var otherKey = Enumerable.Range(0x71, 16).Select(i => (byte)i).ToArray();

        Assert.Throws<CryptographicException>(() => new PersonalDataProtector(otherKey, LookupKey).Decrypt(ciphertext));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("")]
    [InlineData("AQID")] // valid base64, too short
    public void Decrypt_ThrowsCryptographicException_WhenInputIsMalformed(string ciphertext) =>
        Assert.Throws<CryptographicException>(() => Create().Decrypt(ciphertext));

    [Fact]
    public void Decrypt_ThrowsCryptographicException_WhenCiphertextIsTruncated()
    {
        var protector = Create();
        var bytes = Convert.FromBase64String(protector.Encrypt("11010519491231002X"));

        Assert.Throws<CryptographicException>(() => protector.Decrypt(Convert.ToBase64String(bytes[..^1])));
    }

    [Fact]
    public void LookupHash_IsDeterministic_AcrossInstances() =>
        Assert.Equal(Create().LookupHash("11010519491231002X"), Create().LookupHash("11010519491231002X"));

    [Fact]
    public void LookupHash_IsHmacSm3AsLowercaseHex()
    {
        // Computed with Python hmac + hashlib 'sm3' (OpenSSL), key 20..3F.
        Assert.Equal(
            "a133fe2648ec7598ae5ba93db6b628466ae3d8f0319780e82f590510c2a4584a",
            Create().LookupHash("11010519491231002X"));
    }

    [Fact]
    public void LookupHash_Differs_WhenLookupKeyDiffers()
    {
        var otherLookupKey = Enumerable.Range(0x90, 32).Select(i => (byte)i).ToArray();

        Assert.NotEqual(
            Create().LookupHash("11010519491231002X"),
            new PersonalDataProtector(EncryptionKey, otherLookupKey).LookupHash("11010519491231002X"));
    }

    [Fact]
    public void LookupHash_DoesNotDependOnEncryptionKey()
    {
        var otherKey = Enumerable.Range(0x71, 16).Select(i => (byte)i).ToArray();

        Assert.Equal(
            Create().LookupHash("张三"),
            new PersonalDataProtector(otherKey, LookupKey).LookupHash("张三"));
    }

    [Fact]
    public void LookupHash_Differs_WhenValueDiffers() =>
        Assert.NotEqual(Create().LookupHash("11010519491231002X"), Create().LookupHash("11010519491231002x"));

    [Fact]
    public void FromBase64_BuildsSameProtector_AsRawKeys()
    {
        var fromBase64 = PersonalDataProtector.FromBase64(Convert.ToBase64String(EncryptionKey), Convert.ToBase64String(LookupKey));

        Assert.Equal(Create().LookupHash("张三"), fromBase64.LookupHash("张三"));
        Assert.Equal("张三", Create().Decrypt(fromBase64.Encrypt("张三")));
    }

    [Fact]
    public void FromBase64_ThrowsArgumentException_WhenKeyIsNotBase64() =>
        Assert.Throws<ArgumentException>(() => PersonalDataProtector.FromBase64("%%%", Convert.ToBase64String(LookupKey)));

    [Theory]
    [InlineData(15, 32)]
    [InlineData(17, 32)]
    [InlineData(16, 15)]
    public void Ctor_ThrowsArgumentException_WhenKeyLengthIsWrong(int encryptionKeyLength, int lookupKeyLength) =>
        Assert.Throws<ArgumentException>(() => new PersonalDataProtector(new byte[encryptionKeyLength], Enumerable.Repeat((byte)7, lookupKeyLength).ToArray()));

    [Fact]
    public void Ctor_ThrowsArgumentException_WhenBothKeysAreTheSame() =>
        Assert.Throws<ArgumentException>(() => new PersonalDataProtector(EncryptionKey, EncryptionKey));

    [Fact]
    public void EncryptAndDecrypt_RoundTrip_WhenSharedAcrossThreads()
    {
        var protector = Create();

        Parallel.For(0, 2000, i =>
        {
            var text = $"21010219800101{i:D4}";
            var ciphertext = protector.Encrypt(text);
            Assert.Equal(text, protector.Decrypt(ciphertext));
            Assert.Equal(64, protector.LookupHash(text).Length);
        });
    }
    [Fact]
    public void Encryptor_WritesValueAfterValue_ThatDecryptReads_AcrossLengths_WithFreshNonces()
    {
        var protector = Create();
        var encryptor = protector.CreateEncryptor();
        // Short and long (over the 256-byte stack buffer), ASCII and Chinese, the same text twice in a row.
        var texts = new[] { "11010519491231002X", "11010519491231002X", "", "张三", new string('户', 200), "6222020200112233445" };
        var ciphers = texts.Select(encryptor.Encrypt).ToList();

        Assert.Equal(texts, ciphers.Select(protector.Decrypt));
        Assert.NotEqual(ciphers[0], ciphers[1]);
        var nonces = ciphers.Select(c => Convert.ToHexString(Convert.FromBase64String(c), 1, 12)).ToList();
        Assert.Equal(nonces.Count, nonces.Distinct().Count());
        Assert.All(ciphers, c => Assert.Equal(PersonalDataProtector.FormatVersion, Convert.FromBase64String(c)[0]));
    }

    [Fact]
    public void Encryptor_DrawsADistinctNonce_ForEveryValue_AcrossItsNonceRefills()
    {
        var protector = Create();
        var encryptor = protector.CreateEncryptor();
        // 600 values: the encryptor draws nonces 256 at a time, so this crosses two refills.
        var texts = Enumerable.Range(0, 600).Select(i => $"2102831960010{i:D5}").ToList();
        var ciphers = texts.Select(encryptor.Encrypt).ToList();

        Assert.Equal(texts, ciphers.Select(protector.Decrypt));
        var nonces = ciphers.Select(c => Convert.ToHexString(Convert.FromBase64String(c), 1, 12)).ToList();
        Assert.Equal(600, nonces.Distinct().Count());
        Assert.DoesNotContain(new string('0', 24), nonces);
    }

    [Fact]
    public void Encryptor_OfAnotherKey_IsNotReadable()
    {
        var other = new PersonalDataProtector(Enumerable.Range(0x41, 16).Select(i => (byte)i).ToArray(), LookupKey);

        Assert.Throws<CryptographicException>(() => Create().Decrypt(other.CreateEncryptor().Encrypt("11010519491231002X")));
    }

    [Fact]
    public void LookupHasher_GivesLookupHash_ValueAfterValue()
    {
        var protector = Create();
        var hasher = protector.CreateLookupHasher();
        var values = new[] { "11010519491231002X", "11010519491231002X", "", "张三", new string('户', 300), "6222020200112233445" };

        Assert.Equal(values.Select(protector.LookupHash), values.Select(hasher.LookupHash));
    }
}

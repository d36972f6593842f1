using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace OneCard.Domain.Privacy;

/// <summary>SM4 field encryption + SM3-HMAC blind index for personal data at rest (GB/T 39786 §8.4).</summary>
/// <remarks>
/// Thread-safe: the keys are read-only after construction and every call builds its own cipher or MAC, so one
/// instance can be a singleton. Ciphertext is base64 of <c>version (1 byte, = 1) | nonce (12 bytes) | SM4-GCM
/// ciphertext + 16-byte tag</c>; the version byte is also authenticated as associated data. Random 96-bit nonces
/// stay safe up to about 2^32 encryptions per key; rotate the key well before that.
/// </remarks>
public sealed class PersonalDataProtector
{
    public const byte FormatVersion = 1;
    public const int EncryptionKeySize = 16;
    public const int MinLookupKeySize = 16;

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize;

    private static readonly byte[] AssociatedData = [FormatVersion];

    private readonly KeyParameter _encryptionKey;
    private readonly KeyParameter _lookupKey;

    /// <param name="encryptionKey">The SM4 key, exactly 16 bytes.</param>
    /// <param name="lookupKey">The HMAC-SM3 key for <see cref="LookupHash"/>, at least 16 bytes and not the encryption key.</param>
    public PersonalDataProtector(ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> lookupKey)
    {
        if (encryptionKey.Length != EncryptionKeySize)
        {
            throw new ArgumentException($"The SM4 key must be {EncryptionKeySize} bytes.", nameof(encryptionKey));
        }

        if (lookupKey.Length < MinLookupKeySize)
        {
            throw new ArgumentException($"The lookup key must be at least {MinLookupKeySize} bytes.", nameof(lookupKey));
        }

        // One key for two purposes would let a leak of either expose both.
        if (encryptionKey.SequenceEqual(lookupKey))
        {
            throw new ArgumentException("The lookup key must differ from the encryption key.", nameof(lookupKey));
        }

        _encryptionKey = CreateKey(encryptionKey);
        _lookupKey = CreateKey(lookupKey);
    }

    /// <summary>Builds a protector from base64 keys, e.g. from configuration or a KMS.</summary>
    /// <exception cref="ArgumentException">A key is not valid base64 or has the wrong length (the message never contains the key).</exception>
    public static PersonalDataProtector FromBase64(string encryptionKeyBase64, string lookupKeyBase64)
    {
        ArgumentNullException.ThrowIfNull(encryptionKeyBase64);
        ArgumentNullException.ThrowIfNull(lookupKeyBase64);

        var encryptionKey = DecodeKey(encryptionKeyBase64, nameof(encryptionKeyBase64));
        var lookupKey = DecodeKey(lookupKeyBase64, nameof(lookupKeyBase64));
        try
        {
            return new PersonalDataProtector(encryptionKey, lookupKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encryptionKey);
            CryptographicOperations.ZeroMemory(lookupKey);
        }
    }

    /// <summary>Encrypts with SM4-GCM under a fresh random nonce, so equal inputs give different outputs.</summary>
    public string Encrypt(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);

        var plain = Sm3Hmac.StrictUtf8.GetBytes(plaintext);
        try
        {
            var output = new byte[HeaderSize + plain.Length + TagSize];
            output[0] = FormatVersion;
            var nonce = new byte[NonceSize];
            RandomNumberGenerator.Fill(nonce);
            nonce.CopyTo(output, 1);

            var cipher = CreateCipher(forEncryption: true, nonce);
            var written = cipher.ProcessBytes(plain, output.AsSpan(HeaderSize));
            cipher.DoFinal(output.AsSpan(HeaderSize + written));
            return Convert.ToBase64String(output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>Decrypts what <see cref="Encrypt"/> produced.</summary>
    /// <exception cref="CryptographicException">The text is malformed, of an unknown version, tampered with, or from another key.</exception>
    public string Decrypt(string ciphertext)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);

        byte[] data;
        try
        {
            data = Convert.FromBase64String(ciphertext);
        }
        catch (FormatException e)
        {
            throw new CryptographicException("The ciphertext is not valid base64.", e);
        }

        if (data.Length < HeaderSize + TagSize)
        {
            throw new CryptographicException("The ciphertext is too short.");
        }

        if (data[0] != FormatVersion)
        {
            throw new CryptographicException($"Unknown ciphertext version {data[0]}.");
        }

        var cipher = CreateCipher(forEncryption: false, data.AsSpan(1, NonceSize).ToArray());
        var body = data.AsSpan(HeaderSize);
        var plain = new byte[cipher.GetOutputSize(body.Length)];
        try
        {
            var written = cipher.ProcessBytes(body, plain);
            written += cipher.DoFinal(plain.AsSpan(written));
            return Sm3Hmac.StrictUtf8.GetString(plain, 0, written);
        }
        catch (InvalidCipherTextException e)
        {
            throw new CryptographicException("The ciphertext failed authentication.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>HMAC-SM3 of the UTF-8 value as lowercase hex: deterministic, for unique indexes and look-ups.</summary>
    /// <remarks>Hashes the exact string: pass the normalized form (e.g. <c>IdNumberCheck.Normalized</c>) or look-ups will miss.</remarks>
    public string LookupHash(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Sm3Hmac.Hex(_lookupKey, Sm3Hmac.StrictUtf8.GetBytes(value));
    }

    private GcmBlockCipher CreateCipher(bool forEncryption, byte[] nonce)
    {
        var cipher = new GcmBlockCipher(new SM4Engine());
        cipher.Init(forEncryption, new AeadParameters(_encryptionKey, TagSize * 8, nonce, AssociatedData));
        return cipher;
    }

    private static KeyParameter CreateKey(ReadOnlySpan<byte> key)
    {
        var copy = key.ToArray();
        try
        {
            return new KeyParameter(copy);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    private static byte[] DecodeKey(string base64, string paramName)
    {
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            // Do not chain the FormatException: nothing about the key should reach a log.
            throw new ArgumentException("The key is not valid base64.", paramName);
        }
    }
}

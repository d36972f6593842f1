using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace OneCard.Domain.Privacy;

/// <summary>SM4 field encryption + SM3-HMAC blind index for personal data at rest (GB/T 39786 §8.4).</summary>
/// <remarks>
/// Thread-safe: the keys are read-only after construction and every call builds its own cipher or MAC, so one
/// instance can be a singleton; a <see cref="Decryptor"/>, <see cref="Encryptor"/> or <see cref="LookupHasher"/> from its
/// <c>Create…</c> method is for one thread (it keeps its key schedule and buffers across values). Ciphertext is base64 of <c>version (1 byte, = 1) | nonce (12 bytes) | SM4-GCM
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
    public string Decrypt(string ciphertext) => new Decryptor(_encryptionKey).Decrypt(ciphertext);

    /// <summary>
    /// A decryptor for many values on one thread (a bank file's accounts): it sets the key up once and keeps its buffers,
    /// where <see cref="Decrypt"/> pays the SM4 key schedule and the GCM hash table on every call.
    /// </summary>
    public Decryptor CreateDecryptor() => new(_encryptionKey);

    /// <summary>
    /// An encryptor for many values on one thread (a roster chunk's IDs and accounts): it sets the SM4 key schedule and the GCM
    /// hash table up once, where <see cref="Encrypt"/> pays them on every call. Every value still gets a fresh random nonce.
    /// </summary>
    public Encryptor CreateEncryptor() => new(_encryptionKey);

    /// <summary>A blind-index hasher for many values on one thread: one HMAC-SM3 keyed once, reset after each value.</summary>
    public LookupHasher CreateLookupHasher() => new(_lookupKey);

    /// <summary>Encrypts like <see cref="Encrypt"/>, one value after another; not thread-safe, one per worker.</summary>
    public sealed class Encryptor
    {
        private readonly GcmBlockCipher _cipher = new(new Sm4());
        private KeyParameter? _key;
        private byte[] _plain = new byte[128];

        // Nonces are drawn from the CSPRNG 256 at a time: one call per value cost more than the SM4 and GCM work together
        // (about 2 µs each, two per roster line). A nonce is public (it leads the ciphertext), so holding them ahead does not
        // weaken anything; each is still 96 random bits used once.
        private readonly byte[] _nonces = new byte[NonceSize * 256];
        private int _nextNonce = NonceSize * 256;

        internal Encryptor(KeyParameter key) => _key = key;

        private byte[] NextNonce()
        {
            if (_nextNonce == _nonces.Length)
            {
                RandomNumberGenerator.Fill(_nonces);
                _nextNonce = 0;
            }
            var nonce = _nonces.AsSpan(_nextNonce, NonceSize).ToArray();
            _nextNonce += NonceSize;
            return nonce;
        }

        /// <summary>SM4-GCM under a fresh random nonce (the same format as <see cref="PersonalDataProtector.Encrypt"/>).</summary>
        public string Encrypt(string plaintext)
        {
            ArgumentNullException.ThrowIfNull(plaintext);
            var max = Sm3Hmac.StrictUtf8.GetMaxByteCount(plaintext.Length);
            if (_plain.Length < max) _plain = new byte[max];
            var length = Sm3Hmac.StrictUtf8.GetBytes(plaintext, _plain);
            try
            {
                Span<byte> buffer = stackalloc byte[HeaderSize + 256 + TagSize];
                var output = length <= 256 ? buffer[..(HeaderSize + length + TagSize)] : new byte[HeaderSize + length + TagSize];
                output[0] = FormatVersion;
                // A fresh random nonce per value, in a new array: GCM refuses a nonce equal to the previous one.
                var nonce = NextNonce();
                nonce.CopyTo(output[1..]);
                // The key goes in on the first value only: a null key keeps the schedule and the hash table.
                _cipher.Init(true, new AeadParameters(_key, TagSize * 8, nonce, AssociatedData));
                _key = null;
                var written = _cipher.ProcessBytes(_plain.AsSpan(0, length), output[HeaderSize..]);
                _cipher.DoFinal(output[(HeaderSize + written)..]);
                return Convert.ToBase64String(output);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(_plain.AsSpan(0, length));
            }
        }
    }

    /// <summary>Computes <see cref="PersonalDataProtector.LookupHash"/>, one value after another; not thread-safe, one per worker.</summary>
    public sealed class LookupHasher
    {
        private readonly Org.BouncyCastle.Crypto.Macs.HMac _mac = new(new Org.BouncyCastle.Crypto.Digests.SM3Digest());
        private byte[] _data = new byte[128];

        internal LookupHasher(KeyParameter key) => _mac.Init(key);

        /// <summary>HMAC-SM3 of the UTF-8 value as lowercase hex (the same as <see cref="PersonalDataProtector.LookupHash"/>).</summary>
        public string LookupHash(string value)
        {
            ArgumentNullException.ThrowIfNull(value);
            var max = Sm3Hmac.StrictUtf8.GetMaxByteCount(value.Length);
            if (_data.Length < max) _data = new byte[max];
            var length = Sm3Hmac.StrictUtf8.GetBytes(value, _data);
            // DoFinal resets the MAC to its keyed initial state, ready for the next value.
            _mac.BlockUpdate(_data, 0, length);
            Span<byte> result = stackalloc byte[32];
            _mac.DoFinal(result);
            return Convert.ToHexStringLower(result);
        }
    }

    /// <summary>Decrypts what <see cref="Encrypt"/> produced, one value after another; not thread-safe, one per worker.</summary>
    public sealed class Decryptor
    {
        private readonly GcmBlockCipher _cipher = new(new Sm4());
        private KeyParameter? _key;
        private byte[] _data = new byte[128];
        private byte[] _plain = new byte[128];

        internal Decryptor(KeyParameter key) => _key = key;

        /// <exception cref="CryptographicException">The text is malformed, of an unknown version, tampered with, or from another key.</exception>
        public string Decrypt(string ciphertext)
        {
            ArgumentNullException.ThrowIfNull(ciphertext);

            var capacity = ciphertext.Length / 4 * 3 + 3;
            if (_data.Length < capacity)
            {
                _data = new byte[capacity];
                _plain = new byte[capacity];
            }

            if (!Convert.TryFromBase64String(ciphertext, _data, out var length))
            {
                throw new CryptographicException("The ciphertext is not valid base64.");
            }

            if (length < HeaderSize + TagSize)
            {
                throw new CryptographicException("The ciphertext is too short.");
            }

            if (_data[0] != FormatVersion)
            {
                throw new CryptographicException($"Unknown ciphertext version {_data[0]}.");
            }

            // The key goes in on the first value only: a null key keeps the schedule and the hash table (decryption may
            // reuse them freely; only encryption must never repeat a nonce under one key).
            _cipher.Init(false, new AeadParameters(_key, TagSize * 8, _data.AsSpan(1, NonceSize).ToArray(), AssociatedData));
            _key = null;
            var body = _data.AsSpan(HeaderSize, length - HeaderSize);
            var written = 0;
            try
            {
                written = _cipher.ProcessBytes(body, _plain);
                written += _cipher.DoFinal(_plain.AsSpan(written));
                return Sm3Hmac.StrictUtf8.GetString(_plain, 0, written);
            }
            catch (InvalidCipherTextException e)
            {
                throw new CryptographicException("The ciphertext failed authentication.", e);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(_plain);
            }
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
        var cipher = new GcmBlockCipher(new Sm4());
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

using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace OneCard.Domain.Privacy;

/// <summary>Keyed hash chain for the append-only audit log.</summary>
/// <remarks>Each entry's hash = HMAC-SM3(key, UTF-8 of <c>previousHash + "\n" + canonicalEntry</c>) as lowercase hex.
/// The first entry of a chain uses the empty string as <c>previousHash</c>.</remarks>
public static class AuditChain
{
    public const int MinKeySize = 16;

    /// <summary>The hash linking <paramref name="canonicalEntry"/> to the entry before it.</summary>
    /// <exception cref="ArgumentException">The key is shorter than 16 bytes, or <paramref name="previousHash"/> contains a line feed
    /// (which would let two different pairs of inputs produce the same text).</exception>
    public static string Link(ReadOnlySpan<byte> key, string previousHash, string canonicalEntry)
    {
        ArgumentNullException.ThrowIfNull(previousHash);
        ArgumentNullException.ThrowIfNull(canonicalEntry);

        if (key.Length < MinKeySize)
        {
            throw new ArgumentException($"The audit key must be at least {MinKeySize} bytes.", nameof(key));
        }

        if (previousHash.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("The previous hash must not contain a line feed.", nameof(previousHash));
        }

        var keyCopy = key.ToArray();
        try
        {
            var data = Sm3Hmac.StrictUtf8.GetBytes(previousHash + "\n" + canonicalEntry);
            return Sm3Hmac.Hex(new KeyParameter(keyCopy), data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyCopy);
        }
    }

    /// <summary>True when <paramref name="expectedHash"/> is the link of these inputs; compares in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> key, string previousHash, string canonicalEntry, string expectedHash)
    {
        ArgumentNullException.ThrowIfNull(expectedHash);
        var actual = Link(key, previousHash, canonicalEntry);
        return CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(actual),
            System.Text.Encoding.ASCII.GetBytes(expectedHash));
    }

    /// <summary>
    /// Links many entries in a row with one keyed MAC (the bulk path's thousands of entries): the same hashes as
    /// <see cref="Link"/>, without a key schedule per entry. Not thread-safe; one per chain run.
    /// </summary>
    public sealed class Linker : IDisposable
    {
        private readonly Org.BouncyCastle.Crypto.Macs.HMac _mac = new(new Org.BouncyCastle.Crypto.Digests.SM3Digest());
        private readonly byte[] _key;

        /// <exception cref="ArgumentException">The key is shorter than 16 bytes.</exception>
        public Linker(ReadOnlySpan<byte> key)
        {
            if (key.Length < MinKeySize)
                throw new ArgumentException($"The audit key must be at least {MinKeySize} bytes.", nameof(key));
            _key = key.ToArray();
            _mac.Init(new KeyParameter(_key));
        }

        /// <summary>As <see cref="AuditChain.Link"/>.</summary>
        /// <exception cref="ArgumentException"><paramref name="previousHash"/> contains a line feed.</exception>
        public string Link(string previousHash, string canonicalEntry)
        {
            ArgumentNullException.ThrowIfNull(previousHash);
            ArgumentNullException.ThrowIfNull(canonicalEntry);
            if (previousHash.Contains('\n', StringComparison.Ordinal))
                throw new ArgumentException("The previous hash must not contain a line feed.", nameof(previousHash));
            // HMac.DoFinal resets to the keyed state, so the next entry starts clean.
            _mac.BlockUpdate(Sm3Hmac.StrictUtf8.GetBytes(previousHash + "\n" + canonicalEntry));
            Span<byte> result = stackalloc byte[32];
            _mac.DoFinal(result);
            return Convert.ToHexStringLower(result);
        }

        public void Dispose()
        {
            _mac.Reset();
            CryptographicOperations.ZeroMemory(_key);
        }
    }
}

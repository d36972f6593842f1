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
}

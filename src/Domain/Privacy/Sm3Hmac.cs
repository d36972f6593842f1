using System.Text;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace OneCard.Domain.Privacy;

/// <summary>HMAC-SM3 (GB/T 32905) as lowercase hex, shared by the blind index and the audit chain.</summary>
internal static class Sm3Hmac
{
    // Strict: a lone surrogate would otherwise become U+FFFD and two different strings would hash alike.
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // BouncyCastle MACs keep state, so one per call: PersonalDataProtector is shared across threads.
    internal static string Hex(KeyParameter key, ReadOnlySpan<byte> data)
    {
        var mac = new HMac(new SM3Digest());
        mac.Init(key);
        mac.BlockUpdate(data);
        Span<byte> result = stackalloc byte[32];
        mac.DoFinal(result);
        return Convert.ToHexStringLower(result);
    }
}

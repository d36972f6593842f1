using System.Security.Cryptography;

namespace OneCard.Host.Platform;

/// <summary>What every upload that is spooled to disk does on its way there.</summary>
public static class Uploads
{
    /// <summary>
    /// Copies <paramref name="content"/> to <paramref name="target"/> while hashing (SHA-256) and counting it. Past
    /// <paramref name="cap"/> bytes it throws the same 413 as a body over the endpoint's limit, which the endpoint's
    /// <c>RequestTooLargeProblem</c> turns into its own Chinese answer; the caller deletes what it wrote.
    /// </summary>
    public static async Task<(long Size, string Sha256)> CopyCappedAsync(Stream content, Stream target, long cap, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long size = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, ct)) > 0)
        {
            size += read;
            if (size > cap) throw new BadHttpRequestException("Upload too large.", StatusCodes.Status413PayloadTooLarge);
            sha.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return (size, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}

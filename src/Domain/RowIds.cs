using System.Security.Cryptography;

namespace OneCard.Domain;

/// <summary>
/// Version 7 ids (RFC 9562: 48-bit Unix milliseconds, then random bits) for rows made by the thousand — a roster's lines,
/// people and accounts, a batch's instructions, a notice's lines — stamped with the time the caller's handler read from its
/// clock, and ascending within that millisecond on each thread.
/// </summary>
/// <remarks>
/// <para>
/// Ascending, because a handler stamps a million rows with the one instant it read: with random bits alone they would land all
/// over each primary-key index (the pipeline bench's store took 113 s instead of 76–82 s), where ascending ids append. So the
/// 12 bits after the version and the top 30 of the 62 after the variant are a 42-bit counter (RFC 9562 §6.2, method 1), set
/// to a random value below 2^41 when the millisecond changes and counted up by one per id; the last 32 bits stay random.
/// Two threads count from their own random starts; an id of one thread could equal one of another only if both the counter
/// and the 32 random bits agree (and the primary key would refuse it).
/// </para>
/// <para>
/// The random bits come from the CSPRNG 256 ids at a time: <c>Guid.CreateVersion7</c> asks it once per id, about 1.4 µs here.
/// Each thread draws from its own buffer, so no lock is taken; an id is not a secret.
/// </para>
/// </remarks>
public static class RowIds
{
    private const int RandomBytesPerId = 4;
    private const int IdsPerRefill = 256;
    private const long CounterLimit = 1L << 42;

    [ThreadStatic] private static byte[]? random;
    [ThreadStatic] private static int next;
    [ThreadStatic] private static long lastMilliseconds;
    [ThreadStatic] private static long counter;

    /// <summary>A version 7 id stamped with <paramref name="at"/> (which must not be before 1970).</summary>
    public static Guid Next(DateTimeOffset at)
    {
        var milliseconds = at.ToUnixTimeMilliseconds();
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds, nameof(at));
        if (milliseconds != lastMilliseconds || ++counter >= CounterLimit)
        {
            // A new millisecond on this thread (or, after 2^41 ids in one, a counter spent): a fresh random start below 2^41.
            counter = (BitConverter.ToUInt32(Random()) | (long)BitConverter.ToUInt32(Random()) << 32) & ((1L << 41) - 1);
            lastMilliseconds = milliseconds;
        }
        var high = (int)(counter >> 30);          // 12 bits: rand_a
        var low = (int)(counter & 0x3FFF_FFFF);   // 30 bits: the top of rand_b, after the variant
        var r = Random();
        // The fields as Guid.CreateVersion7 sets them: a = the top 32 bits of the time, b = its low 16, c = version 7 and 12
        // bits, d = the variant 10 and 6 bits; then 7 bytes, the counter's last 24 bits and 4 random bytes.
        return new Guid((int)(milliseconds >> 16), (short)milliseconds, (short)(0x7000 | high),
            (byte)(0x80 | (low >> 24)), (byte)(low >> 16), (byte)(low >> 8), (byte)low, r[0], r[1], r[2], r[3]);
    }

    // The next RandomBytesPerId bytes of this thread's buffer.
    private static ReadOnlySpan<byte> Random()
    {
        var buffer = random;
        if (buffer is null || next == buffer.Length)
        {
            buffer = random ??= new byte[RandomBytesPerId * IdsPerRefill];
            RandomNumberGenerator.Fill(buffer);
            next = 0;
        }
        var r = buffer.AsSpan(next, RandomBytesPerId);
        next += RandomBytesPerId;
        return r;
    }
}

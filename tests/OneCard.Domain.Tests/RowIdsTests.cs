namespace OneCard.Domain.Tests;

public class RowIdsTests
{
    [Fact]
    public void Next_IsVersion7WithTheRfcVariant()
    {
        var at = new DateTimeOffset(2026, 12, 6, 7, 30, 0, TimeSpan.Zero);
        for (var i = 0; i < 1_000; i++)
        {
            var id = RowIds.Next(at.AddMilliseconds(i));
            Assert.Equal(7, id.Version);
            // RFC 9562's variant: the top two bits of byte 8 are 10 (Guid.Variant reports the top three or four bits).
            Assert.Equal(0b10, id.ToByteArray(bigEndian: true)[8] >> 6);
        }
    }

    [Fact]
    public void Next_CarriesItsTimeAsGuidCreateVersion7Does()
    {
        var at = new DateTimeOffset(2026, 12, 6, 3, 41, 7, 123, TimeSpan.FromHours(8));

        var ours = RowIds.Next(at).ToString();
        var framework = Guid.CreateVersion7(at).ToString();

        // The first 12 hex digits are the Unix milliseconds, in the same place and order.
        Assert.Equal(framework[..13], ours[..13]);
        Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(ours[..8] + ours[9..13], 16));
    }

    [Fact]
    public void Next_IdsAreDistinct_AcrossRefillsAndThreads()
    {
        // 4 threads × 2,000 ids: each thread crosses seven refills of its 256-id buffer, all at the same millisecond.
        var at = new DateTimeOffset(2026, 12, 6, 7, 30, 0, TimeSpan.Zero);
        var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (var i = 0; i < 2_000; i++) ids.Add(RowIds.Next(at));
        });

        Assert.Equal(8_000, ids.Distinct().Count());
    }

    [Fact]
    public void Next_AscendsWithinOneMillisecondOnAThread_AsPostgreSqlAndSqliteOrderThem()
    {
        // A handler stamps a whole roster with the one instant it read: the ids must still append to each primary-key index.
        var at = new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 5_000).Select(_ => RowIds.Next(at)).ToList();

        // PostgreSQL compares a uuid by its bytes in RFC order; SQLite keeps the text, which sorts the same way.
        var bytes = ids.Select(id => Convert.ToHexString(id.ToByteArray(bigEndian: true))).ToList();
        Assert.Equal(bytes.Order(StringComparer.Ordinal), bytes);
        var text = ids.Select(id => id.ToString().ToUpperInvariant()).ToList();
        Assert.Equal(text.Order(StringComparer.Ordinal), text);
        Assert.All(ids, id => Assert.Equal(7, id.Version));

        // A later millisecond starts a fresh random count, still after every id of the earlier one.
        var later = RowIds.Next(at.AddMilliseconds(1));
        Assert.True(string.CompareOrdinal(later.ToString(), ids[^1].ToString()) > 0);
    }

    [Fact]
    public void Next_RefusesATimeBefore1970() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RowIds.Next(new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero)));
}

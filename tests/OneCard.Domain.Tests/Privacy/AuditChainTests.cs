using OneCard.Domain.Privacy;

namespace OneCard.Domain.Tests.Privacy;

public class AuditChainTests
{
    private static readonly byte[] Key = Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray();
    private const string Entry = """{"action":"Approve","caseId":42}""";

    [Fact]
    public void Link_IsHmacSm3OfPreviousHashNewlineEntry()
    {
        // Computed with Python hmac + hashlib 'sm3' (OpenSSL) over "" + "\n" + Entry, key 40..5F.
        Assert.Equal("6263184e54449d3859b2b2fe523aeb9f53d2ebb39d6ded83b6706e7faa5cbe2a", AuditChain.Link(Key, "", Entry));
    }

    [Fact]
    public void Link_IsDeterministic() =>
        Assert.Equal(AuditChain.Link(Key, "abc", Entry), AuditChain.Link(Key, "abc", Entry));

    [Fact]
    public void Link_Changes_WhenKeyChanges()
    {
        var otherKey = (byte[])Key.Clone();
        otherKey[0] ^= 0x01;

        Assert.NotEqual(AuditChain.Link(Key, "abc", Entry), AuditChain.Link(otherKey, "abc", Entry));
    }

    [Fact]
    public void Link_Changes_WhenPreviousHashChanges() =>
        Assert.NotEqual(AuditChain.Link(Key, "abc", Entry), AuditChain.Link(Key, "abd", Entry));

    [Fact]
    public void Link_Changes_WhenEntryChanges() =>
        Assert.NotEqual(AuditChain.Link(Key, "abc", Entry), AuditChain.Link(Key, "abc", Entry.Replace("42", "43", StringComparison.Ordinal)));

    [Fact]
    public void Link_Throws_WhenPreviousHashContainsLineFeed() =>
        // Otherwise ("a\nb", "c") and ("a", "b\nc") would hash the same text.
        Assert.Throws<ArgumentException>(() => AuditChain.Link(Key, "a\nb", "c"));

    [Fact]
    public void Link_Throws_WhenKeyIsShorterThan16Bytes() =>
        Assert.Throws<ArgumentException>(() => AuditChain.Link(new byte[15], "", Entry));

    [Fact]
    public void Linker_GivesTheSameHashesAsLink_ForAChainOfEntries()
    {
        using var linker = new AuditChain.Linker(Key);
        string expected = "", actual = "";
        foreach (var entry in new[] { Entry, "e2", "", "第三条 with 中文" })
        {
            expected = AuditChain.Link(Key, expected, entry);
            actual = linker.Link(actual, entry);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Linker_MatchesTheReferenceVector()
    {
        using var linker = new AuditChain.Linker(Key);
        Assert.Equal("6263184e54449d3859b2b2fe523aeb9f53d2ebb39d6ded83b6706e7faa5cbe2a", linker.Link("", Entry));
    }

    [Fact]
    public void Linker_Throws_WhenKeyIsShorterThan16Bytes() =>
        Assert.Throws<ArgumentException>(() => new AuditChain.Linker(new byte[15]));

    [Fact]
    public void Chain_ChangesEveryLaterLink_WhenAnEarlierEntryIsAltered()
    {
        string[] entries = ["e1", "e2", "e3"];
        string[] altered = ["e1", "e2 (edited)", "e3"];

        var original = Build(entries);
        var tampered = Build(altered);

        Assert.Equal(original[0], tampered[0]);
        Assert.NotEqual(original[1], tampered[1]);
        Assert.NotEqual(original[2], tampered[2]);
    }

    [Fact]
    public void Verify_ReturnsTrue_OnlyForTheMatchingHash()
    {
        var hash = AuditChain.Link(Key, "", Entry);

        Assert.True(AuditChain.Verify(Key, "", Entry, hash));
        Assert.False(AuditChain.Verify(Key, "", Entry + " ", hash));
        Assert.False(AuditChain.Verify(Key, "", Entry, hash[..^1] + (hash[^1] == '0' ? '1' : '0')));
    }

    private static List<string> Build(string[] entries)
    {
        var hashes = new List<string>();
        var previous = string.Empty;
        foreach (var entry in entries)
        {
            previous = AuditChain.Link(Key, previous, entry);
            hashes.Add(previous);
        }

        return hashes;
    }
}

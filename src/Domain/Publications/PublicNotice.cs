namespace OneCard.Domain.Publications;

/// <summary>公示 before payment (with an objection period) or 公开 after it.</summary>
public enum NoticeKind { Publicity, Publication }

/// <summary>
/// A notice for the public. It holds only masked values, written when the notice is made, so a
/// public endpoint has nothing unmasked to leak.
/// </summary>
public sealed class PublicNotice
{
    public Guid Id { get; init; }
    public Guid ApplicationId { get; init; }
    public NoticeKind Kind { get; init; }
    public required string RegionCode { get; init; }
    public required string RegionName { get; init; }
    public required string PolicyNameZh { get; init; }
    public required string Period { get; init; }
    public DateTimeOffset PublishedAt { get; init; }
    public DateTimeOffset? ObjectionsCloseAt { get; init; }
    public int LineCount { get; init; }
    public decimal TotalAmount { get; init; }
    public List<PublicNoticeLine> Lines { get; init; } = [];
}

/// <summary>One masked row of a public notice.</summary>
public sealed class PublicNoticeLine
{
    public Guid Id { get; init; }
    public Guid NoticeId { get; init; }
    public int LineNo { get; init; }
    public required string NameMasked { get; init; }
    public required string IdNumberMasked { get; init; }
    public string? AccountMasked { get; init; }
    public decimal? Quantity { get; init; }
    public decimal Amount { get; init; }
    public required string StatusZh { get; init; }
}

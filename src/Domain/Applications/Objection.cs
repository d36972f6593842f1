namespace OneCard.Domain.Applications;

/// <summary>Where an objection raised during publicity stands.</summary>
public enum ObjectionStatus { Open, Upheld, Dismissed }

/// <summary>An objection (异议) lodged against a line during the publicity period.</summary>
public sealed class Objection
{
    public Guid Id { get; init; }
    public Guid ApplicationId { get; init; }
    public required string RegionCode { get; init; }
    public int? LineNo { get; init; }
    public required string Text { get; init; }
    public string? ContactMasked { get; init; }
    /// <summary>
    /// The normalised contact phone, SM4-GCM encrypted (<c>PersonalDataProtector</c>), so the county can call the objector
    /// back; never returned by the public API and shown to staff only masked. Null on objections lodged before it was kept.
    /// </summary>
    public string? ContactCipher { get; init; }
    /// <summary>
    /// The receipt number (回执号) given to the objector, unique and human-readable: <c>YY</c>, the China date, a dash and six
    /// characters from an alphabet without look-alikes (e.g. <c>YY20261205-7KQ3MX</c>). Null on objections lodged before it existed.
    /// </summary>
    public string? ReceiptNo { get; init; }
    /// <summary>
    /// Keyed hash of the normalised contact (the contact itself is kept only masked). With the line it
    /// keys "one open objection per line and contact"; null only on objections lodged before it existed.
    /// </summary>
    public string? ContactHash { get; init; }
    public DateTimeOffset LodgedAt { get; init; }
    public ObjectionStatus Status { get; set; }
    public string? Resolution { get; set; }
    public string? ResolvedBy { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
}

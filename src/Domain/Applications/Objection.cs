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

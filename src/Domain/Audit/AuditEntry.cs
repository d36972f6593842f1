namespace OneCard.Domain.Audit;

/// <summary>
/// One record of the append-only audit log: who did what to which record, when, with what data.
/// <see cref="Hash"/> is an SM3-HMAC over the previous hash and this entry, so a changed or removed
/// row breaks the chain.
/// </summary>
public sealed class AuditEntry
{
    public long Seq { get; init; }
    public DateTimeOffset At { get; init; }
    public required string ActorId { get; init; }
    public required string Action { get; init; }
    public required string EntityType { get; init; }
    public required string EntityId { get; init; }
    public required string RegionCode { get; init; }
    public required string DataJson { get; init; }
    public required string PrevHash { get; init; }
    public required string Hash { get; init; }

    /// <summary>The exact text the hash covers; changing its format breaks every stored chain.</summary>
    public string Canonical() =>
        string.Join('\u001f', Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            At.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ActorId, Action, EntityType, EntityId, RegionCode, DataJson);
}

namespace OneCard.Domain.Users;

/// <summary>The roles a user can hold; workflow definitions name steps' roles with these strings.</summary>
public static class Roles
{
    public const string TownshipClerk = nameof(TownshipClerk);
    public const string CountyReviewer = nameof(CountyReviewer);
    public const string Inspector = nameof(Inspector);
    public const string FinanceReviewer = nameof(FinanceReviewer);
    public const string Supervisor = nameof(Supervisor);
    /// <summary>Maintains platform reference data (the official holiday calendar); takes no step of any case.</summary>
    public const string Administrator = nameof(Administrator);
    public const string System = nameof(System);

    public static readonly IReadOnlyList<string> Human = [TownshipClerk, CountyReviewer, Inspector, FinanceReviewer, Supervisor, Administrator];
}

/// <summary>A person who signs in: one role, bound to one region (and so to its scope).</summary>
public sealed class User
{
    public required string Id { get; init; }
    public required string UserName { get; init; }
    public required string DisplayName { get; set; }
    public required string Role { get; set; }
    public required string RegionCode { get; set; }
    /// <summary>The outside organisation of a third-party inspector; null for government staff.</summary>
    public string? Organisation { get; set; }
    public required string PasswordHash { get; set; }
}

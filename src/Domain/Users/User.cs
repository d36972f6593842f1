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
    /// <summary>Writes and approves a department's policy list entries and rule sets (政策制定); takes no step of a subsidy case.</summary>
    public const string PolicyOfficer = nameof(PolicyOfficer);
    public const string System = nameof(System);

    public static readonly IReadOnlyList<string> Human = [TownshipClerk, CountyReviewer, Inspector, FinanceReviewer, Supervisor, Administrator, PolicyOfficer];
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

/// <summary>
/// A signed-in browser session. The cookie names it; sign-out deletes the row, so a copied or replayed
/// cookie stops working at once instead of living on until it expires.
/// </summary>
public sealed class UserSession
{
    /// <summary>Random, unguessable (128 bits, hex).</summary>
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// Consecutive failed sign-ins under one user name, known or not: keying by the name typed (not by
/// the user) makes an unknown name lock exactly like a real one, so the answer reveals nothing.
/// </summary>
public sealed class SignInLockout
{
    public const int MaxUserNameLength = 128;

    /// <summary>The user name as typed, trimmed, lower-cased and cut to <see cref="MaxUserNameLength"/>.</summary>
    public required string UserName { get; init; }
    public int Failures { get; set; }
    /// <summary>How many times the name was locked since its last success: each lock lasts longer.</summary>
    public int Lockouts { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset LastFailureAt { get; set; }
}

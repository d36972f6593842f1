namespace OneCard.Workflows;

/// <summary>Who fires an action: a user id and the roles they hold; <see cref="System"/> is the platform itself.</summary>
/// <remarks>The role "System" marks the system actor: the host must never grant it to a user.</remarks>
public sealed record Actor(string UserId, IReadOnlySet<string> Roles)
{
    /// <summary>The reserved role held only by <see cref="System"/>; system-only actions (transition role null) need it.</summary>
    public const string SystemRole = "System";

    /// <summary>The platform acting on its own (timers, payment results): user id "system", role "System".</summary>
    public static Actor System { get; } = new("system", new HashSet<string>(StringComparer.Ordinal) { SystemRole });

    /// <summary>True for the system actor.</summary>
    public bool IsSystem => Roles.Contains(SystemRole);

    /// <summary>A user holding the given roles.</summary>
    public static Actor User(string userId, params string[] roles) =>
        new(userId, new HashSet<string>(roles, StringComparer.Ordinal));
}

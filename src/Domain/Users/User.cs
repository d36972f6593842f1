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

    /// <summary>
    /// Roles that see and act across departments whatever the user's department: finance rechecks every line's payments,
    /// the administrator keeps reference data. Every other role a user holds is bound to the user's department when the user
    /// has one — a supervisor of a department (民政局's) supervises its cases; one of no department (财政局's) supervises all.
    /// </summary>
    public static readonly IReadOnlySet<string> AcrossDepartments = new HashSet<string>(StringComparer.Ordinal) { FinanceReviewer, Administrator };

    /// <summary>Roles that handle one functional line's cases and so cannot be granted to a user without a department.</summary>
    public static readonly IReadOnlySet<string> NeedingDepartment = new HashSet<string>(StringComparer.Ordinal) { TownshipClerk, CountyReviewer };

    /// <summary>
    /// Incompatible duties (不相容岗位相互分离): the roles that take the steps of a subsidy case — submission and township review,
    /// county review, the third-party sample check, finance recheck — each check another's work, so no user may hold two of
    /// them. Separation of duties per case (<c>separateFrom</c>) still applies to whoever holds them.
    /// </summary>
    public static readonly IReadOnlySet<string> CaseChecks = new HashSet<string>(StringComparer.Ordinal) { TownshipClerk, CountyReviewer, Inspector, FinanceReviewer };

    /// <summary>The role among <paramref name="held"/> that may not be held together with <paramref name="role"/>, or null.</summary>
    public static string? IncompatibleWith(IEnumerable<string> held, string role) =>
        CaseChecks.Contains(role) ? held.FirstOrDefault(h => h != role && CaseChecks.Contains(h)) : null;

    /// <summary>The given role names, distinct, known ones in <see cref="Human"/> order, then any others by name.</summary>
    public static IReadOnlyList<string> Ordered(IEnumerable<string> roles)
    {
        static int Rank(string role)
        {
            for (var i = 0; i < Human.Count; i++) if (Human[i] == role) return i;
            return int.MaxValue;
        }
        return [.. roles.Distinct(StringComparer.Ordinal).OrderBy(Rank).ThenBy(r => r, StringComparer.Ordinal)];
    }

    /// <summary>True when the user's department (if any) narrows what <paramref name="role"/> sees and acts on.</summary>
    public static bool IsDepartmentBound(string role) => !AcrossDepartments.Contains(role);
}

/// <summary>
/// The departments (functional lines, 业务主管部门) a user or a policy belongs to; a user at a county with
/// <see cref="Civil"/> is that county's 民政局. The codes are shared with the policy list.
/// </summary>
public static class DepartmentCodes
{
    public const string Agriculture = "LN-AGRI";
    public const string Civil = "LN-CIVIL";
    public const string Disabled = "LN-DPF";
    public const string Health = "LN-HEALTH";
    public const string Finance = "LN-FIN";

    /// <summary>The code with its short Chinese name, as a header or a message shows it (an unknown code as itself).</summary>
    public static string Zh(string? code) => code switch
    {
        Agriculture => "农业农村",
        Civil => "民政",
        Disabled => "残联",
        Health => "卫生健康",
        Finance => "财政",
        null => "",
        _ => code,
    };
}

/// <summary>
/// A person who signs in: one or more roles (<see cref="Roles"/>, granted and revoked by an administrator), bound to one
/// region (and so to its scope) and, for staff who handle one functional line's cases, to one department (and so to that
/// department's policies, for every role but those in <see cref="Users.Roles.AcrossDepartments"/>, finance and administration).
/// </summary>
public sealed class User
{
    public required string Id { get; init; }
    public required string UserName { get; init; }
    public required string DisplayName { get; set; }
    /// <summary>The roles the user holds, at least one; each grant is a row with who granted it and when.</summary>
    public List<UserRole> Roles { get; init; } = [];
    public required string RegionCode { get; set; }
    /// <summary>The outside organisation of a third-party inspector; null for government staff.</summary>
    public string? Organisation { get; set; }
    /// <summary>
    /// The department (业务主管部门, e.g. <c>LN-CIVIL</c> 民政) whose policies this user handles: they see and act on those
    /// policies' cases only, within their region. Null: across departments (finance, supervisors, administrators, inspectors).
    /// </summary>
    public string? DepartmentCode { get; set; }
    public required string PasswordHash { get; set; }

    public const int MaxLanguageLength = 8;

    /// <summary>
    /// The language the user chose in the header ("zh-CN" or "en"), remembered across browsers and sign-ins; null: none chosen
    /// (the browser's culture cookie, else Chinese).
    /// </summary>
    public string? PreferredLanguage { get; set; }

    /// <summary>The names of the roles held, in <see cref="Users.Roles.Human"/> order (a stable order for claims and headers).</summary>
    public IReadOnlyList<string> RoleNames => Users.Roles.Ordered(Roles.Select(r => r.Role));

    public bool Holds(string role) => Roles.Any(r => r.Role == role);

    /// <summary>Adds <paramref name="role"/> (no-op when held); the caller checks who may grant and audits.</summary>
    public User Grant(string role, string grantedBy, DateTimeOffset at)
    {
        if (!Holds(role)) Roles.Add(new UserRole { UserId = Id, Role = role, GrantedBy = grantedBy, GrantedAt = at });
        return this;
    }
}

/// <summary>One role held by one user: who granted it and when (a revoke deletes the row; the audit chain keeps both acts).</summary>
public sealed class UserRole
{
    public const int MaxRoleLength = 32;

    public required string UserId { get; init; }
    public required string Role { get; init; }
    /// <summary>The granting administrator's user id; <c>migration</c> for the single role a user had before roles were a set, <c>seed</c> for demo users.</summary>
    public required string GrantedBy { get; init; }
    public required DateTimeOffset GrantedAt { get; init; }
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

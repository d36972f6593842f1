using System.Security.Claims;
using OneCard.Domain.Regions;
using OneCard.Workflows;

namespace OneCard.Host.Platform;

/// <summary>A signed-in user as the claims carry it (one role claim per role held).</summary>
/// <param name="Roles">The roles held, at least one, in <see cref="Domain.Users.Roles.Human"/> order.</param>
/// <param name="DepartmentCode">
/// The department whose policies the user's department-bound roles handle (every role but finance and administrator);
/// null: across departments.
/// </param>
/// <param name="PreferredLanguage">The language the user chose ("zh-CN", "en"); null: none (see <see cref="Language.Resolve"/>).</param>
public sealed record CurrentUser(string Id, string UserName, string DisplayName, IReadOnlyList<string> Roles, string RegionCode, string? Organisation,
    string? DepartmentCode = null, string? PreferredLanguage = null)
{
    /// <summary>Compatibility for callers written when a user had one role: a user holding exactly <paramref name="role"/>.</summary>
    public CurrentUser(string id, string userName, string displayName, string role, string regionCode, string? organisation, string? departmentCode = null)
        : this(id, userName, displayName, [role], regionCode, organisation, departmentCode) { }

    public RegionScope Scope => RegionScope.For(RegionCode);
    public bool IsThirdParty => Organisation is not null;

    public bool Holds(string role) => Roles.Contains(role);
    public bool HoldsAny(params string[] roles) => roles.Any(Roles.Contains);

    /// <summary>
    /// The department the database filters by: the user's, when every role they hold is bound to it (a 民政 reviewer sees
    /// 民政 cases only, as before roles were a set); null when they also hold a role that sees across departments (finance,
    /// administrator) — then what they may act on is narrowed per case by <see cref="RolesFor"/>.
    /// </summary>
    public string? DepartmentScope => DepartmentCode is not null && Roles.All(Domain.Users.Roles.IsDepartmentBound) ? DepartmentCode : null;

    /// <summary>
    /// True for a user whose department narrows some roles but whom the database does not filter by it: a case's policy
    /// department must be read to know which of their roles apply to it.
    /// </summary>
    public bool ActsPerCaseDepartment => DepartmentCode is not null && DepartmentScope is null && Roles.Any(Domain.Users.Roles.IsDepartmentBound);

    /// <summary>
    /// The roles the user holds for a case of a policy of <paramref name="policyDepartment"/> (null: a case of no policy, or
    /// not departmental): department-bound roles only when it is the user's department.
    /// </summary>
    public IReadOnlySet<string> RolesFor(string? policyDepartment) => new HashSet<string>(
        Roles.Where(r => !Domain.Users.Roles.IsDepartmentBound(r) || DepartmentCode is null || policyDepartment is null || policyDepartment == DepartmentCode),
        StringComparer.Ordinal);

    /// <summary>The workflow actor for a case of a policy of <paramref name="policyDepartment"/> (see <see cref="RolesFor"/>).</summary>
    public Actor ActorFor(string? policyDepartment) => new(Id, RolesFor(policyDepartment));

    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        string Get(string type) => principal.FindFirstValue(type) ?? throw new InvalidOperationException($"Claim {type} is missing.");
        var roles = Domain.Users.Roles.Ordered(principal.FindAll(ClaimTypes.Role).Select(c => c.Value));
        if (roles.Count == 0) throw new InvalidOperationException($"Claim {ClaimTypes.Role} is missing.");
        return new CurrentUser(Get(ClaimTypes.NameIdentifier), Get(ClaimTypes.Name), Get(Claims.DisplayName), roles,
            Get(Claims.Region), principal.FindFirstValue(Claims.Organisation), principal.FindFirstValue(Claims.Department),
            Language.Normalize(principal.FindFirstValue(Language.Claim)));
    }

    public IEnumerable<Claim> ToClaims()
    {
        yield return new Claim(ClaimTypes.NameIdentifier, Id);
        yield return new Claim(ClaimTypes.Name, UserName);
        yield return new Claim(Claims.DisplayName, DisplayName);
        foreach (var role in Roles) yield return new Claim(ClaimTypes.Role, role);
        yield return new Claim(Claims.Region, RegionCode);
        if (Organisation is not null) yield return new Claim(Claims.Organisation, Organisation);
        if (DepartmentCode is not null) yield return new Claim(Claims.Department, DepartmentCode);
        if (PreferredLanguage is not null) yield return new Claim(Language.Claim, PreferredLanguage);
    }

    public static class Claims
    {
        public const string DisplayName = "onecard:display_name";
        public const string Region = "onecard:region";
        public const string Organisation = "onecard:organisation";
        public const string Department = "onecard:department";
    }
}

/// <summary>
/// Who the current unit of work acts for. The database context reads its scope from here: a user
/// sees their region; the system (jobs, start-up) sees all; anything unset sees nothing.
/// </summary>
public sealed class UserContext
{
    /// <summary>A prefix no region code has: the scope of a context nobody has claimed.</summary>
    public const string Nothing = "\u0001";

    public CurrentUser? User { get; private set; }
    public bool IsSystem { get; private set; }

    public void SetUser(CurrentUser user) { User = user; IsSystem = false; }
    public void SetSystem() { User = null; IsSystem = true; }

    public string? DatabaseScope => User is not null ? User.Scope.Prefix : IsSystem ? null : Nothing;

    /// <summary>
    /// The department scope of the query filters: the user's department (its policies' cases only), or null — a user
    /// without one, and the system, see across departments (a context nobody claimed already sees nothing by region).
    /// </summary>
    public string? DatabaseDepartment => User?.DepartmentScope;

    public CurrentUser Required => User ?? throw new InvalidOperationException("No user is signed in for this operation.");
    public string ActorId => User?.Id ?? (IsSystem ? Domain.Users.Roles.System : throw new InvalidOperationException("No actor."));
}

using System.Security.Claims;
using OneCard.Domain.Regions;
using OneCard.Workflows;

namespace OneCard.Host.Platform;

/// <summary>A signed-in user as the claims carry it.</summary>
/// <param name="DepartmentCode">The department whose policies the user handles; null: across departments.</param>
public sealed record CurrentUser(string Id, string UserName, string DisplayName, string Role, string RegionCode, string? Organisation,
    string? DepartmentCode = null)
{
    public RegionScope Scope => RegionScope.For(RegionCode);
    public Actor Actor => new(Id, new HashSet<string> { Role });
    public bool IsThirdParty => Organisation is not null;

    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        string Get(string type) => principal.FindFirstValue(type) ?? throw new InvalidOperationException($"Claim {type} is missing.");
        return new CurrentUser(Get(ClaimTypes.NameIdentifier), Get(ClaimTypes.Name), Get(Claims.DisplayName), Get(ClaimTypes.Role),
            Get(Claims.Region), principal.FindFirstValue(Claims.Organisation), principal.FindFirstValue(Claims.Department));
    }

    public IEnumerable<Claim> ToClaims()
    {
        yield return new Claim(ClaimTypes.NameIdentifier, Id);
        yield return new Claim(ClaimTypes.Name, UserName);
        yield return new Claim(Claims.DisplayName, DisplayName);
        yield return new Claim(ClaimTypes.Role, Role);
        yield return new Claim(Claims.Region, RegionCode);
        if (Organisation is not null) yield return new Claim(Claims.Organisation, Organisation);
        if (DepartmentCode is not null) yield return new Claim(Claims.Department, DepartmentCode);
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
    public string? DatabaseDepartment => User?.DepartmentCode;

    public CurrentUser Required => User ?? throw new InvalidOperationException("No user is signed in for this operation.");
    public string ActorId => User?.Id ?? (IsSystem ? Domain.Users.Roles.System : throw new InvalidOperationException("No actor."));
}

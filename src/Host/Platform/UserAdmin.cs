using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Errors;
using OneCard.Domain.Users;
using OneCard.Host.Components.Shared;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Platform;

/// <summary>
/// Users and their roles (用户与角色): an administrator lists the users of their region and grants or revokes roles. Each
/// grant and revoke is one audited act; a user keeps at least one role, and a role bound to a department's cases
/// (<see cref="Roles.NeedingDepartment"/>) goes only to a user who has a department.
/// </summary>
public static class UserAdmin
{
    /// <summary>Filters: text in the user name or display name, region code prefix, department code, a role held.</summary>
    public sealed record Query(string? Text = null, string? Region = null, string? Department = null, string? Role = null);

    public sealed record RoleView(string Role, string RoleZh, string GrantedBy, DateTimeOffset GrantedAt);

    public sealed record UserView(string Id, string UserName, string DisplayName, string RegionCode, string RegionName, string? DepartmentCode,
        string? DepartmentZh, string? Organisation, IReadOnlyList<RoleView> Roles);

    public sealed record GrantRequest(string? Role);

    /// <summary>A refused grant or revoke, located: the field (<c>role</c>) and why, in Chinese first.</summary>
    public sealed record Refusal(int Status, string Code, string Field, string MessageZh, string MessageEn);

    public sealed record Outcome(UserView? User, Refusal? Refusal);

    public const string GrantedCode = "UserRoleGranted";
    public const string RevokedCode = "UserRoleRevoked";

    public static void MapUserAdmin(this RouteGroupBuilder api)
    {
        // Signed-in users reach the handler, which refuses anyone but an administrator with a Chinese 403 (not a bare one).
        var users = api.MapGroup("/admin/users").WithTags("Users");
        users.MapGet("", async Task<Ok<IReadOnlyList<UserView>>> ([AsParameters] Query query, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.ListAsync(query, ct)))
            .WithName("ListUsers").WithSummary("Users of the administrator's region with their roles (filters: text, region, department, role)");
        users.MapPost("/{id}/roles", async Task<Results<Ok<UserView>, ProblemHttpResult>> (string id, GrantRequest body, Handler handler, HttpContext http, CancellationToken ct) =>
                Answer(http, await handler.GrantAsync(id, body.Role, ct)))
            .WithName("GrantUserRole").WithSummary("Grant a role (administrators; audited)");
        users.MapDelete("/{id}/roles/{role}", async Task<Results<Ok<UserView>, ProblemHttpResult>> (string id, string role, Handler handler, HttpContext http, CancellationToken ct) =>
                Answer(http, await handler.RevokeAsync(id, role, ct)))
            .WithName("RevokeUserRole").WithSummary("Revoke a role (administrators; audited; never the last one)");
    }

    /// <summary>A refusal as OneCard's problem shape (<see cref="Problems.Create"/>: the title in the request's language), with its field.</summary>
    private static Results<Ok<UserView>, ProblemHttpResult> Answer(HttpContext http, Outcome outcome)
    {
        if (outcome.Refusal is not { } r) return TypedResults.Ok(outcome.User!);
        var problem = Problems.Create(http, r.Status, r.Code, r.MessageZh, r.MessageEn);
        problem.Extensions["field"] = r.Field;
        problem.Extensions["messageEn"] = r.MessageEn;
        return TypedResults.Problem(problem);
    }

    /// <summary>A role's English name ("County reviewer") for the English half of a refusal.</summary>
    private static string En(string role) => Resources.Ui.Resources.GetString("Role." + role, System.Globalization.CultureInfo.GetCultureInfo(Language.English)) ?? role;

    /// <summary>The use cases; the API and the administrator's page both call them.</summary>
    public sealed class Handler(OneCardDbContext db, UserContext user, RegionDirectory regions, AuditWriter audit, TimeProvider time)
    {
        public async Task<IReadOnlyList<UserView>> ListAsync(Query query, CancellationToken ct)
        {
            var admin = Administrator();
            var prefix = admin.Scope.Prefix;
            var users = db.Users.AsNoTracking().Include(u => u.Roles).Where(u => u.RegionCode.StartsWith(prefix));
            if (!string.IsNullOrWhiteSpace(query.Text))
            {
                var text = query.Text.Trim();
                users = users.Where(u => u.UserName.Contains(text) || u.DisplayName.Contains(text));
            }
            if (!string.IsNullOrWhiteSpace(query.Region)) users = users.Where(u => u.RegionCode.StartsWith(query.Region.Trim()));
            if (!string.IsNullOrWhiteSpace(query.Department)) users = users.Where(u => u.DepartmentCode == query.Department.Trim());
            if (!string.IsNullOrWhiteSpace(query.Role)) users = users.Where(u => u.Roles.Any(r => r.Role == query.Role.Trim()));
            var rows = await users.OrderBy(u => u.RegionCode).ThenBy(u => u.UserName).Take(1000).ToListAsync(ct);
            return [.. rows.Select(View)];
        }

        public async Task<Outcome> GrantAsync(string userId, string? role, CancellationToken ct)
        {
            var admin = Administrator();
            role = role?.Trim();
            if (string.IsNullOrEmpty(role) || !Roles.Human.Contains(role))
                return Refused(StatusCodes.Status422UnprocessableEntity, "RoleUnknown",
                    $"角色“{role}”不存在，可授予的角色：{string.Join("、", Roles.Human.Select(r => $"{r}（{RoleNames.Zh(r)}）"))}",
                    $"Role '{role}' does not exist; grantable roles: {string.Join(", ", Roles.Human.Select(r => $"{r} ({En(r)})"))}.");

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var target = await LoadAsync(admin, userId, ct);
            if (target.Holds(role))
                return Refused(StatusCodes.Status409Conflict, "RoleAlreadyHeld", $"用户 {target.UserName}（{target.DisplayName}）已持有角色“{RoleNames.Zh(role)}”",
                    $"User {target.UserName} ({target.DisplayName}) already holds the role \"{En(role)}\".");
            if (Roles.NeedingDepartment.Contains(role) && target.DepartmentCode is null)
                return Refused(StatusCodes.Status422UnprocessableEntity, "RoleNeedsDepartment",
                    $"角色“{RoleNames.Zh(role)}”只办理本部门政策的案件，用户 {target.UserName}（{target.DisplayName}）未归属任何部门，不能授予；请先为其设定所属部门",
                    $"The role \"{En(role)}\" handles only its department's cases, and user {target.UserName} ({target.DisplayName}) belongs to no department; set their department first.");

            if (Roles.IncompatibleWith(target.RoleNames, role) is { } held)
                return Refused(StatusCodes.Status409Conflict, "IncompatibleRoles",
                    $"用户 {target.UserName}（{target.DisplayName}）已持有角色“{RoleNames.Zh(held)}”，与“{RoleNames.Zh(role)}”是不相容岗位（经办、县级审核、现场核查、财政复核相互制约，不能由一人兼任），不能授予",
                    $"User {target.UserName} ({target.DisplayName}) holds \"{En(held)}\", which is incompatible with \"{En(role)}\" (clerk, county reviewer, field inspector and finance reviewer check one another and cannot be one person).");

            var before = target.RoleNames;
            target.Grant(role, admin.Id, time.GetUtcNow());
            await RecordAsync(admin, target, GrantedCode, role, before, ct);
            await tx.CommitAsync(ct);
            return new Outcome(View(target), null);
        }

        public async Task<Outcome> RevokeAsync(string userId, string role, CancellationToken ct)
        {
            var admin = Administrator();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var target = await LoadAsync(admin, userId, ct);
            var grant = target.Roles.SingleOrDefault(r => r.Role == role);
            if (grant is null)
                return Refused(StatusCodes.Status404NotFound, "RoleNotHeld", $"用户 {target.UserName}（{target.DisplayName}）未持有角色“{RoleNames.Zh(role)}”",
                    $"User {target.UserName} ({target.DisplayName}) does not hold the role \"{En(role)}\".");
            if (target.Roles.Count == 1)
                return Refused(StatusCodes.Status409Conflict, "LastRole",
                    $"“{RoleNames.Zh(role)}”是用户 {target.UserName}（{target.DisplayName}）唯一的角色，不能撤销（每个用户至少持有一个角色；如需停用账户请另行处理）",
                    $"\"{En(role)}\" is the only role of user {target.UserName} ({target.DisplayName}) and cannot be revoked (every user keeps at least one role; disable the account separately if needed).");
            if (target.Id == admin.Id && role == Roles.Administrator)
                return Refused(StatusCodes.Status409Conflict, "OwnAdministrator",
                    "不能撤销自己的“系统管理员”角色（以免无人可以管理角色），请由另一位系统管理员办理",
                    "You cannot revoke your own Administrator role (so that someone can always manage roles); ask another administrator.");

            var before = target.RoleNames;
            target.Roles.Remove(grant);
            await RecordAsync(admin, target, RevokedCode, role, before, ct);
            await tx.CommitAsync(ct);
            return new Outcome(View(target), null);
        }

        /// <summary>
        /// One audited act, saved in the caller's transaction. The user's sessions end (not the administrator's own): a
        /// revoked role stops at once, a granted one counts from the next sign-in, since the cookie carries the roles.
        /// </summary>
        private async Task RecordAsync(CurrentUser admin, User target, string action, string role, IReadOnlyList<string> before, CancellationToken ct)
        {
            await audit.AppendAsync(db, admin.Id, action, "User", target.Id, target.RegionCode,
                new { user = target.UserName, role, before, after = target.RoleNames, department = target.DepartmentCode }, ct);
            await db.SaveChangesAsync(ct);
            if (target.Id != admin.Id) await db.UserSessions.Where(s => s.UserId == target.Id).ExecuteDeleteAsync(ct);
        }

        private CurrentUser Administrator()
        {
            var me = user.Required;
            if (!me.Holds(Roles.Administrator))
                throw new OneCardException(ErrorKind.Forbidden, "NotAdministrator", "只有系统管理员可以查看和管理用户角色",
                    "Only an administrator can view and manage users' roles.");
            return me;
        }

        /// <summary>The user, locked for the change; one outside the administrator's region is not found, like any other.</summary>
        private async Task<User> LoadAsync(CurrentUser admin, string userId, CancellationToken ct)
        {
            var found = await db.Users.AsNoTracking().Where(u => u.Id == userId || u.UserName == userId)
                .Select(u => new { u.Id, u.RegionCode }).FirstOrDefaultAsync(ct);
            if (found is null || !admin.Scope.Contains(found.RegionCode))
                throw new OneCardException(ErrorKind.NotFound, "UserNotFound", $"用户“{userId}”不存在或不在您的管辖范围内", $"No user '{userId}' in your region.");
            // Two administrators revoking a user's last two roles at once: the second waits here and then sees one left.
            // (SQLite has one writer: the transaction alone orders them.)
            if (db.IsPostgres) await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Users\" WHERE \"Id\" = {found.Id} FOR UPDATE", ct);
            return await db.Users.Include(u => u.Roles).SingleAsync(u => u.Id == found.Id, ct);
        }

        private static Outcome Refused(int status, string code, string zh, string en) => new(null, new Refusal(status, code, "role", zh, en));

        private UserView View(User u) => new(u.Id, u.UserName, u.DisplayName, u.RegionCode, regions.FullName(u.RegionCode), u.DepartmentCode,
            u.DepartmentCode is null ? null : DepartmentCodes.Zh(u.DepartmentCode), u.Organisation,
            [.. u.RoleNames.Select(r => u.Roles.Single(g => g.Role == r)).Select(g => new RoleView(g.Role, RoleNames.Zh(g.Role), g.GrantedBy, g.GrantedAt))]);
    }
}

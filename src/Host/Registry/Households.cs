using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Errors;
using OneCard.Domain.Privacy;
using OneCard.Domain.Registry;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Registry;

/// <summary>
/// The household registry (家庭户底册) of a township: a township clerk (or the county's reviewer, for the county's townships)
/// imports its households from CSV (GBK or UTF-8) or xlsx — 户号, 姓名, 身份证号, 与户主关系 [, 所属区划] — and reads them back
/// masked. An import is all or nothing, every problem located, and replaces each household it lists whole (the file states
/// each listed household fully; households it does not list are left as they are). Members are beneficiaries (the person
/// registry): a person not yet known is created with the ID as blind index, cipher and mask only.
/// </summary>
public static partial class Households
{
    /// <summary>The largest file accepted: a township's households are a few thousand rows.</summary>
    public const long MaxUploadBytes = 20L * 1024 * 1024;

    public const string ImportedCode = "HouseholdsImported";

    public static class Columns
    {
        public const string Number = "户号";
        public const string Name = "姓名";
        public const string IdNumber = "身份证号";
        public const string Relation = "与户主关系";
        public const string Region = "所属区划";
    }

    public sealed record ImportResult(string TownshipCode, string TownshipName, int Households, int Members, int Replaced, int NewPeople, string? EncodingZh);

    /// <summary>An import's result, or its located errors (nothing stored).</summary>
    public sealed record ImportOutcome(ImportResult? Result, LineErrors Errors, int RowCount, string? EncodingZh)
    {
        public bool Succeeded => Result is not null;
    }

    public sealed record HouseholdView(Guid Id, string Number, string RegionCode, string RegionName, string HeadNameMasked, string HeadIdNumberMasked,
        int MemberCount, DateTimeOffset UpdatedAt);

    public sealed record HouseholdList(IReadOnlyList<HouseholdView> Items, int Total);

    public sealed record MemberView(string NameMasked, string IdNumberMasked, string Relation, string RelationZh, DateOnly BirthDate, bool IsMale);

    public sealed record HouseholdDetail(HouseholdView Household, IReadOnlyList<MemberView> Members);

    public sealed record Query(string? Township = null, string? Number = null, int? MinMembers = null, int Page = 1, int PageSize = 50);

    public static IServiceCollection AddHouseholds(this IServiceCollection services) => services.AddScoped<Handler>();

    public static void MapHouseholds(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/registry/households").WithTags("Registry")
            .RequireAuthorization(p => p.RequireRole(Roles.TownshipClerk, Roles.CountyReviewer, Roles.Supervisor));
        group.MapPost("", async Task<Results<Ok<ImportResult>, ProblemHttpResult>> (HttpRequest http, Handler handler, CancellationToken ct) =>
            {
                var form = await http.ReadFormAsync(ct);
                var file = form.Files.GetFile("file")
                    ?? throw new OneCardException(ErrorKind.Invalid, "HouseholdFileMissing", "请选择要导入的家庭户文件（表单字段 file）", "No file in the form field 'file'.");
                if (file.Length > MaxUploadBytes) throw new BadHttpRequestException("Household file too large.", StatusCodes.Status413PayloadTooLarge);
                await using var stream = file.OpenReadStream();
                var outcome = await handler.ImportAsync(form["township"].ToString(), stream, file.FileName, ct);
                return outcome.Succeeded
                    ? TypedResults.Ok(outcome.Result!)
                    : SubmitApplication.LineProblems(new SubmitApplication.Outcome(null, outcome.Errors, outcome.RowCount, EncodingZh: outcome.EncodingZh), rowIsIndex: false);
            })
            .WithName("ImportHouseholds").WithSummary("Import a township's households (multipart: township, file); each listed household replaced whole, all or nothing")
            .DisableAntiforgery()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxUploadBytes + 1024 * 1024))
            .WithMetadata(new RequestTooLargeProblem(new OneCardException(ErrorKind.Invalid, "HouseholdFileTooLarge",
                $"文件超过{MaxUploadBytes / 1024 / 1024}MB，请按村（社区）拆分后分别导入", $"The file is larger than {MaxUploadBytes / 1024 / 1024} MB.")));
        group.MapGet("", async Task<Ok<HouseholdList>> ([AsParameters] Query query, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.ListAsync(query, ct)))
            .WithName("ListHouseholds").WithSummary("A township's households (head masked, member count); filters: number prefix, least members");
        group.MapGet("/{id:guid}", async Task<Ok<HouseholdDetail>> (Guid id, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.GetAsync(id, ct)))
            .WithName("GetHousehold").WithSummary("One household with its members (masked)");
        group.MapGet("/template.csv", () => TypedResults.File(Template(), "text/csv; charset=utf-8", "家庭户-模板.csv"))
            .WithName("HouseholdTemplate").WithSummary("The header row and an example household (UTF-8 with BOM)");
    }

    /// <summary>The template: the header and a two-person example (test ID numbers).</summary>
    public static byte[] Template() =>
        [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(
            $"{Columns.Number},{Columns.Name},{Columns.IdNumber},{Columns.Relation},{Columns.Region}\r\n" +
            "H0001,张三,210114197001011233,户主,\r\nH0001,李四,210114197201021224,配偶,\r\n")];

    /// <summary>The use cases; the API and the page call them.</summary>
    public sealed partial class Handler(
        OneCardDbContext db,
        UserContext user,
        RegionDirectory regions,
        PersonalDataProtector protector,
        AuditWriter audit,
        TimeProvider time)
    {
        public async Task<HouseholdList> ListAsync(Query query, CancellationToken ct)
        {
            var township = CheckTownship(query.Township, write: false);
            var households = db.Households.AsNoTracking().Where(h => h.TownshipCode == township);
            if (!string.IsNullOrWhiteSpace(query.Number))
            {
                var number = query.Number.Trim();
                households = households.Where(h => h.Number.StartsWith(number));
            }
            if (query.MinMembers is { } least) households = households.Where(h => h.MemberCount >= least);
            var total = await households.CountAsync(ct);
            var size = Math.Clamp(query.PageSize, 1, 200);
            var page = await households.OrderBy(h => h.Number).Skip((Math.Max(query.Page, 1) - 1) * size).Take(size).ToListAsync(ct);
            return new HouseholdList(await ViewsAsync(page, ct), total);
        }

        public async Task<HouseholdDetail> GetAsync(Guid id, CancellationToken ct)
        {
            var household = await db.Households.AsNoTracking().SingleOrDefaultAsync(h => h.Id == id, ct);
            if (household is null || !CanRead(household.TownshipCode))
                throw new OneCardException(ErrorKind.NotFound, "HouseholdNotFound", "家庭户不存在或不在您的管辖范围内", "No such household in your region.");
            var members = await (from m in db.HouseholdMembers.AsNoTracking().IgnoreQueryFilters()
                                 where m.HouseholdId == id
                                 join b in db.Beneficiaries.AsNoTracking().IgnoreQueryFilters() on m.BeneficiaryId equals b.Id
                                 select new { m.Relation, b.Name, b.IdNumberMasked, b.BirthDate, b.IsMale }).ToListAsync(ct);
            return new HouseholdDetail((await ViewsAsync([household], ct))[0],
                [.. members.OrderBy(m => m.Relation).ThenBy(m => m.BirthDate)
                    .Select(m => new MemberView(Masking.Name(m.Name), m.IdNumberMasked, m.Relation.ToString(), HouseholdRelations.Zh(m.Relation), m.BirthDate, m.IsMale))]);
        }

        private async Task<List<HouseholdView>> ViewsAsync(IReadOnlyList<Household> households, CancellationToken ct)
        {
            var heads = households.Select(h => h.HeadBeneficiaryId).ToList();
            var people = await db.Beneficiaries.AsNoTracking().IgnoreQueryFilters().Where(b => heads.Contains(b.Id))
                .ToDictionaryAsync(b => b.Id, b => new { b.Name, b.IdNumberMasked }, ct);
            return [.. households.Select(h => new HouseholdView(h.Id, h.Number, h.RegionCode, RegionName(h.RegionCode),
                Masking.Name(people.GetValueOrDefault(h.HeadBeneficiaryId)?.Name), people.GetValueOrDefault(h.HeadBeneficiaryId)?.IdNumberMasked ?? "",
                h.MemberCount, h.UpdatedAt))];
        }

        private string RegionName(string code) =>
            code.Length == 12 ? $"{regions.FullName(code[..9])} {code}" : regions.FullName(code);

        private bool CanRead(string township) => user.IsSystem || user.Required.Scope.Contains(township);

        /// <summary>
        /// The township the user works on: a township clerk their own (by default), a county reviewer one of their county's;
        /// a supervisor reads any in scope. Outside the user's scope: refused with the township's name.
        /// </summary>
        private string CheckTownship(string? township, bool write)
        {
            var code = township?.Trim() ?? "";
            if (code.Length == 0 && !user.IsSystem && user.Required.RegionCode.Length == 9) code = user.Required.RegionCode;
            if (code.Length != 9 || regions.Find(code) is null)
                throw new OneCardException(ErrorKind.Invalid, "HouseholdTownshipInvalid",
                    $"乡镇（街道）代码“{LineErrors.Echo(code)}”无效（字段 township，9位）", "township must be a 9-digit township code.");
            if (user.IsSystem) return code;
            var me = user.Required;
            if (!me.Scope.Contains(code))
                throw new OneCardException(ErrorKind.Forbidden, "HouseholdTownshipOutsideScope",
                    $"乡镇（街道）“{regions.FullName(code)}”不在您的管辖范围内", "The township is outside your region.");
            if (write && !(me.Holds(Roles.TownshipClerk) || me.Holds(Roles.CountyReviewer)))
                throw new OneCardException(ErrorKind.Forbidden, "HouseholdImportNotAllowed", "只有乡镇经办人或县级审核人员可以导入家庭户",
                    "Only a township clerk or a county reviewer can import households.");
            return code;
        }
    }
}

using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Errors;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Domain.Regions;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Banks;

/// <summary>
/// The agent bank registry per city and county (代发银行登记): the banks, each region's selection record, the agreements
/// (代发协议) with keys generated here and stored sealed (never shown or returned), and the banks' contacts. Finance reviewers
/// write for their own region and below (a city or county code); finance and supervisors read what binds their region:
/// records of their region and below, and those of the regions above it (a city's agreement covers its counties).
/// Every write is audited in its transaction; every refusal is a stable code with a Chinese message naming the field.
/// </summary>
public static partial class BankRegistry
{
    public sealed record Query(string? Region = null, string? Bank = null);

    public sealed record BankRow(string Code, string NameZh, string NameEn, IReadOnlyList<string> Aliases, IReadOnlyList<string> SelectedBy,
        int ActiveAgreements, int Contacts);

    public sealed record SelectionView(Guid Id, string RegionCode, string RegionName, string AgentBankCode, DateOnly SelectedOn, string Method,
        string MethodZh, string DocumentNo, string? Note, string CreatedBy, DateTimeOffset CreatedAt);

    /// <summary>An agreement as shown: everything but its keys (their version only).</summary>
    public sealed record AgreementView(Guid Id, string AgreementNo, string AgentBankCode, string RegionCode, string RegionName, DateOnly SignedOn,
        DateOnly ValidFrom, DateOnly ValidTo, IReadOnlyList<string> PolicyCodes, string FeeTerms, string ServiceTerms, string FileFormat,
        int KeyVersion, int ConfirmWithinWorkingDays, string Status, string CreatedBy, DateTimeOffset CreatedAt);

    public sealed record ContactView(Guid Id, string AgentBankCode, string RegionCode, string RegionName, string Name, string Duty, string Phone,
        string? Email);

    public sealed record BankDetail(string Code, string NameZh, string NameEn, IReadOnlyList<string> Aliases, IReadOnlyList<SelectionView> Selections,
        IReadOnlyList<AgreementView> Agreements, IReadOnlyList<ContactView> Contacts);

    public sealed record NewBank(string? Code, string? NameZh, string? NameEn, IReadOnlyList<string>? Aliases);
    public sealed record NewSelection(string? RegionCode, DateOnly? SelectedOn, string? Method, string? DocumentNo, string? Note);
    public sealed record NewAgreement(string? AgreementNo, string? RegionCode, DateOnly? SignedOn, DateOnly? ValidFrom, DateOnly? ValidTo,
        IReadOnlyList<string>? PolicyCodes, string? FeeTerms, string? ServiceTerms, string? FileFormat, int? ConfirmWithinWorkingDays);
    public sealed record Termination(string? Reason);
    public sealed record NewContact(string? RegionCode, string? Name, string? Duty, string? Phone, string? Email);

    /// <summary>The file format an agreement names when none is given (today's columns).</summary>
    public const string DefaultFileFormat = "onecard-csv-v1";

    public static void MapBanks(this RouteGroupBuilder api)
    {
        var banks = api.MapGroup("/banks").WithTags("Banks").RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer, Roles.Supervisor));
        banks.MapGet("", async ([AsParameters] Query query, Handler h, CancellationToken ct) => TypedResults.Ok(await h.ListAsync(query, ct)))
            .WithName("ListAgentBanks").WithSummary("Agent banks with the selections, agreements and contacts that bind the user's region (filters: region, bank)");
        banks.MapGet("/{code}", async (string code, Handler h, CancellationToken ct) => TypedResults.Ok(await h.GetAsync(code, ct)))
            .WithName("GetAgentBank").WithSummary("One agent bank: selections, agreements (no keys), contacts");
        var write = banks.MapGroup("").RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer));
        write.MapPost("", async (NewBank body, Handler h, CancellationToken ct) => TypedResults.Ok(await h.CreateBankAsync(body, ct)))
            .WithName("CreateAgentBank").WithSummary("Register an agent bank with its aliases (finance; audited)");
        write.MapPost("/{code}/selections", async (string code, NewSelection body, Handler h, CancellationToken ct) =>
                TypedResults.Ok(await h.SelectAsync(code, body, ct)))
            .WithName("RecordBankSelection").WithSummary("Record that a city or county selected the bank (finance of that region; audited)");
        write.MapPost("/{code}/agreements", async (string code, NewAgreement body, Handler h, CancellationToken ct) =>
                TypedResults.Ok(await h.CreateAgreementAsync(code, body, ct)))
            .WithName("CreateBankAgreement").WithSummary("Sign an agreement; its SM4 and HMAC-SM3 keys are generated and sealed server-side (audited)");
        write.MapPost("/agreements/{id:guid}/terminate", async (Guid id, Termination body, Handler h, CancellationToken ct) =>
                TypedResults.Ok(await h.TerminateAsync(id, body.Reason, ct)))
            .WithName("TerminateBankAgreement").WithSummary("Terminate an agreement with a reason (audited)");
        write.MapPost("/agreements/{id:guid}/rotate-keys", async (Guid id, Handler h, CancellationToken ct) => TypedResults.Ok(await h.RotateKeysAsync(id, ct)))
            .WithName("RotateBankAgreementKeys").WithSummary("New keys for an agreement, KeyVersion + 1 (audited; keys never shown)");
        write.MapPost("/{code}/contacts", async (string code, NewContact body, Handler h, CancellationToken ct) => TypedResults.Ok(await h.AddContactAsync(code, body, ct)))
            .WithName("AddBankContact").WithSummary("Add a contact of the bank for a region (audited)");
        write.MapDelete("/contacts/{id:guid}", async (Guid id, Handler h, CancellationToken ct) => { await h.RemoveContactAsync(id, ct); return TypedResults.NoContent(); })
            .WithName("RemoveBankContact").WithSummary("Remove a contact (audited)");
    }

    private static OneCardException Invalid(string code, string zh, string en) => new(ErrorKind.Invalid, code, zh, en);

    [GeneratedRegex("^[A-Z][A-Z0-9-]{1,31}$")]
    private static partial Regex BankCodePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{0,63}$")]
    private static partial Regex FileFormatPattern();

    /// <summary>The use cases; the API and the /finance/banks page both call them.</summary>
    public sealed class Handler(OneCardDbContext db, UserContext user, RegionDirectory regions, PersonalDataProtector protector, AuditWriter audit,
        TimeProvider time)
    {
        /// <summary>Whether a record of <paramref name="regionCode"/> binds the user: their region and below, or a region above theirs.</summary>
        private static bool Binds(CurrentUser u, string regionCode) =>
            u.Scope.Contains(regionCode) || RegionScope.For(regionCode).Contains(u.RegionCode);

        public async Task<IReadOnlyList<BankRow>> ListAsync(Query query, CancellationToken ct)
        {
            var u = user.Required;
            var banks = await db.AgentBanks.AsNoTracking().OrderBy(b => b.Code).ToListAsync(ct);
            var aliases = (await db.AgentBankAliases.AsNoTracking().ToListAsync(ct)).ToLookup(a => a.AgentBankCode, a => a.Alias);
            var selections = (await db.AgentBankSelections.AsNoTracking().ToListAsync(ct)).Where(s => Binds(u, s.RegionCode)).ToList();
            var agreements = (await db.BankAgreements.AsNoTracking().Where(a => a.Status == AgreementStatus.Active).ToListAsync(ct))
                .Where(a => Binds(u, a.RegionCode)).ToList();
            var contacts = (await db.BankContacts.AsNoTracking().ToListAsync(ct)).Where(c => Binds(u, c.RegionCode)).ToList();
            var region = query.Region?.Trim();
            var text = query.Bank?.Trim();
            return [.. banks
                .Where(b => string.IsNullOrEmpty(text) || b.Code.Contains(text, StringComparison.OrdinalIgnoreCase) || b.NameZh.Contains(text, StringComparison.Ordinal)
                            || aliases[b.Code].Any(a => a.Contains(text, StringComparison.Ordinal)))
                .Where(b => string.IsNullOrEmpty(region)
                            || selections.Any(s => s.AgentBankCode == b.Code && (s.RegionCode.StartsWith(region, StringComparison.Ordinal) || RegionScope.For(s.RegionCode).Contains(region)))
                            || agreements.Any(a => a.AgentBankCode == b.Code && (a.RegionCode.StartsWith(region, StringComparison.Ordinal) || RegionScope.For(a.RegionCode).Contains(region))))
                .Select(b => new BankRow(b.Code, b.NameZh, b.NameEn, [.. aliases[b.Code].Order(StringComparer.Ordinal)],
                    [.. selections.Where(s => s.AgentBankCode == b.Code).Select(s => regions.FullName(s.RegionCode)).Distinct()],
                    agreements.Count(a => a.AgentBankCode == b.Code), contacts.Count(c => c.AgentBankCode == b.Code)))];
        }

        public async Task<BankDetail> GetAsync(string code, CancellationToken ct)
        {
            var u = user.Required;
            var bank = await db.AgentBanks.AsNoTracking().SingleOrDefaultAsync(b => b.Code == code, ct)
                       ?? throw OneCardException.NotFound("Agent bank", $"代发银行 {code}");
            var aliases = await db.AgentBankAliases.AsNoTracking().Where(a => a.AgentBankCode == code).Select(a => a.Alias).ToListAsync(ct);
            var selections = (await db.AgentBankSelections.AsNoTracking().Where(s => s.AgentBankCode == code).OrderByDescending(s => s.SelectedOn).ToListAsync(ct))
                .Where(s => Binds(u, s.RegionCode)).Select(View).ToList();
            var agreements = (await db.BankAgreements.AsNoTracking().Where(a => a.AgentBankCode == code).ToListAsync(ct))
                .Where(a => Binds(u, a.RegionCode)).OrderBy(a => a.Status).ThenByDescending(a => a.ValidFrom).Select(View).ToList();
            var contacts = (await db.BankContacts.AsNoTracking().Where(c => c.AgentBankCode == code).OrderBy(c => c.RegionCode).ThenBy(c => c.Name).ToListAsync(ct))
                .Where(c => Binds(u, c.RegionCode)).Select(View).ToList();
            return new BankDetail(bank.Code, bank.NameZh, bank.NameEn, [.. aliases.Order(StringComparer.Ordinal)], selections, agreements, contacts);
        }

        public async Task<BankRow> CreateBankAsync(NewBank body, CancellationToken ct)
        {
            var u = Writer();
            var code = body.Code?.Trim().ToUpperInvariant() ?? "";
            if (!BankCodePattern().IsMatch(code))
                throw Invalid("BankCodeInvalid", $"【银行代码】“{Echo(body.Code)}”无效：须为 2–32 位大写字母、数字或连字符，以字母开头（例如 PSBC-LN）",
                    "Bank code must be 2–32 upper-case letters, digits or hyphens, starting with a letter.");
            var nameZh = Required(body.NameZh, "中文名称", 100);
            var nameEn = string.IsNullOrWhiteSpace(body.NameEn) ? nameZh : Required(body.NameEn, "英文名称", 100);
            var aliases = (body.Aliases ?? []).Select(a => a?.Trim() ?? "").Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            foreach (var alias in aliases)
                if (alias.Length > 100) throw Invalid("AliasTooLong", $"【别名】“{Echo(alias)}”超过100个字符", "An alias is longer than 100 characters.");
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (await db.AgentBanks.AnyAsync(b => b.Code == code, ct))
                throw new OneCardException(ErrorKind.Conflict, "BankCodeTaken", $"【银行代码】{code} 已登记", $"Bank {code} is already registered.");
            var allNames = aliases.Append(nameZh).ToList();
            var taken = await db.AgentBankAliases.AsNoTracking().Where(a => allNames.Contains(a.Alias)).FirstOrDefaultAsync(ct);
            if (taken is not null)
                throw new OneCardException(ErrorKind.Conflict, "AliasTaken", $"【别名】“{taken.Alias}”已是代发银行 {taken.AgentBankCode} 的名称，同一名称不能指向两家银行",
                    $"Alias '{taken.Alias}' already names bank {taken.AgentBankCode}.");
            db.AgentBanks.Add(new AgentBank { Code = code, NameZh = nameZh, NameEn = nameEn });
            foreach (var alias in aliases) db.AgentBankAliases.Add(new AgentBankAlias { Alias = alias, AgentBankCode = code });
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, u.Id, "AgentBankRegistered", "AgentBank", code, u.RegionCode, new { code, nameZh, nameEn, aliases }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new BankRow(code, nameZh, nameEn, aliases, [], 0, 0);
        }

        public async Task<SelectionView> SelectAsync(string bankCode, NewSelection body, CancellationToken ct)
        {
            var u = Writer();
            await BankAsync(bankCode, ct);
            var region = RegionOf(u, body.RegionCode);
            if (body.SelectedOn is not { } on) throw Invalid("SelectedOnMissing", "【选定日期】不能为空", "The selection date is required.");
            if (on > Today()) throw Invalid("SelectedOnInFuture", $"【选定日期】{on:yyyy-MM-dd} 晚于今天", "The selection date is in the future.");
            if (!EnumNames.TryParse<SelectionMethod>(body.Method, out var method))
                throw Invalid("SelectionMethodInvalid",
                    $"【选定方式】“{Echo(body.Method)}”无效，应为：{string.Join("、", Enum.GetValues<SelectionMethod>().Select(m => $"{m}（{SelectionMethods.Zh(m)}）"))}",
                    "Unknown selection method.");
            var document = Required(body.DocumentNo, "选定文件文号", 100);
            var note = Optional(body.Note, "备注", 1000);
            var selection = new AgentBankSelection
            {
                Id = Guid.CreateVersion7(), RegionCode = region, AgentBankCode = bankCode, SelectedOn = on, Method = method, DocumentNo = document,
                Note = note, CreatedBy = u.Id, CreatedAt = time.GetUtcNow(),
            };
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.AgentBankSelections.Add(selection);
            await audit.AppendAsync(db, u.Id, "AgentBankSelected", "AgentBank", bankCode, region,
                new { selection.Id, region, bank = bankCode, on, method = method.ToString(), document }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return View(selection);
        }

        public async Task<AgreementView> CreateAgreementAsync(string bankCode, NewAgreement body, CancellationToken ct)
        {
            var u = Writer();
            await BankAsync(bankCode, ct);
            var number = Required(body.AgreementNo, "协议编号", 64);
            var region = RegionOf(u, body.RegionCode);
            if (body.ValidFrom is not { } from) throw Invalid("ValidFromMissing", "【生效日期】不能为空", "The start date is required.");
            if (body.ValidTo is not { } to) throw Invalid("ValidToMissing", "【截止日期】不能为空", "The end date is required.");
            if (to < from) throw Invalid("ValidToBeforeFrom", $"【截止日期】{to:yyyy-MM-dd} 早于【生效日期】{from:yyyy-MM-dd}", "The end date is before the start date.");
            var signed = body.SignedOn ?? Today();
            if (signed > to) throw Invalid("SignedAfterEnd", $"【签订日期】{signed:yyyy-MM-dd} 晚于【截止日期】{to:yyyy-MM-dd}", "Signed after the end date.");
            var days = body.ConfirmWithinWorkingDays ?? 3;
            if (days is < 1 or > 30)
                throw Invalid("ConfirmDaysOutOfRange", $"【回盘时限】{days} 个工作日不在 1–30 之间", "The confirmation time limit must be 1–30 working days.");
            var format = string.IsNullOrWhiteSpace(body.FileFormat) ? DefaultFileFormat : body.FileFormat.Trim();
            if (!FileFormatPattern().IsMatch(format))
                throw Invalid("FileFormatInvalid", $"【文件格式】“{Echo(format)}”无效：须为小写字母、数字、点或连字符（例如 {DefaultFileFormat}）", "Invalid file format code.");
            var policies = (body.PolicyCodes ?? []).Select(p => p?.Trim() ?? "").Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var known = await db.Policies.AsNoTracking().IgnoreQueryFilters().Where(p => policies.Contains(p.Code)).Select(p => p.Code).ToListAsync(ct);
            if (policies.FirstOrDefault(p => !known.Contains(p)) is { } unknown)
                throw Invalid("PolicyUnknown", $"【覆盖政策】“{Echo(unknown)}”不是已登记的补贴政策", $"Unknown policy '{unknown}'.");

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (!await db.AgentBankSelections.AnyAsync(s => s.AgentBankCode == bankCode && s.RegionCode == region, ct))
                throw new OneCardException(ErrorKind.Conflict, "BankNotSelected",
                    $"{regions.FullName(region)}尚无选定 {bankCode} 的记录，须先登记选定记录（选定方式、文号）再签订代发协议",
                    $"Region {region} has no selection record of bank {bankCode}; record the selection first.");
            if (await db.BankAgreements.AnyAsync(a => a.AgreementNo == number, ct))
                throw new OneCardException(ErrorKind.Conflict, "AgreementNoTaken", $"【协议编号】{number} 已存在", $"Agreement {number} already exists.");
            // Two active agreements of one bank and region overlapping in time and policies would make “the covering agreement” ambiguous.
            var overlapping = (await db.BankAgreements.AsNoTracking()
                    .Where(a => a.AgentBankCode == bankCode && a.RegionCode == region && a.Status == AgreementStatus.Active).ToListAsync(ct))
                .FirstOrDefault(a => a.ValidFrom <= to && from <= a.ValidTo
                                     && (a.PolicyCodes.Count == 0 || policies.Count == 0 || a.PolicyCodes.Intersect(policies).Any()));
            if (overlapping is not null)
                throw new OneCardException(ErrorKind.Conflict, "AgreementOverlaps",
                    $"与有效协议 {overlapping.AgreementNo}（{overlapping.ValidFrom:yyyy-MM-dd} 至 {overlapping.ValidTo:yyyy-MM-dd}）在期限和覆盖政策上重叠；请先终止原协议或调整【生效日期】/【覆盖政策】",
                    $"Overlaps active agreement {overlapping.AgreementNo}.");
            var agreement = new BankAgreement
            {
                Id = Guid.CreateVersion7(), AgreementNo = number, AgentBankCode = bankCode, RegionCode = region, SignedOn = signed, ValidFrom = from,
                ValidTo = to, PolicyCodes = policies, FeeTerms = Optional(body.FeeTerms, "费用条款", 2000) ?? "",
                ServiceTerms = Optional(body.ServiceTerms, "服务条款", 4000) ?? "", FileFormat = format,
                EncryptionKeyCipher = NewKey(16), SigningKeyCipher = NewKey(32), KeyVersion = 1, ConfirmWithinWorkingDays = days,
                Status = AgreementStatus.Active, CreatedBy = u.Id, CreatedAt = time.GetUtcNow(),
            };
            db.BankAgreements.Add(agreement);
            await audit.AppendAsync(db, u.Id, "BankAgreementSigned", "BankAgreement", agreement.Id.ToString(), region,
                new { number, bank = bankCode, region, from, to, policies, format, keyVersion = 1, confirmWithinWorkingDays = days }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return View(agreement);
        }

        public async Task<AgreementView> TerminateAsync(Guid id, string? reason, CancellationToken ct)
        {
            var u = Writer();
            var why = Required(reason, "终止原因", 500);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var agreement = await WritableAgreementAsync(u, id, ct);
            if (agreement.Status == AgreementStatus.Terminated)
                throw new OneCardException(ErrorKind.Conflict, "AgreementTerminated", $"代发协议 {agreement.AgreementNo} 已终止", "The agreement is already terminated.");
            agreement.Status = AgreementStatus.Terminated;
            await audit.AppendAsync(db, u.Id, "BankAgreementTerminated", "BankAgreement", agreement.Id.ToString(), agreement.RegionCode,
                new { agreement.AgreementNo, reason = why }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return View(agreement);
        }

        /// <summary>
        /// New SM4 and HMAC-SM3 keys, <c>KeyVersion</c> + 1. Files already made name the version they were made under; the
        /// bank is given the new keys out of band (they are never returned here).
        /// </summary>
        public async Task<AgreementView> RotateKeysAsync(Guid id, CancellationToken ct)
        {
            var u = Writer();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var agreement = await WritableAgreementAsync(u, id, ct);
            if (agreement.Status == AgreementStatus.Terminated)
                throw new OneCardException(ErrorKind.Conflict, "AgreementTerminated", $"代发协议 {agreement.AgreementNo} 已终止，不能更换密钥", "The agreement is terminated.");
            agreement.EncryptionKeyCipher = NewKey(16);
            agreement.SigningKeyCipher = NewKey(32);
            agreement.KeyVersion++;
            await audit.AppendAsync(db, u.Id, "BankAgreementKeysRotated", "BankAgreement", agreement.Id.ToString(), agreement.RegionCode,
                new { agreement.AgreementNo, keyVersion = agreement.KeyVersion }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return View(agreement);
        }

        public async Task<ContactView> AddContactAsync(string bankCode, NewContact body, CancellationToken ct)
        {
            var u = Writer();
            await BankAsync(bankCode, ct);
            var region = RegionOf(u, body.RegionCode);
            var name = Required(body.Name, "联系人", 50);
            var duty = Required(body.Duty, "职责", 50);
            var phone = Required(body.Phone, "电话", 32);
            if (!phone.All(c => char.IsAsciiDigit(c) || c is '-' or '+' or ' ' or '(' or ')'))
                throw Invalid("PhoneInvalid", $"【电话】“{Echo(phone)}”只能包含数字、空格和 + - ( )", "The phone number may hold digits, spaces and + - ( ) only.");
            var email = Optional(body.Email, "电子邮箱", 100);
            if (email is not null && (!email.Contains('@') || email.StartsWith('@') || email.EndsWith('@')))
                throw Invalid("EmailInvalid", $"【电子邮箱】“{Echo(email)}”格式不正确", "The e-mail address is malformed.");
            var contact = new BankContact
            {
                Id = Guid.CreateVersion7(), AgentBankCode = bankCode, RegionCode = region, Name = name, Duty = duty, Phone = phone, Email = email,
                CreatedBy = u.Id, CreatedAt = time.GetUtcNow(),
            };
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.BankContacts.Add(contact);
            await audit.AppendAsync(db, u.Id, "BankContactAdded", "AgentBank", bankCode, region, new { contact.Id, name, duty }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return View(contact);
        }

        public async Task RemoveContactAsync(Guid id, CancellationToken ct)
        {
            var u = Writer();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var contact = await db.BankContacts.SingleOrDefaultAsync(c => c.Id == id, ct);
            if (contact is null || !Binds(u, contact.RegionCode)) throw OneCardException.NotFound("Bank contact", "联系人");
            if (!u.Scope.Contains(contact.RegionCode))
                throw new OneCardException(ErrorKind.Forbidden, "RegionOutsideScope", $"联系人属于{regions.FullName(contact.RegionCode)}，不在您的管辖范围内，不能删除",
                    "The contact belongs to a region outside the user's scope.");
            db.BankContacts.Remove(contact);
            await audit.AppendAsync(db, u.Id, "BankContactRemoved", "AgentBank", contact.AgentBankCode, contact.RegionCode, new { contact.Id, contact.Name }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        private CurrentUser Writer()
        {
            var u = user.Required;
            if (!u.Holds(Roles.FinanceReviewer))
                throw new OneCardException(ErrorKind.Forbidden, "FinanceOnly", "只有财政复核人员可以维护代发银行登记", "Only finance reviewers maintain the agent bank registry.");
            return u;
        }

        private async Task BankAsync(string code, CancellationToken ct)
        {
            if (!await db.AgentBanks.AnyAsync(b => b.Code == code, ct))
                throw OneCardException.NotFound("Agent bank", $"代发银行 {code}");
        }

        private async Task<BankAgreement> WritableAgreementAsync(CurrentUser u, Guid id, CancellationToken ct)
        {
            var agreement = await db.BankAgreements.SingleOrDefaultAsync(a => a.Id == id, ct);
            if (agreement is null || !Binds(u, agreement.RegionCode)) throw OneCardException.NotFound("Bank agreement", "代发协议");
            if (!u.Scope.Contains(agreement.RegionCode))
                throw new OneCardException(ErrorKind.Forbidden, "RegionOutsideScope",
                    $"代发协议 {agreement.AgreementNo} 由{regions.FullName(agreement.RegionCode)}签订，不在您的管辖范围内，只能查看",
                    "The agreement belongs to a region above the user's; read only.");
            return agreement;
        }

        /// <summary>A city or county code of Liaoning inside the user's scope (the registry is kept per city and county).</summary>
        private string RegionOf(CurrentUser u, string? code)
        {
            var region = code?.Trim() ?? "";
            if (region.Length == 0) throw Invalid("RegionMissing", "【地区】不能为空（市或县的6位代码）", "The region is required.");
            var found = regions.Find(region);
            if (found is null || found.Level is not (RegionLevel.City or RegionLevel.County))
                throw Invalid("RegionNotCityOrCounty", $"【地区】“{Echo(region)}”不是辽宁省的市或县（区）代码；代发银行按市、县登记",
                    $"'{Echo(region)}' is not a Liaoning city or county code.");
            if (!u.Scope.Contains(region))
                throw new OneCardException(ErrorKind.Forbidden, "RegionOutsideScope",
                    $"【地区】{regions.FullName(region)}不在您的管辖范围（{regions.FullName(u.RegionCode)}）内", "The region is outside the user's scope.");
            return region;
        }

        private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

        private string NewKey(int bytes) => protector.Encrypt(Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)));

        private SelectionView View(AgentBankSelection s) => new(s.Id, s.RegionCode, regions.FullName(s.RegionCode), s.AgentBankCode, s.SelectedOn,
            s.Method.ToString(), SelectionMethods.Zh(s.Method), s.DocumentNo, s.Note, s.CreatedBy, s.CreatedAt);

        private AgreementView View(BankAgreement a) => new(a.Id, a.AgreementNo, a.AgentBankCode, a.RegionCode, regions.FullName(a.RegionCode), a.SignedOn,
            a.ValidFrom, a.ValidTo, a.PolicyCodes, a.FeeTerms, a.ServiceTerms, a.FileFormat, a.KeyVersion, a.ConfirmWithinWorkingDays, a.Status.ToString(),
            a.CreatedBy, a.CreatedAt);

        private ContactView View(BankContact c) => new(c.Id, c.AgentBankCode, c.RegionCode, regions.FullName(c.RegionCode), c.Name, c.Duty, c.Phone, c.Email);
    }

    private static string Required(string? value, string field, int max)
    {
        var v = value?.Trim() ?? "";
        if (v.Length == 0) throw Invalid("FieldMissing", $"【{field}】不能为空", $"{field} is required.");
        if (v.Length > max) throw Invalid("FieldTooLong", $"【{field}】超过{max}个字符（实为{v.Length}个）", $"{field} is longer than {max} characters.");
        if (v.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))) throw Invalid("FieldControlCharacter", $"【{field}】含不可见的控制字符", $"{field} contains a control character.");
        return v;
    }

    private static string? Optional(string? value, string field, int max) => string.IsNullOrWhiteSpace(value) ? null : Required(value, field, max);

    private static string Echo(string? value) => Applications.LineErrors.Echo(value);
}

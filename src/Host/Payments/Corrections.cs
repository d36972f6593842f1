using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Banking;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Payments;

/// <summary>
/// The correction of returned lines (退票更正): the queue, one correction with its case, the township clerk's proposal (which
/// submits the Verify step) and the case actions (checker's Approve/Return, the clerk's Close with a reason).
/// </summary>
public static class Corrections
{
    /// <summary>The workflow every correction runs (<c>workflows/payment-correction.v*.json</c>).</summary>
    public const string DefinitionId = "payment-correction";

    public static CaseSubject Subject(Guid id) => new(SubjectKinds.PaymentCorrection, id);

    public sealed record QueueItem(Guid Id, string Reference, Guid ApplicationId, string RegionCode, string PolicyCode, string Period, decimal Amount,
        string AgentBankCode, string BankReason, int Attempts, string Status, string StatusZh, string Step, string StepTitle, DateTimeOffset OpenedAt,
        DateTimeOffset? StepDueAt, bool Overdue);
    public sealed record InstructionView(Guid Id, string BatchNo, int Seq, int Attempt, string AgentBankCode, string PayeeName, string AccountMasked,
        string AccountType, decimal Amount, string Status, string? BankMessage, DateTimeOffset? ResultAt);
    public sealed record AccountView(string AgentBankCode, string AccountMasked, string HolderName, string Type, DateTimeOffset ValidFrom,
        DateTimeOffset? ValidTo, string Source, string ChangedBy, string? Reason);
    public sealed record Detail(Guid Id, string Reference, Guid ApplicationId, string? ApplicationNo, string RegionCode, string PolicyCode, string Period,
        decimal Amount, string BeneficiaryNameMasked, string AgentBankCode, string BankReason, int Attempts, string Status, string StatusZh,
        AccountView? CurrentAccount, string? ProposedBankCode, string? ProposedAccountMasked, string? ProposedHolderName, string? ProposedAccountType,
        string? ProposalNote, string? ProposedBy, DateTimeOffset? ProposedAt, string? ClosedReason, IReadOnlyList<InstructionView> Instructions,
        IReadOnlyList<AccountView> AccountHistory, CaseActions.CaseView Case);
    /// <summary>The clerk's correction: bank, account (blank keeps the current one), holder, type, and a note.</summary>
    public sealed record Proposal(string? AgentBankCode, string? Account, string? HolderName, string? AccountType, string? Note);
    public sealed record ActionRequest(string? Comment);

    public static string StatusZh(CorrectionStatus s) => s switch
    {
        CorrectionStatus.Verifying => "待核实更正",
        CorrectionStatus.Checking => "待复核",
        CorrectionStatus.AwaitingRepayment => "待再次支付",
        CorrectionStatus.Repaid => "已再次支付",
        CorrectionStatus.Closed => "已办结（无法支付）",
        _ => s.ToString(),
    };

    public static void MapCorrectionEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/corrections")
            .RequireAuthorization(p => p.RequireRole(Roles.TownshipClerk, Roles.CountyReviewer, Roles.FinanceReviewer, Roles.Supervisor));
        group.MapGet("", async (string? status, string? region, string? bank, Guid? applicationId, Handler h, CancellationToken ct) =>
                TypedResults.Ok(await h.ListAsync(status, region, bank, applicationId, ct)))
            .WithName("ListPaymentCorrections").WithSummary("The correction queue (退票更正): filter by status, region prefix, bank, application");
        group.MapGet("/{id:guid}", async (Guid id, Handler h, CancellationToken ct) => TypedResults.Ok(await h.GetAsync(id, ct)))
            .WithName("GetPaymentCorrection").WithSummary("One correction: bank reason, current account (masked), proposal, attempts, account history and its case");
        group.MapPost("/{id:guid}/proposal", async (Guid id, Proposal body, Handler h, CancellationToken ct) =>
            {
                await h.ProposeAsync(id, body, ct);
                return TypedResults.Ok(await h.GetAsync(id, ct));
            })
            .WithName("ProposePaymentCorrection").WithSummary("The township clerk records the corrected account or holder and submits it for checking")
            .RequireAuthorization(p => p.RequireRole(Roles.TownshipClerk));
        group.MapPost("/{id:guid}/actions/{action}", async Task<Ok<CaseActions.ActionResult>> (Guid id, string action, ActionRequest? body, CaseEngine engine, CancellationToken ct) =>
            {
                var r = await engine.ActAsync(Subject(id), action, body?.Comment, ct);
                return TypedResults.Ok(new CaseActions.ActionResult(r.FromStep, r.Action, r.ToStep, r.Deadline?.DueAt));
            })
            .WithName("ActOnPaymentCorrection").WithSummary("Approve or Return (the checker), Close with a reason (the clerk): the correction case's actions");
        group.MapPost("/sweep", async (CorrectionSweep sweep, CancellationToken ct) => TypedResults.Ok(await sweep.RunAsync(ct)))
            .WithName("RunCorrectionSweep").WithSummary("Runs the correction sweep now (it runs every minute anyway): opens corrections, moves re-paid ones, queues notices")
            .RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer));
    }

    /// <summary>The use cases; the pages call them too.</summary>
    public sealed class Handler(OneCardDbContext db, PersonalDataProtector protector, AuditWriter audit, CaseEngine engine, CaseActions.Handler cases,
        Workflows.WorkflowCatalog workflows, UserContext user, TimeProvider time)
    {
        public async Task<IReadOnlyList<QueueItem>> ListAsync(string? status, string? region, string? bank, Guid? applicationId, CancellationToken ct)
        {
            var query = db.PaymentCorrections.AsNoTracking();
            if (!string.IsNullOrWhiteSpace(status))
            {
                if (!EnumNames.TryParse<CorrectionStatus>(status, out var s))
                    throw new OneCardException(ErrorKind.Invalid, "StatusUnknown",
                        $"状态“{status}”不存在，应为 {string.Join("、", Enum.GetNames<CorrectionStatus>())} 之一", $"Unknown status {status}.");
                query = query.Where(c => c.Status == s);
            }
            if (!string.IsNullOrWhiteSpace(region)) query = query.Where(c => c.RegionCode.StartsWith(region.Trim()));
            if (!string.IsNullOrWhiteSpace(bank)) query = query.Where(c => c.AgentBankCode == bank.Trim());
            if (applicationId is { } app) query = query.Where(c => c.ApplicationId == app);
            var rows = await query
                .Join(db.WorkflowInstances.AsNoTracking().Where(i => i.SubjectKind == SubjectKinds.PaymentCorrection), c => c.Id, i => i.SubjectId,
                    (c, i) => new { c, i.Step, i.DefinitionId, i.DefinitionVersion, i.StepDueAt })
                .OrderBy(x => x.c.Status).ThenBy(x => x.c.OpenedAt).Take(500).ToListAsync(ct);
            var now = time.GetUtcNow();
            return [.. rows.Select(x => new QueueItem(x.c.Id, x.c.Reference, x.c.ApplicationId, x.c.RegionCode, x.c.PolicyCode, x.c.Period, x.c.Amount,
                x.c.AgentBankCode, x.c.BankReason, x.c.Attempts, x.c.Status.ToString(), StatusZh(x.c.Status), x.Step,
                workflows.Get(x.DefinitionId, x.DefinitionVersion).TitleZhOf(x.Step), x.c.OpenedAt, x.StepDueAt, x.StepDueAt <= now))];
        }

        public async Task<Detail> GetAsync(Guid id, CancellationToken ct)
        {
            var c = await db.PaymentCorrections.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct)
                    ?? throw OneCardException.NotFound("Payment correction", "退票更正");
            var view = await cases.GetAsync(Subject(id), ct);
            var instructions = await db.PaymentInstructions.IgnoreQueryFilters().AsNoTracking()
                .Where(i => i.Id == c.OriginalInstructionId || i.OriginalInstructionId == c.OriginalInstructionId)
                .Join(db.PaymentBatches.IgnoreQueryFilters(), i => i.BatchId, b => b.Id, (i, b) => new { i, b.BatchNo, b.AgentBankCode })
                .OrderBy(x => x.i.Attempt).ToListAsync(ct);
            var accounts = await db.BeneficiaryAccounts.IgnoreQueryFilters().AsNoTracking().Where(a => a.BeneficiaryId == c.BeneficiaryId)
                .OrderByDescending(a => a.ValidFrom).ToListAsync(ct);
            var name = await db.Beneficiaries.IgnoreQueryFilters().AsNoTracking().Where(b => b.Id == c.BeneficiaryId).Select(b => b.Name).SingleAsync(ct);
            var applicationNo = await db.Applications.AsNoTracking().Where(a => a.Id == c.ApplicationId).Select(a => a.Number).SingleOrDefaultAsync(ct);
            var history = accounts.Select(Account).ToList();
            return new Detail(c.Id, c.Reference, c.ApplicationId, applicationNo, c.RegionCode, c.PolicyCode, c.Period, c.Amount, Masking.Name(name),
                c.AgentBankCode, c.BankReason, c.Attempts, c.Status.ToString(), StatusZh(c.Status), history.FirstOrDefault(a => a.ValidTo is null),
                c.ProposedBankCode, c.ProposedAccountMasked, c.ProposedHolderName is null ? null : Masking.Name(c.ProposedHolderName),
                c.ProposedAccountType?.ToString(), c.ProposalNote, c.ProposedBy, c.ProposedAt, c.ClosedReason,
                [.. instructions.Select(x => new InstructionView(x.i.Id, x.BatchNo, x.i.Seq, x.i.Attempt, x.i.AgentBankCode ?? x.AgentBankCode,
                    Masking.Name(x.i.PayeeName), x.i.AccountMasked, x.i.AccountType.ToString(), x.i.Amount, x.i.Status.ToString(), x.i.BankMessage, x.i.ResultAt))],
                history, view);
        }

        private static AccountView Account(BeneficiaryAccount a) =>
            new(a.AgentBankCode, a.AccountMasked, Masking.Name(a.HolderName), a.Type.ToString(), a.ValidFrom, a.ValidTo, a.Source, a.ChangedBy, a.Reason);

        /// <summary>
        /// Records the clerk's proposal and fires Submit in one transaction: the engine checks the step, the role and the
        /// claim; a refused proposal leaves nothing. Every field error names the field and the reason.
        /// </summary>
        public async Task ProposeAsync(Guid id, Proposal body, CancellationToken ct)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // The case first, in the order case actions take their locks (case, rows, audit): a concurrent Close cannot deadlock with this.
            var instanceId = await db.WorkflowInstances.Where(i => i.SubjectKind == SubjectKinds.PaymentCorrection && i.SubjectId == id).Select(i => (Guid?)i.Id)
                .SingleOrDefaultAsync(ct) ?? throw OneCardException.NotFound("Payment correction", "退票更正");
            await db.LockInstanceAsync(instanceId, ct);
            var c = await db.PaymentCorrections.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw OneCardException.NotFound("Payment correction", "退票更正");
            if (c.Status != CorrectionStatus.Verifying)
                throw new OneCardException(ErrorKind.Conflict, "CorrectionNotVerifying", $"退票更正 {c.Reference} 当前为“{StatusZh(c.Status)}”，不能提交更正",
                    "The correction is not awaiting verification.");
            var current = await db.BeneficiaryAccounts.IgnoreQueryFilters().AsNoTracking()
                .SingleOrDefaultAsync(a => a.BeneficiaryId == c.BeneficiaryId && a.ValidTo == null, ct);
            var beneficiary = await db.Beneficiaries.IgnoreQueryFilters().AsNoTracking().SingleAsync(b => b.Id == c.BeneficiaryId, ct);

            var bank = (body.AgentBankCode ?? "").Trim();
            if (bank.Length == 0) bank = current?.AgentBankCode ?? c.AgentBankCode;
            if (!await db.AgentBanks.AnyAsync(b => b.Code == bank, ct))
                throw Invalid("BankUnknown", $"开户银行：代发银行“{bank}”未登记", "Unknown agent bank.");
            var holder = (body.HolderName ?? "").Trim();
            if (holder.Length == 0) holder = current?.HolderName ?? beneficiary.Name;
            if (holder.Length > 64) throw Invalid("HolderTooLong", $"户名：不能超过 64 个字符，实为 {holder.Length} 个", "Holder name too long.");
            var type = AccountType.BankCard;
            if (!string.IsNullOrWhiteSpace(body.AccountType) && !EnumNames.TryParse(body.AccountType, out type))
                throw Invalid("AccountTypeUnknown", $"账户类型：“{body.AccountType}”不存在，应为 BankCard（银行卡）或 SocialSecurityCard（社保卡）", "Unknown account type.");
            if (string.IsNullOrWhiteSpace(body.AccountType)) type = current?.Type ?? AccountType.BankCard;
            string cipher, masked;
            if (string.IsNullOrWhiteSpace(body.Account))
            {
                cipher = current?.AccountCipher ?? beneficiary.BankAccountCipher
                         ?? throw Invalid("AccountRequired", "新账号：该对象无在册账户，须填写账号", "No account on file: an account is required.");
                masked = current?.AccountMasked ?? beneficiary.BankAccountMasked ?? "";
            }
            else
            {
                var check = BankAccount.Check(body.Account, "新账号");
                if (!check.IsValid)
                    throw Invalid(check.Errors[0].Code, "新账号：" + string.Join("；", check.Errors.Select(e => e.MessageZh)), string.Join("; ", check.Errors.Select(e => e.MessageEn)));
                cipher = protector.Encrypt(check.Normalized!);
                masked = Masking.BankAccount(check.Normalized);
            }
            var note = (body.Note ?? "").Trim();
            if (note.Length > 500) throw Invalid("NoteTooLong", $"核实说明：不能超过 500 个字符，实为 {note.Length} 个", "Note too long.");
            var unchanged = current is not null && string.IsNullOrWhiteSpace(body.Account) && bank == current.AgentBankCode && holder == current.HolderName && type == current.Type;
            if (unchanged && note.Length == 0)
                throw Invalid("NoteRequired", "核实说明：账户信息未作更改时，须写明核实结果（如“账户已解冻，原账户可用”）", "Nothing changed: explain what was verified.");

            var now = time.GetUtcNow();
            c.ProposedBankCode = bank;
            c.ProposedAccountCipher = cipher;
            c.ProposedAccountMasked = masked;
            c.ProposedHolderName = holder;
            c.ProposedAccountType = type;
            c.ProposalNote = note.Length == 0 ? null : note;
            c.ProposedBy = user.ActorId;
            c.ProposedAt = now;
            c.Status = CorrectionStatus.Checking;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, user.ActorId, "PaymentCorrectionProposed", SubjectKinds.PaymentCorrection, c.Id.ToString(), c.RegionCode,
                new { c.Reference, bank, masked, holder = Masking.Name(holder), type = type.ToString(), note, previous = current?.AccountMasked }, ct);
            var result = await engine.FireAsync(Subject(id), "Submit", note.Length == 0 ? null : note, expectedStep: "Verify", ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            engine.AfterCommit(result, Subject(id));
        }

        private static OneCardException Invalid(string code, string zh, string en) => new(ErrorKind.Invalid, code, zh, en);
    }
}

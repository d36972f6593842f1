using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Audit;
using OneCard.Domain.Beneficiaries;
using OneCard.Domain.Calendar;
using OneCard.Domain.Cases;
using OneCard.Domain.Notices;
using OneCard.Domain.Payments;
using OneCard.Domain.Policies;
using OneCard.Domain.Publications;
using OneCard.Domain.Regions;
using OneCard.Domain.Registry;
using OneCard.Domain.Users;

namespace OneCard.Persistence;

/// <summary>
/// The one model of OneCard. Provider-specific subclasses carry their own migrations.
/// Every region-bound set is filtered by <see cref="Scope"/>: a user never reads outside it. Every set that carries a
/// policy is also filtered by <see cref="Department"/>: a department-bound user never reads another department's cases.
/// </summary>
public abstract partial class OneCardDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>
    /// Supplies the region prefix this context may see, read at every query (so a unit of work can
    /// claim its user after the context was made). No provider, or a null prefix: unscoped (system work).
    /// </summary>
    public Func<string?>? ScopeProvider { get; set; }

    /// <summary>The region prefix the query filters use now.</summary>
    public string? Scope => ScopeProvider?.Invoke();

    /// <summary>
    /// Supplies the department this context is bound to (a 民政 clerk: <c>LN-CIVIL</c>), read at every query like the region
    /// scope. A bound context sees only cases of that department's policies (the <c>Policies</c> table says which); null:
    /// across departments (finance, supervisors, administrators, inspectors, system work).
    /// </summary>
    public Func<string?>? DepartmentProvider { get; set; }

    /// <summary>The department the query filters use now; null: unscoped by department.</summary>
    public string? Department => DepartmentProvider?.Invoke();

    public DbSet<Region> Regions => Set<Region>();
    public DbSet<Department> Departments => Set<Department>();
    public DbSet<Policy> Policies => Set<Policy>();
    public DbSet<RuleSetRecord> RuleSets => Set<RuleSetRecord>();
    public DbSet<ImpactRun> ImpactRuns => Set<ImpactRun>();
    public DbSet<WorkflowDefinitionRecord> WorkflowDefinitions => Set<WorkflowDefinitionRecord>();
    public DbSet<Beneficiary> Beneficiaries => Set<Beneficiary>();
    public DbSet<Application> Applications => Set<Application>();
    public DbSet<ClaimLine> ClaimLines => Set<ClaimLine>();
    public DbSet<SampleDraw> SampleDraws => Set<SampleDraw>();
    public DbSet<Objection> Objections => Set<Objection>();
    public DbSet<WorkflowInstance> WorkflowInstances => Set<WorkflowInstance>();
    public DbSet<WorkflowEvent> WorkflowEvents => Set<WorkflowEvent>();
    public DbSet<CaseTask> Tasks => Set<CaseTask>();
    public DbSet<AgentBank> AgentBanks => Set<AgentBank>();
    public DbSet<PaymentBatch> PaymentBatches => Set<PaymentBatch>();
    public DbSet<PaymentInstruction> PaymentInstructions => Set<PaymentInstruction>();
    public DbSet<BankResultImport> BankResultImports => Set<BankResultImport>();
    // Payments in depth (issue 8): agreements with agent banks, one-card accounts with their history, batch numbering.
    public DbSet<BankAgreement> BankAgreements => Set<BankAgreement>();
    public DbSet<BeneficiaryAccount> BeneficiaryAccounts => Set<BeneficiaryAccount>();
    public DbSet<PaymentBatchCounter> PaymentBatchCounters => Set<PaymentBatchCounter>();
    // banks (issue 8): the agent bank registry — selections, contacts, the names rosters give banks.
    public DbSet<AgentBankSelection> AgentBankSelections => Set<AgentBankSelection>();
    public DbSet<BankContact> BankContacts => Set<BankContact>();
    public DbSet<AgentBankAlias> AgentBankAliases => Set<AgentBankAlias>();
    // indicators (issue 8): budget indicators (预算指标) and their allocation ledger.
    public DbSet<BudgetIndicator> BudgetIndicators => Set<BudgetIndicator>();
    public DbSet<IndicatorEntry> IndicatorEntries => Set<IndicatorEntry>();
    // corrections (issue 8): returned lines corrected and paid again, and the payment notice of each paid line.
    public DbSet<PaymentCorrection> PaymentCorrections => Set<PaymentCorrection>();
    public DbSet<PaymentNotice> PaymentNotices => Set<PaymentNotice>();
    public DbSet<PublicNotice> PublicNotices => Set<PublicNotice>();
    public DbSet<PublicNoticeLine> PublicNoticeLines => Set<PublicNoticeLine>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<User> Users => Set<User>();
    public DbSet<UserRole> UserRoles => Set<UserRole>();
    // Calendar: official holiday notices entered by an administrator.
    public DbSet<HolidayNoticeRecord> HolidayNotices => Set<HolidayNoticeRecord>();
    public DbSet<UserSession> UserSessions => Set<UserSession>();
    public DbSet<SignInLockout> SignInLockouts => Set<SignInLockout>();
    public DbSet<SubmissionReport> SubmissionReports => Set<SubmissionReport>();
    // Uploads at scale (issue 9): rosters processed in the background, and the rows they refused.
    public DbSet<RosterImport> RosterImports => Set<RosterImport>();
    public DbSet<RosterImportRefusedRow> RosterImportRefusedRows => Set<RosterImportRefusedRow>();
    // Notices (issue 6): each person's notice centre, and the outbox an SMS or e-mail adapter drains.
    public DbSet<Notice> Notices => Set<Notice>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    // Policy lists (issue 7, policylist): a region's 补贴政策清单 per year and version, with its items.
    public DbSet<PolicyList> PolicyLists => Set<PolicyList>();
    public DbSet<PolicyListItem> PolicyListItems => Set<PolicyListItem>();
    // Registry and cross-checks (issue 9): other departments' data as snapshots, and what the checks found on claim lines.
    public DbSet<ReferenceSnapshot> ReferenceSnapshots => Set<ReferenceSnapshot>();
    public DbSet<ReferenceRecord> ReferenceRecords => Set<ReferenceRecord>();
    public DbSet<CrossCheckRun> CrossCheckRuns => Set<CrossCheckRun>();
    public DbSet<CrossCheckHit> CrossCheckHits => Set<CrossCheckHit>();

    /// <summary>Whether this context talks to PostgreSQL (bulk paths use COPY there).</summary>
    public abstract bool IsPostgres { get; }

    /// <summary>
    /// Locks a case's workflow row until the transaction ends and re-reads it, so concurrent actions on
    /// one case run one after the other and the second sees the first's result. On SQLite (one writer)
    /// the revision token alone settles a race.
    /// </summary>
    public async Task LockAsync(WorkflowInstance instance, CancellationToken ct)
    {
        if (!IsPostgres) return;
        await Database.ExecuteSqlAsync($"SELECT 1 FROM \"WorkflowInstances\" WHERE \"Id\" = {instance.Id} FOR UPDATE", ct);
        await Entry(instance).ReloadAsync(ct);
    }

    /// <summary>
    /// Locks a case's workflow row by id until the transaction ends, for work that marks the case's tasks without moving
    /// it (reminders, overdue marks, escalation): taken first, in the order case actions take their locks (case, tasks,
    /// audit), so a mark and an action on one case cannot deadlock.
    /// </summary>
    public async Task LockInstanceAsync(Guid instanceId, CancellationToken ct)
    {
        if (!IsPostgres) return;
        await Database.ExecuteSqlAsync($"SELECT 1 FROM \"WorkflowInstances\" WHERE \"Id\" = {instanceId} FOR UPDATE", ct);
    }

    /// <summary>
    /// Locks a payment batch row until the transaction ends, so concurrent result imports of one batch
    /// run one after the other and each reads what the previous one committed. SQLite has one writer.
    /// </summary>
    public async Task LockPaymentBatchAsync(Guid batchId, CancellationToken ct)
    {
        if (!IsPostgres) return;
        await Database.ExecuteSqlAsync($"SELECT 1 FROM \"PaymentBatches\" WHERE \"Id\" = {batchId} FOR UPDATE", ct);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ConfigureInspections(modelBuilder);
        ConfigureHouseholds(modelBuilder);
        ConfigureCorrections(modelBuilder);
        modelBuilder.Entity<Region>(e =>
        {
            e.HasKey(x => x.Code);
            e.Property(x => x.Code).HasMaxLength(12);
            e.Property(x => x.Name).HasMaxLength(64);
            e.Property(x => x.Level).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(x => x.ParentCode);
        });
        modelBuilder.Entity<Department>(e => e.HasKey(x => x.Code));
        modelBuilder.Entity<Policy>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Code).IsUnique();
            e.Property(x => x.Target).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Level).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.RegionCode).HasMaxLength(12);
        });
        modelBuilder.Entity<RuleSetRecord>(e =>
        {
            e.HasKey(x => x.VersionKey);
            // Rows registered before the store existed are shipped files: in force since the seed date. Superseded is
            // never stored, so it serves as "not set" (EF's sentinel) and Draft (0) is written as itself.
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16)
                .HasDefaultValue(RuleSetStatus.Effective).HasSentinel(RuleSetStatus.Superseded);
            e.Property(x => x.EffectiveFrom).HasDefaultValue(RuleSetRecord.SeedEffectiveFrom);
            e.HasIndex(x => new { x.PolicyCode, x.Version }).IsUnique();
            e.HasIndex(x => x.CaseId).IsUnique();
            e.Property(x => x.AuthorId).HasMaxLength(64);
            e.Property(x => x.SubmittedBy).HasMaxLength(64);
            e.Property(x => x.ApprovedBy).HasMaxLength(64);
            e.Property(x => x.RejectedBy).HasMaxLength(64);
        });
        modelBuilder.Entity<WorkflowDefinitionRecord>(e => e.HasKey(x => x.VersionKey));
        modelBuilder.Entity<ImpactRun>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.VersionKey, x.RunAt });
            e.Property(x => x.VersionKey).HasMaxLength(96);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.Sha256).HasMaxLength(64);
            e.Property(x => x.Period).HasMaxLength(16);
            e.Property(x => x.Source).HasMaxLength(16);
            e.Property(x => x.RunBy).HasMaxLength(64);
            e.Property(x => x.TotalBefore).HasPrecision(18, 2);
            e.Property(x => x.TotalAfter).HasPrecision(18, 2);
            // evidence: an uploaded roster's name and hash (nothing else of the file is kept).
            e.Property(x => x.FileName).HasMaxLength(200);
            e.Property(x => x.FileSha256).HasMaxLength(64);
        });

        modelBuilder.Entity<Beneficiary>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.IdNumberHash).HasConversion(BlindIndexColumn.Converter);
            e.HasIndex(x => x.IdNumberHash).IsUnique();
            e.HasIndex(x => x.RegionCode);
            e.Property(x => x.IdAreaCode).HasMaxLength(6);
            e.HasQueryFilter(x => Scope == null || x.RegionCode.StartsWith(Scope));
        });

        modelBuilder.Entity<Application>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Number).IsUnique();
            e.HasIndex(x => new { x.RegionCode, x.PolicyCode, x.Period });
            e.Property(x => x.Source).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.PayableAmount).HasPrecision(18, 2);
            e.HasMany(x => x.Lines).WithOne().HasForeignKey(l => l.ApplicationId).OnDelete(DeleteBehavior.Restrict);
            // Departments: region scope, and the user's department's policies only (a policy of another department: not found).
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || Policies.Any(p => p.Code == x.PolicyCode && p.DepartmentCode == Department)));
        });
        modelBuilder.Entity<ClaimLine>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ApplicationId, x.LineNo }).IsUnique();
            // One beneficiary once per roster.
            e.HasIndex(x => new { x.ApplicationId, x.BeneficiaryId }).IsUnique();
            e.HasIndex(x => new { x.PolicyCode, x.Period, x.BeneficiaryId });
            // A claim line is updated through its life (review outcome, sample result, instruction, the bank's result), a
            // province-wide batch a million at a time. With full pages every update writes a new row version elsewhere and a
            // new entry into each of the five indexes; with room on the page it stays a heap-only (HOT) update, as outcome and
            // reasons are in no index (bench/PAYMENTS.md, 100,000 lines: the bank results' update 4.20× its baseline at 100,
            // 1.98× and 1.93× at 60 in one series). The price is a table about 1.6× larger, much of which an update round would
            // take as dead rows anyway.
            if (IsPostgres) e.HasStorageParameter("fillfactor", 60);
            e.Property(x => x.Amount).HasPrecision(18, 2);
            e.Property(x => x.Outcome).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.SampleResult).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.IdAreaCode).HasMaxLength(6);
            e.HasOne<Beneficiary>().WithMany().HasForeignKey(x => x.BeneficiaryId).OnDelete(DeleteBehavior.Restrict);
            // Departments: region scope, and the user's department's policies only (a policy of another department: not found).
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || Policies.Any(p => p.Code == x.PolicyCode && p.DepartmentCode == Department)));
        });
        modelBuilder.Entity<SampleDraw>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.ApplicationId).IsUnique();
            e.Property(x => x.Share).HasPrecision(5, 4);
        });
        // Issue 9: snapshots of other departments' data. Not region-filtered: a county's checks read the province's
        // registry; the pages that list snapshots scope them themselves.
        modelBuilder.Entity<ReferenceSnapshot>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(24);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.Source).HasMaxLength(100);
            e.Property(x => x.FileName).HasMaxLength(260);
            e.Property(x => x.FileSha256).HasMaxLength(64);
            e.Property(x => x.Encoding).HasMaxLength(16);
            // One current snapshot per kind, region and policy; replacing one is the only change a snapshot sees.
            e.HasIndex(x => new { x.Kind, x.RegionCode, x.PolicyCode }).IsUnique()
                .HasFilter("\"ReplacedBy\" IS NULL").HasDatabaseName("UX_ReferenceSnapshots_OneCurrent");
        });
        modelBuilder.Entity<ReferenceRecord>(e =>
        {
            e.HasKey(x => new { x.SnapshotId, x.RowNo });
            e.Property(x => x.IdNumberHash).HasConversion(BlindIndexColumn.Converter);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.Period).HasMaxLength(16);
            e.Property(x => x.AccountHash).HasConversion(BlindIndexColumn.NullableConverter);
            e.Property(x => x.Detail).HasMaxLength(100);
            e.HasIndex(x => x.IdNumberHash);
            e.HasIndex(x => x.AccountHash).HasFilter("\"AccountHash\" IS NOT NULL");
            e.HasOne<ReferenceSnapshot>().WithMany().HasForeignKey(x => x.SnapshotId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<CrossCheckRun>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ApplicationId, x.StartedAt });
            e.Property(x => x.Trigger).HasMaxLength(16);
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || Applications.Any(a => a.Id == x.ApplicationId)));
        });
        modelBuilder.Entity<CrossCheckHit>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Check).HasConversion<string>().HasMaxLength(24);
            e.Property(x => x.Decision).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Comment).HasMaxLength(500);
            // One hit per line and check: a re-run finds it again (ON CONFLICT DO NOTHING), never twice.
            e.HasIndex(x => new { x.ClaimLineId, x.Check }).IsUnique();
            e.HasIndex(x => new { x.ApplicationId, x.Decision });
            e.HasOne<ClaimLine>().WithMany().HasForeignKey(x => x.ClaimLineId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || Applications.Any(a => a.Id == x.ApplicationId)));
        });
        modelBuilder.Entity<Objection>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ApplicationId, x.Status });
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            // Issue 5 (objections): one open objection per line and contact, and one per contact against the whole notice.
            e.Property(x => x.ContactHash).HasMaxLength(64);
            e.Property(x => x.ContactCipher).HasMaxLength(256);
            // Issue 10: the receipt number a citizen quotes when asking after an objection.
            e.Property(x => x.ReceiptNo).HasMaxLength(24);
            e.HasIndex(x => x.ReceiptNo).IsUnique().HasFilter("\"ReceiptNo\" IS NOT NULL").HasDatabaseName("UX_Objections_ReceiptNo");
            e.HasIndex(x => new { x.ApplicationId, x.LineNo, x.ContactHash }).IsUnique()
                .HasFilter("\"Status\" = 'Open' AND \"LineNo\" IS NOT NULL").HasDatabaseName("UX_Objections_OneOpenPerLineAndContact");
            e.HasIndex(x => new { x.ApplicationId, x.ContactHash }).IsUnique()
                .HasFilter("\"Status\" = 'Open' AND \"LineNo\" IS NULL").HasDatabaseName("UX_Objections_OneOpenPerNoticeAndContact");
            // Departments: region scope, and only what belongs to an application the department may see (its own filter decides).
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || Applications.Any(a => a.Id == x.ApplicationId)));
        });

        modelBuilder.Entity<WorkflowInstance>(e =>
        {
            e.HasKey(x => x.Id);
            e.Ignore(x => x.Subject);
            e.Property(x => x.SubjectKind).HasMaxLength(32);
            e.Property(x => x.Reference).HasMaxLength(64);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.HasIndex(x => new { x.SubjectKind, x.SubjectId }).IsUnique();
            e.HasIndex(x => new { x.Step, x.StepDueAt });
            e.Property(x => x.Revision).IsConcurrencyToken();
            e.HasMany(x => x.History).WithOne().HasForeignKey(h => h.InstanceId).OnDelete(DeleteBehavior.Restrict);
            // Departments: region scope, and the user's department's policies only; a case of no policy (a complaint) is not departmental.
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || x.PolicyCode == null || Policies.Any(p => p.Code == x.PolicyCode && p.DepartmentCode == Department)));
        });
        modelBuilder.Entity<WorkflowEvent>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.InstanceId, x.Seq }).IsUnique();
        });
        modelBuilder.Entity<CaseTask>(e =>
        {
            e.HasKey(x => x.Id);
            e.Ignore(x => x.Subject);
            e.Property(x => x.SubjectKind).HasMaxLength(32);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            // At most one open task per step of an instance: a retried transition cannot open a second one,
            // and a definition may still open parallel tasks in different steps.
            e.HasIndex(x => new { x.InstanceId, x.Step }).IsUnique().HasFilter("\"Status\" = 'Open'");
            e.HasIndex(x => new { x.SubjectKind, x.SubjectId });
            // Every other index serves open work only (inbox, claims, the deadline sweep), so it is partial: a completed
            // task leaves them, and closing one — the bulk path closes thousands at a time — writes three index entries, not seven.
            e.HasIndex(x => x.AssigneeId).HasFilter("\"Status\" = 'Open' AND \"AssigneeId\" IS NOT NULL").HasDatabaseName("IX_Tasks_Open_Assignee");
            e.HasIndex(x => new { x.Role, x.RegionCode }).HasFilter("\"Status\" = 'Open'").HasDatabaseName("IX_Tasks_Open_Role_Region");
            e.HasIndex(x => x.DueAt).HasFilter("\"Status\" = 'Open' AND \"OverdueAt\" IS NULL").HasDatabaseName("IX_Tasks_Open_NotOverdue_Due");
            e.HasIndex(x => x.EscalateAt).HasFilter("\"Status\" = 'Open' AND \"EscalatedAt\" IS NULL AND \"EscalateAt\" IS NOT NULL")
                .HasDatabaseName("IX_Tasks_Open_NotEscalated_Escalate");
            // Supervision (SLA view): the open backlog of a region prefix, and what a region completed in a period, each
            // answered from the index alone on PostgreSQL (the included columns are what the figures count).
            e.HasIndex(x => x.RegionCode).HasFilter("\"Status\" = 'Open'").HasDatabaseName("IX_Tasks_Open_Region")
                .IncludeProperties(x => new { x.DueAt, x.OverdueAt, x.EscalatedAt, x.Step, x.PolicyCode });
            e.HasIndex(x => new { x.RegionCode, x.CompletedAt }).HasFilter("\"Status\" = 'Completed'").HasDatabaseName("IX_Tasks_Completed_Region")
                .IncludeProperties(x => new { x.CreatedAt, x.DueAt, x.Step, x.PolicyCode });
            // Departments: region scope, and the user's department's policies only; a case of no policy (a complaint) is not departmental.
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || x.PolicyCode == null || Policies.Any(p => p.Code == x.PolicyCode && p.DepartmentCode == Department)));
        });

        modelBuilder.Entity<AgentBank>(e => e.HasKey(x => x.Code));
        modelBuilder.Entity<PaymentBatch>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.BatchNo).IsUnique();
            e.HasIndex(x => x.ApplicationId);
            e.Property(x => x.BatchNo).HasMaxLength(64);
            e.Property(x => x.TotalAmount).HasPrecision(18, 2);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.Period).HasMaxLength(16);
            e.HasOne<BankAgreement>().WithMany().HasForeignKey(x => x.AgreementId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(x => x.Instructions).WithOne().HasForeignKey(i => i.BatchId).OnDelete(DeleteBehavior.Restrict);
            // Departments: region scope, and only what belongs to an application the department may see (its own filter decides).
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || Applications.Any(a => a.Id == x.ApplicationId)));
        });
        modelBuilder.Entity<PaymentInstruction>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.BatchId, x.Seq }).IsUnique();
            e.HasIndex(x => x.ClaimLineId);
            // Guarantee 1: nobody is paid twice for one policy and period. A failed instruction
            // leaves room for its re-payment; anything pending or paid does not.
            e.HasIndex(x => new { x.PolicyCode, x.Period, x.BeneficiaryId }).IsUnique()
                .HasFilter("\"Status\" <> 'Failed'").HasDatabaseName("UX_PaymentInstructions_OnePaymentPerPolicyPeriod");
            e.Property(x => x.Amount).HasPrecision(18, 2);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.AgentBankCode).HasMaxLength(32);
            e.Property(x => x.AccountType).HasConversion<string>().HasMaxLength(24);
            // A failed instruction is paid again at most once at a time: one re-payment per original.
            e.HasIndex(x => x.OriginalInstructionId).IsUnique().HasFilter("\"OriginalInstructionId\" IS NOT NULL AND \"Status\" <> 'Failed'")
                .HasDatabaseName("UX_PaymentInstructions_OneRepaymentInFlight");
            // Departments: region scope, and the user's department's policies only (a policy of another department: not found).
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || Policies.Any(p => p.Code == x.PolicyCode && p.DepartmentCode == Department)));
        });
        modelBuilder.Entity<BankAgreement>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.AgreementNo).IsUnique();
            e.HasIndex(x => new { x.RegionCode, x.AgentBankCode });
            e.Property(x => x.AgreementNo).HasMaxLength(64);
            e.Property(x => x.AgentBankCode).HasMaxLength(32);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.FileFormat).HasMaxLength(64);
            e.Property(x => x.FeeTerms).HasMaxLength(2000);
            e.Property(x => x.ServiceTerms).HasMaxLength(4000);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.CreatedBy).HasMaxLength(64);
            // No region filter: an agreement is no personal data and binds every region below its own (a city's covers its
            // counties), which a prefix filter cannot say; the registry's endpoints choose what each user sees.
            e.HasOne<AgentBank>().WithMany().HasForeignKey(x => x.AgentBankCode).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<BeneficiaryAccount>(e =>
        {
            e.HasKey(x => x.Id);
            // One current account per beneficiary; the closed ones are its history.
            e.HasIndex(x => x.BeneficiaryId).IsUnique().HasFilter("\"ValidTo\" IS NULL").HasDatabaseName("UX_BeneficiaryAccounts_OneCurrent");
            e.HasIndex(x => new { x.BeneficiaryId, x.ValidFrom });
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.AgentBankCode).HasMaxLength(32);
            e.Property(x => x.AccountMasked).HasMaxLength(32);
            e.Property(x => x.AccountHash).HasConversion(BlindIndexColumn.NullableConverter);
            e.Property(x => x.HolderName).HasMaxLength(64);
            e.Property(x => x.Type).HasConversion<string>().HasMaxLength(24);
            e.Property(x => x.Source).HasMaxLength(16);
            e.Property(x => x.ChangedBy).HasMaxLength(64);
            e.Property(x => x.Reason).HasMaxLength(500);
            e.HasOne<Beneficiary>().WithMany().HasForeignKey(x => x.BeneficiaryId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(x => Scope == null || x.RegionCode.StartsWith(Scope));
        });
        // banks (issue 8): the registry of agent banks per city and county. No region filter (like BankAgreement): a city's
        // selection binds its counties; the registry's endpoints choose what each user sees.
        modelBuilder.Entity<AgentBankSelection>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.RegionCode, x.AgentBankCode });
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.AgentBankCode).HasMaxLength(32);
            e.Property(x => x.Method).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.DocumentNo).HasMaxLength(100);
            e.Property(x => x.Note).HasMaxLength(1000);
            e.Property(x => x.CreatedBy).HasMaxLength(64);
            e.HasOne<AgentBank>().WithMany().HasForeignKey(x => x.AgentBankCode).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<BankContact>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.AgentBankCode, x.RegionCode });
            e.Property(x => x.AgentBankCode).HasMaxLength(32);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.Name).HasMaxLength(50);
            e.Property(x => x.Duty).HasMaxLength(50);
            e.Property(x => x.Phone).HasMaxLength(32);
            e.Property(x => x.Email).HasMaxLength(100);
            e.Property(x => x.CreatedBy).HasMaxLength(64);
            e.HasOne<AgentBank>().WithMany().HasForeignKey(x => x.AgentBankCode).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<AgentBankAlias>(e =>
        {
            e.HasKey(x => x.Alias);
            e.Property(x => x.Alias).HasMaxLength(100);
            e.Property(x => x.AgentBankCode).HasMaxLength(32);
            e.HasOne<AgentBank>().WithMany().HasForeignKey(x => x.AgentBankCode).OnDelete(DeleteBehavior.Restrict);
        });
        // indicators (issue 8): an indicator per 文号, policy, recipient region and year; its ledger writes each source once.
        modelBuilder.Entity<BudgetIndicator>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.DocumentNo, x.PolicyCode, x.RegionCode, x.Year }).IsUnique();
            e.HasIndex(x => new { x.RegionCode, x.PolicyCode, x.Year });
            e.Property(x => x.DocumentNo).HasMaxLength(BudgetIndicator.MaxDocumentNoLength);
            e.Property(x => x.Title).HasMaxLength(BudgetIndicator.MaxTitleLength);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.IssuingLevel).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.CreatedBy).HasMaxLength(64);
            foreach (var money in new[] { nameof(BudgetIndicator.Amount), nameof(BudgetIndicator.CentralShare), nameof(BudgetIndicator.ProvincialShare),
                         nameof(BudgetIndicator.CityShare), nameof(BudgetIndicator.CountyShare) })
                e.Property(money).HasPrecision(18, 2);
            e.HasQueryFilter(x => Scope == null || x.RegionCode.StartsWith(Scope));
        });
        modelBuilder.Entity<IndicatorEntry>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.SourceKey).IsUnique();
            e.HasIndex(x => new { x.IndicatorId, x.BatchId });
            e.HasIndex(x => x.BatchId);
            e.Property(x => x.SourceKey).HasMaxLength(128);
            e.Property(x => x.Amount).HasPrecision(18, 2);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.By).HasMaxLength(64);
            e.HasOne<BudgetIndicator>().WithMany().HasForeignKey(x => x.IndicatorId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<PaymentBatch>().WithMany().HasForeignKey(x => x.BatchId).OnDelete(DeleteBehavior.Restrict);
        });
        // corrections (issue 8): one correction per returned line (its first failed instruction); one notice per paid instruction.
        modelBuilder.Entity<PaymentCorrection>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.OriginalInstructionId).IsUnique();
            e.HasIndex(x => x.LatestInstructionId);
            e.HasIndex(x => new { x.ApplicationId, x.Status });
            e.HasIndex(x => new { x.Status, x.RegionCode });
            e.Property(x => x.Reference).HasMaxLength(96);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.Period).HasMaxLength(16);
            e.Property(x => x.Amount).HasPrecision(18, 2);
            e.Property(x => x.AgentBankCode).HasMaxLength(32);
            e.Property(x => x.BankReason).HasMaxLength(500);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(24);
            e.Property(x => x.ProposedBankCode).HasMaxLength(32);
            e.Property(x => x.ProposedAccountMasked).HasMaxLength(32);
            e.Property(x => x.ProposedHolderName).HasMaxLength(64);
            e.Property(x => x.ProposedAccountType).HasConversion<string>().HasMaxLength(24);
            e.Property(x => x.ProposalNote).HasMaxLength(500);
            e.Property(x => x.ProposedBy).HasMaxLength(64);
            e.Property(x => x.ClosedReason).HasMaxLength(500);
            e.HasOne<PaymentInstruction>().WithMany().HasForeignKey(x => x.OriginalInstructionId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(x => (Scope == null || x.RegionCode.StartsWith(Scope))
                && (Department == null || Policies.Any(p => p.Code == x.PolicyCode && p.DepartmentCode == Department)));
        });
        modelBuilder.Entity<PaymentNotice>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.InstructionId).IsUnique();
            e.HasIndex(x => x.BeneficiaryId);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.Period).HasMaxLength(16);
            e.Property(x => x.Amount).HasPrecision(18, 2);
            e.Property(x => x.AgentBankCode).HasMaxLength(32);
            e.Property(x => x.AccountMasked).HasMaxLength(32);
            e.Property(x => x.Text).HasMaxLength(500);
            e.HasOne<PaymentInstruction>().WithMany().HasForeignKey(x => x.InstructionId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(x => Scope == null || x.RegionCode.StartsWith(Scope));
        });
        modelBuilder.Entity<PaymentBatchCounter>(e =>
        {
            e.HasKey(x => new { x.Year, x.RegionCode, x.AgentBankCode });
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.AgentBankCode).HasMaxLength(32);
        });
        // Issue 5 (payments): one accepted result file per batch and content hash — the import's idempotency key.
        modelBuilder.Entity<BankResultImport>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.BatchId, x.Sha256 }).IsUnique();
            e.Property(x => x.Sha256).HasMaxLength(64).IsFixedLength();
            e.Property(x => x.ImportedBy).HasMaxLength(64);
        });

        modelBuilder.Entity<PublicNotice>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ApplicationId, x.Kind }).IsUnique();
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.TotalAmount).HasPrecision(18, 2);
            e.HasMany(x => x.Lines).WithOne().HasForeignKey(l => l.NoticeId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<PublicNoticeLine>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.NoticeId, x.LineNo }).IsUnique();
            e.Property(x => x.Amount).HasPrecision(18, 2);
            e.Property(x => x.Quantity).HasPrecision(18, 4);
        });

        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedNever();
            e.HasIndex(x => new { x.EntityType, x.EntityId });
        });
        modelBuilder.Entity<User>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.UserName).IsUnique();
            e.Property(x => x.DepartmentCode).HasMaxLength(32);
            e.Property(x => x.PreferredLanguage).HasMaxLength(User.MaxLanguageLength);
        });
        // roles (issue 7 item 2): a user holds a set of roles, one row per grant; a role is held at most once.
        modelBuilder.Entity<User>().Ignore(x => x.RoleNames);
        modelBuilder.Entity<UserRole>(e =>
        {
            e.HasKey(x => new { x.UserId, x.Role });
            e.Property(x => x.Role).HasMaxLength(UserRole.MaxRoleLength);
            e.Property(x => x.GrantedBy).HasMaxLength(64);
            // Who holds role R (notices to a role's holders, an assignee's eligibility).
            e.HasIndex(x => x.Role);
            e.HasOne<User>().WithMany(u => u.Roles).HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        // end roles

        // Calendar: one row per revision of a year's notice; two concurrent entries of one revision cannot both land.
        modelBuilder.Entity<HolidayNoticeRecord>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Year, x.Revision }).IsUnique();
            e.Property(x => x.DocumentNumber).HasMaxLength(64);
            e.Property(x => x.EnteredBy).HasMaxLength(64);
        });

        // Sign-in hardening (issue 5): server-side sessions and per-name lockout.
        modelBuilder.Entity<UserSession>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(32);
            e.HasIndex(x => x.UserId);
        });
        modelBuilder.Entity<SignInLockout>(e =>
        {
            e.HasKey(x => x.UserName);
            e.Property(x => x.UserName).HasMaxLength(SignInLockout.MaxUserNameLength);
        });

        // Error reports of refused submissions (files hardening): the uploader's own, swept when expired.
        modelBuilder.Entity<SubmissionReport>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.UserId).HasMaxLength(64);
            e.Property(x => x.FileName).HasMaxLength(200);
            e.HasIndex(x => x.ExpiresAt);
        });

        // Roster imports (issue 9, uploads): the job claims and finishes them by conditional updates; ApplicationId is unique
        // so a second run can never attach a second case.
        modelBuilder.Entity<RosterImport>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.UploadedBy).HasMaxLength(64);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.PolicyCode).HasMaxLength(64);
            e.Property(x => x.Period).HasMaxLength(16);
            e.Property(x => x.Mode).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.FileName).HasMaxLength(RosterImport.MaxFileNameLength);
            e.Property(x => x.Sha256).HasMaxLength(64);
            e.Property(x => x.SpoolPath).HasMaxLength(500);
            e.Property(x => x.Phase).HasMaxLength(RosterImport.MaxPhaseLength);
            e.Property(x => x.MessageZh).HasMaxLength(RosterImport.MaxMessageLength);
            e.HasIndex(x => new { x.UploadedBy, x.CreatedAt });
            e.HasIndex(x => x.ApplicationId).IsUnique();
        });
        modelBuilder.Entity<RosterImportRefusedRow>(e =>
        {
            e.HasKey(x => new { x.ImportId, x.Row });
            e.HasOne<RosterImport>().WithMany().HasForeignKey(x => x.ImportId).OnDelete(DeleteBehavior.Cascade);
        });

        // Notices (issue 6): a person's own notices, newest first; one per task, kind and recipient however often the sweep runs.
        modelBuilder.Entity<Notice>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.RecipientId).HasMaxLength(64);
            e.Property(x => x.Kind).HasMaxLength(32);
            e.Property(x => x.SubjectKind).HasMaxLength(32);
            e.Property(x => x.Reference).HasMaxLength(64);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.Text).HasMaxLength(500);
            e.HasIndex(x => new { x.RecipientId, x.CreatedAt });
            e.HasIndex(x => new { x.TaskId, x.Kind, x.RecipientId }).IsUnique();
        });
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Channel).HasMaxLength(16);
            e.Property(x => x.Recipient).HasMaxLength(128);
            e.Property(x => x.Text).HasMaxLength(500);
            e.HasIndex(x => new { x.SentAt, x.CreatedAt });
            e.HasIndex(x => x.ClaimId);
        });

        // Policy lists (issue 7, policylist): one version per (region, year, version); items unique by code within a list.
        modelBuilder.Entity<PolicyList>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.RegionCode).HasMaxLength(12);
            e.Property(x => x.Level).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.CreatedBy).HasMaxLength(64);
            e.Property(x => x.PublishedBy).HasMaxLength(64);
            e.HasIndex(x => new { x.RegionCode, x.Year, x.Version }).IsUnique();
            e.HasMany(x => x.Items).WithOne().HasForeignKey(i => i.ListId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<PolicyListItem>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ListId, x.Code }).IsUnique();
            e.Property(x => x.Code).HasMaxLength(64);
            e.Property(x => x.NameZh).HasMaxLength(100);
            e.Property(x => x.DepartmentCode).HasMaxLength(32);
            e.Property(x => x.Level).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Target).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Unit).HasMaxLength(32);
            e.Property(x => x.Frequency).HasMaxLength(16);
            e.Property(x => x.PaymentMonths).HasMaxLength(64);
            e.Property(x => x.Amount).HasPrecision(18, 2);
            e.Property(x => x.CentralShare).HasPrecision(5, 2);
            e.Property(x => x.ProvincialShare).HasPrecision(5, 2);
            e.Property(x => x.CityShare).HasPrecision(5, 2);
            e.Property(x => x.CountyShare).HasPrecision(5, 2);
            e.Ignore(x => x.HasShares);
            e.Ignore(x => x.SharesText);
            e.Ignore(x => x.AmountText);
            e.Ignore(x => x.EffectiveText);
        });
    }
}

using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Microsoft.AspNetCore.Authentication;
using OneCard.Domain.Privacy;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Calendar;
using OneCard.Host.Cases;
using OneCard.Host.Notices;
using OneCard.Host.Payments;
using OneCard.Host.Policies;
using OneCard.Host.Publicity;
using OneCard.Host.Registry;
using OneCard.Host.RuleSets;
using OneCard.Host.Supervision;
using OneCard.Host.Tasks;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.RuleSets;
using OneCard.Rules.Evaluation;
using OneCard.Workflows;
using Scalar.AspNetCore;

namespace OneCard.Host.Platform;

/// <summary>The composition of OneCard: what <c>Program.cs</c> adds and maps.</summary>
public static class HostSetup
{
    public static WebApplicationBuilder AddOneCard(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        var database = config.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddOneCardDatabase(database);
        // Every context reads its region scope from the unit of work's user, at every query.
        services.AddScoped<UserContext>();
        services.AddScoped<OneCardDbContext>(sp =>
        {
            OneCardDbContext db = database.Provider == DatabaseProvider.Postgres
                ? sp.GetRequiredService<PostgresOneCardDbContext>() : sp.GetRequiredService<SqliteOneCardDbContext>();
            var user = sp.GetRequiredService<UserContext>();
            db.ScopeProvider = () => user.DatabaseScope;
            db.DepartmentProvider = () => user.DatabaseDepartment;
            return db;
        });

        // The system clock; only the Testing environment may shift it (Clock:OffsetFile, the two-host test).
        services.AddSingleton<TimeProvider>(new SeedableClock(OffsetFileClock.FromConfiguration(config, builder.Environment)));
        var contentRoot = AppContext.BaseDirectory;
        // The shipped rule sets, the seed of the database's (Startup registers them); Rules:Directory points elsewhere (a
        // staging copy, a test's own files). Everything else reads IRuleSets: the stored versions, approved or seeded.
        services.AddSingleton(_ => RuleSetCatalog.LoadFromDirectory(config["Rules:Directory"] ?? Path.Combine(contentRoot, "rules")));
        services.AddRuleSetStore();
        // The allow-list is the CPU guard; the per-line budget is a backstop, generous enough that a GC pause
        // on a loaded machine does not fault an honest line.
        services.AddSingleton(_ => new RuleEvaluator(new RuleEvaluatorOptions
        {
            TimeBudgetPerLine = TimeSpan.FromMilliseconds(config.GetValue("Rules:TimeBudgetPerLineMs", 2000)),
        }));
        // The shipped workflow definitions; Workflows:Directory points elsewhere (a test's own files). The calendar is not among them.
        services.AddSingleton(_ => WorkflowCatalog.LoadFromDirectory(config["Workflows:Directory"] ?? Path.Combine(contentRoot, "workflows")));
        // Calendar: the shipped file plus the years an administrator entered, reloaded at start-up, after an entry and
        // every minute; each unit of work counts its deadlines on the calendar as it was when the scope began.
        services.AddSingleton(_ => new CalendarProvider(WorkingDayCalendar.Load(File.ReadAllText(Path.Combine(contentRoot, "data", "calendar-cn.json")))));
        services.AddHostedService<CalendarRefresher>();
        services.AddScoped(sp => sp.GetRequiredService<CalendarProvider>().Current);
        services.AddScoped(sp => new WorkflowRunner(sp.GetRequiredService<CalendarProvider>().Current, sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<CalendarYears.Handler>();
        services.AddScoped<UserAdmin.Handler>();
        services.AddScoped<Registry.ReferenceSnapshots.Handler>();
        services.AddScoped<Registry.TownshipLedger.Handler>();
        services.AddSingleton(RegionDirectory.Liaoning());

        var keys = config.GetSection("Keys");
        services.AddSingleton(PersonalDataProtector.FromBase64(
            keys["PersonalDataEncryption"] ?? throw new InvalidOperationException("Keys:PersonalDataEncryption is not configured."),
            keys["PersonalDataLookup"] ?? throw new InvalidOperationException("Keys:PersonalDataLookup is not configured.")));
        var auditKey = Convert.FromBase64String(keys["AuditChain"] ?? throw new InvalidOperationException("Keys:AuditChain is not configured."));
        services.AddSingleton(sp => new AuditWriter(auditKey, sp.GetRequiredService<TimeProvider>()));

        services.AddScoped<CaseEngine>();
        services.AddScoped<CaseEffects>();
        services.AddCaseVocabulary();
        services.AddCorrections();
        Inspections.InspectionSetup.AddInspections(services);
        services.AddScoped<TimerScheduler>();
        services.AddScoped<SubmitApplication.Handler>();
        services.AddRosterImports();
        services.AddScoped<RosterTemplate.Handler>();
        services.AddScoped<ReadApplications.Handler>();
        services.AddLineCorrections();
        services.AddScoped<Inbox.Handler>();
        services.AddScoped<ClaimTask.Handler>();
        services.AddScoped<BulkApprove.Handler>();
        services.AddScoped<ActOnCase.Handler>();
        services.AddCrossChecks();
        Registry.Households.AddHouseholds(services); // households (issue 9)
        services.AddScoped<PublicNotices.Handler>();
        services.AddBankFiles(config);
        services.AddScoped<Banks.BankRegistry.Handler>();
        services.AddScoped<Banks.AccountHistory.Handler>();
        services.AddIndicators();
        services.AddScoped<SlaOverview.Handler>();
        services.AddScoped<OverdueTasks.Handler>();
        services.AddScoped<LatePayments.Handler>();
        services.AddScoped<BankPerformance.Handler>();
        services.AddPolicyLists(config);
        services.AddCaseEndpoints();
        services.AddTransient<StepTimerJob>();
        services.AddTransient<DeadlineSweepJob>();
        services.AddNotices(config);

        services.AddOneCardAuth(config);
        services.AddOneCardForwardedHeaders(config);
        services.AddOneCardRateLimits(config);
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<CalendarHealthCheck>("working-day-calendar");
        services.AddAntiforgery();
        // Ui.resx (Chinese, neutral) and Ui.en.resx: IStringLocalizer<Resources.Ui> for components.
        services.AddLocalization();

        var jobs = config.GetSection("Jobs");
        // This host's own job storage. AddHangfire would register JobStorage.Current, a process-wide global that the configuration
        // below sets: a second host starting in the same process (tests and specs run many) can overwrite it between this host's
        // configuration and the read, and this host's jobs then go to the other host's database (a spec's case action failed
        // with "database does not exist" once that host had dropped its database). Registered first, so AddHangfire's TryAdd
        // keeps it; resolving it runs the configuration (IGlobalConfiguration), which sets the storage captured here.
        JobStorage? storage = null;
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<IGlobalConfiguration>();
            return storage ?? throw new InvalidOperationException("Hangfire's configuration set no job storage.");
        });
        services.AddHangfire((sp, h) =>
        {
            // Hangfire's log provider is process-wide: one that outlives this host (see HangfireLogs).
            h.UseLogProvider(new HangfireLogs(sp.GetRequiredService<ILoggerFactory>()));
            h.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            if (database.Provider == DatabaseProvider.Postgres)
                storage = h.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(database.ConnectionString), new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    InvisibilityTimeout = TimeSpan.FromMinutes(5),
                    UseSlidingInvisibilityTimeout = true,
                    QueuePollInterval = TimeSpan.FromSeconds(5),
                    PrepareSchemaIfNecessary = true,
                    // A host killed while it held a job's lock (the minutely sweep's DisableConcurrentExecution) leaves the row
                    // behind; after this it counts as stale. The default, 10 minutes, stopped every sweep for that long (the
                    // crash test found it). Taking over is safe: every job is re-entrant and its effects exactly-once.
                    DistributedLockTimeout = TimeSpan.FromMinutes(1),
                }).Entry;
            else
                storage = h.UseSQLiteStorage(jobs["SqlitePath"] ?? "onecard-jobs.db").Entry;
        });
        if (jobs.GetValue("RunServer", true))
        {
            services.AddHostedService<RecurringJobs>();
            services.AddHangfireServer((sp, o) =>
            {
                o.WorkerCount = jobs.GetValue("Workers", 2);
                // The server's own container, not Hangfire's process-wide JobActivator.Current: that global is
                // overwritten by whichever host started last (several hosts share a process in tests).
                o.Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>());
            });
        }

        builder.AddOneCardUi();
        return builder;
    }

    /// <summary>Paths whose errors are problem details (machines read them), not the UI's error pages.</summary>
    public static bool AnswersProblems(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health")
        || path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/_framework");

    public static WebApplication MapOneCard(this WebApplication app)
    {
        // First: scheme and client address as the trusted proxy saw them, for everything after.
        app.UseForwardedHeaders();
        // The API (and machine endpoints) answer errors as problem details; every other path is the UI, which answers with a
        // Chinese error page (Components/Pages/Errors): 404 for an unknown route, 403, and 500 for an exception while rendering.
        app.UseWhen(http => AnswersProblems(http.Request.Path), api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        // Written directly (not re-executed into a Blazor endpoint, which answered an empty body): a small page with the shell's
        // stylesheet and the same texts as Components/Pages/Errors/ErrorNotice.razor.
        app.UseWhen(http => !AnswersProblems(http.Request.Path), ui =>
        {
            ui.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandler = http => ErrorPageHtml.WriteAsync(http, StatusCodes.Status500InternalServerError),
            });
            ui.UseStatusCodePages(context => ErrorPageHtml.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode));
        });
        app.UseRateLimiter();
        app.UseOriginCheck();
        app.UseAuthentication();
        // Claim the unit of work for the signed-in user before any endpoint touches the database.
        app.Use(async (http, next) =>
        {
            if (CurrentUser.From(http.User) is { } user) http.RequestServices.GetRequiredService<UserContext>().SetUser(user);
            await next();
        });
        // After authentication: the signed-in user's remembered language comes first (Languages.cs, Language.Resolve).
        app.UseOneCardLanguages();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapOpenApi();
        // Offline (a government intranet reaches no CDN): the bundled script is served by the host itself; no CDN fonts,
        // no telemetry, no AI agent or MCP calls out to scalar.com. Tests prove no page or /scalar names an outside URL.
        app.MapScalarApiReference(o => o.DisableDefaultFonts().DisableTelemetry().DisableAgent().DisableMcp().HideDeveloperTools());
        app.MapHealthChecks("/health");

        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapAuth();
        api.MapLanguageApi();
        api.MapSubmitApplication();
        api.MapReadApplications();
        api.MapLineCorrections();
        api.MapInbox();
        api.MapClaimTask();
        api.MapBulkApprove();
        api.MapActOnCase();
        api.MapCrossChecks();
        api.MapBankFiles();
        Banks.BankRegistry.MapBanks(api);
        Banks.AccountHistory.MapAccountHistory(api);
        api.MapIndicators();
        api.MapCorrections();
        Inspections.InspectionSetup.MapInspections(api);
        api.MapPublicNotices();
        api.MapCalendarYears();
        api.MapUserAdmin();
        Registry.ReferenceSnapshots.MapReferenceSnapshots(api);
        Registry.TownshipLedger.MapTownshipLedger(api);
        Registry.Households.MapHouseholds(api); // households (issue 9)
        api.MapNotices();
        api.MapSlaOverview();
        api.MapOverdueTasks();
        api.MapLatePayments();
        api.MapBankPerformance();
        api.MapCaseEndpoints();
        api.MapPolicyLists();
        api.MapRuleSets();
        api.MapRosterTemplate();

        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new RoleDashboardFilter(Roles.Supervisor, Roles.FinanceReviewer)],
            // Nobody requeues or deletes payment jobs from a browser (reliability-security §2.6).
            IsReadOnlyFunc = _ => true,
        });
        app.MapOneCardUi();
        return app;
    }

    /// <summary>The Hangfire dashboard is for signed-in supervisors and finance staff only.</summary>
    private sealed class RoleDashboardFilter(params string[] roles) : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var http = context.GetHttpContext();
            return http.User.Identity?.IsAuthenticated == true && roles.Any(http.User.IsInRole);
        }
    }
}

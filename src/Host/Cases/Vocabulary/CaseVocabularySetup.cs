using OneCard.Host.Cases.Vocabulary;

// In the Cases namespace so the composition root calls it without another using.
namespace OneCard.Host.Cases;

public static class CaseVocabularySetup
{
    /// <summary>Registers every guard, on-enter effect and line action a workflow definition may name.</summary>
    public static IServiceCollection AddCaseVocabulary(this IServiceCollection services)
    {
        // Guards and line actions hold no state (a guard reads the unit of work's context from GuardContext).
        services.AddSingleton<IGuard, AllSampledLinesChecked>();
        services.AddSingleton<IGuard, HasOpenObjections>();
        services.AddSingleton<IGuard, NoOpenObjections>();
        services.AddSingleton<IGuard, AllPaymentsTerminal>();
        services.AddSingleton<IGuard, AllBatchLinesTerminal>();
        services.AddSingleton<IGuard, WithinIndicators>();
        services.AddSingleton<ILineAction, RejectLines>();
        services.AddSingleton<ILineAction, RecordSampleResult>();
        services.AddSingleton<ILineAction, ResolveObjection>();
        services.AddScoped<PublicNoticeWriter>();
        services.AddScoped<IStepEffect, DrawSample>();
        services.AddScoped<IStepEffect, StartPublicity>();
        services.AddScoped<IStepEffect, CreatePaymentBatch>();
        services.AddScoped<IStepEffect, Publish>();
        services.AddScoped<IStepEffect, ReleaseBatch>();
        services.AddScoped<IStepEffect, ReturnFailedAmounts>();
        services.AddScoped<CaseVocabulary>();
        services.AddScoped<WorkflowVocabularyCheck>();
        return services;
    }
}

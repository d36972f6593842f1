using OneCard.Host.Platform;
using Serilog;

var builder = WebApplication.CreateBuilder(args);
builder.Host.UseSerilog((context, log) => log.ReadFrom.Configuration(context.Configuration).WriteTo.Console());
builder.AddOneCard();

var app = builder.Build();
await app.PrepareDatabaseAsync();
app.MapOneCard();
app.Run();

/// <summary>The entry point, visible to the integration tests' host factory.</summary>
public partial class Program;

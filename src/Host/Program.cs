using OneCard.Host.Platform;
using Serilog;

var builder = WebApplication.CreateBuilder(args);
// The log goes to the console and to any sink the services register (the tests route it into their own output). Each host
// keeps its own logger (preserveStaticLogger): nothing here logs through Serilog's static Log, and hosts side by side in one
// test process must not write into each other's sinks.
builder.Host.UseSerilog((context, services, log) => log.ReadFrom.Configuration(context.Configuration).ReadFrom.Services(services).WriteTo.Console(),
    preserveStaticLogger: true);
builder.AddOneCard();

var app = builder.Build();
await app.PrepareDatabaseAsync();
app.MapOneCard();
app.Run();

/// <summary>The entry point, visible to the integration tests' host factory.</summary>
public partial class Program;

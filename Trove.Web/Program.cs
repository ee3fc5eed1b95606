using Trove.Actors.Catalog;
using Trove.Actors.Configurations;
using Trove.Actors.Hosting;
using Trove.Actors.ReadModel;
using Trove.Web.Auth;
using Trove.Web.Endpoints;
using Trove.Web.Errors;
using Trove.Web.Hosting;
using Trove.Web.RateLimiting;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var settings = builder.Configuration.LoadTroveSettings();
builder.WebHost.UseUrls($"http://{settings.HttpHost}:{settings.HttpPort}");
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
builder.Services.AddTroveNode(settings);
builder.Services.AddSingleton(new TenantRateLimiter(settings.RateLimitPerMinute, TimeProvider.System));
builder.Services.AddTroveAuth(builder.Configuration.GetSection("Trove:Auth"), settings.FullDataDir);

var app = builder.Build();
await app.Services.GetRequiredService<ReadModelDb>().EnsureCreatedAsync();
await app.Services.GetRequiredService<CatalogRepository>().EnsureSeededAsync();
await app.Services.GetRequiredService<ConfigurationRepository>().EnsureSeededAsync(Path.Combine(AppContext.BaseDirectory, "hocon", "validation-rules"));
app.UseTroveErrors();
app.UseTroveAuth();
app.UseTroveRateLimits();
app.MapVersions();
app.MapGroup("/v1.0/{tenantId}").MapInstances().MapDatabases().MapUsers().MapRoot().MapFlavors().MapDatastores().MapLimits().MapDatastoreAdmin().MapBackups().MapConfigurations();
app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("Trove API listening on http://{Host}:{Port}/ (data dir {DataDir})", settings.HttpHost, settings.HttpPort, settings.FullDataDir));
app.Run();

public partial class Program;

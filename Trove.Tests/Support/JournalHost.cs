using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trove.Actors.Hosting;
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;

namespace Trove.Tests.Support;

/// <summary>An actor system with the node's journal (SQLite, its serializer and tags) and a read model on a fresh data
/// dir, without the rest of a node: for projections and entities tested together. Disposed, it stops and deletes the dir.</summary>
public sealed class JournalHost : IAsyncDisposable
{
    private readonly IHost _host;

    private JournalHost(IHost host, TroveSettings settings, ReadModelDb readModel)
    {
        _host = host;
        Settings = settings;
        ReadModel = readModel;
    }

    public TroveSettings Settings { get; }
    public ReadModelDb ReadModel { get; }
    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    /// <summary>The journal itself starts with its first use, as a node's does.</summary>
    public static async Task<JournalHost> StartAsync(string name)
    {
        var settings = new TroveSettings { DataDir = TroveNode.NewDataDir() };
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(name, b => b.WithTroveJournal(settings));
        var host = builder.Build();
        await host.StartAsync();
        var readModel = new ReadModelDb(new SqlDatabase(settings.DatabaseProvider, settings.ReadModelConnection));
        await readModel.EnsureCreatedAsync();
        return new JournalHost(host, settings, readModel);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Directory.Delete(Settings.FullDataDir, recursive: true);
    }
}

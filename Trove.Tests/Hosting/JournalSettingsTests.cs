using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Sql.Config;
using LinqToDB.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Trove.Actors.Hosting;
using Trove.Actors.Sql;
using Trove.Tests.Support;

namespace Trove.Tests.Hosting;

/// <summary>The node's journal as hocon/akka.conf and the journal's wiring make it, loaded in a real actor system.</summary>
public sealed class JournalSettingsTests
{
    [Fact]
    public Task A_journal_write_may_take_as_long_as_an_ask_before_its_persist_fails() => WithJournalAsync((system, _) =>
    {
        Persistence.Instance.Apply(system).JournalFor(null); // the plugin loaded, its own defaults in the config
        var config = system.Settings.Config;
        Assert.Equal(TimeSpan.FromSeconds(30), config.GetTimeSpan("akka.persistence.journal.sql.circuit-breaker.call-timeout"));
        Assert.Equal(TimeSpan.FromSeconds(30), config.GetTimeSpan("akka.persistence.snapshot-store.sql.circuit-breaker.call-timeout"));
        Assert.Equal(config.GetTimeSpan("akka.actor.ask-timeout"), config.GetTimeSpan("akka.persistence.journal.sql.circuit-breaker.call-timeout"));
        return Task.CompletedTask;
    });

    /// <summary>Without a busy timeout, Microsoft.Data.Sqlite answers a write that finds the file locked by blocking its
    /// thread 150 ms before each retry; every connection the node opens waits inside SQLite instead.</summary>
    [Fact]
    public Task Every_SQLite_connection_of_the_node_waits_for_a_busy_lock_inside_SQLite() => WithJournalAsync(async (system, settings) =>
    {
        var setup = system.Settings.Setup.Get<MultiDataOptionsSetup>().Value;
        var expected = (long)SqlDatabase.SqliteBusyTimeout.TotalMilliseconds;
        foreach (var plugin in new[] { "akka.persistence.journal.sql", "akka.persistence.query.journal.sql", "akka.persistence.snapshot-store.sql" })
        {
            Assert.True(setup.TryGetDataOptionsFor(plugin, out var options), plugin);
            await using var connection = new DataConnection(options);
            Assert.Equal(expected, await connection.ExecuteAsync<long>("PRAGMA busy_timeout"));
        }
        await using (var readModel = new SqlDatabase(settings.DatabaseProvider, settings.ReadModelConnection).Open())
            Assert.Equal(expected, await readModel.ExecuteAsync<long>("PRAGMA busy_timeout"));
        // one writer at a time is all SQLite has: the journal's batches queue in the process, not at the file's lock
        Assert.Equal(1, system.Settings.Config.GetInt("akka.persistence.journal.sql.parallelism"));
    });

    private static async Task WithJournalAsync(Func<ActorSystem, TroveSettings, Task> check)
    {
        var dataDir = TroveNode.NewDataDir();
        var settings = new TroveSettings { DataDir = dataDir };
        using var host = new HostBuilder().ConfigureServices(services => services.AddAkka("journal-settings", (builder, _) => builder
            .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "akka.conf"), HoconAddMode.Prepend)
            .WithTroveJournal(settings))).Build();
        await host.StartAsync();
        try
        {
            await check(host.Services.GetRequiredService<ActorSystem>(), settings);
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}

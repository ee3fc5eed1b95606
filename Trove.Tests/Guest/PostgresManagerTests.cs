using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;
using Trove.Guest.Agent;
using Trove.Guest.Datastores.Postgres;
using Trove.Guest.Datastores;
using Trove.Tests.Support;
using Xunit.Abstractions;

namespace Trove.Tests.Guest;

/// <summary>The PostgreSQL manager against the real PostgreSQL 15 binaries, each test with its own cluster (from the
/// node's pristine data, as a local server's, but for the tests of initdb itself).</summary>
[SupportedOSPlatform("linux")] // as the guest is
public sealed class PostgresManagerTests : IAsyncLifetime, IClassFixture<PristinePostgresData>
{
    // Short, so that the unix socket path stays under 107 characters.
    private readonly string _dir = $"/tmp/tg-{Guid.NewGuid().ToString("N")[..8]}";
    private readonly int _port = TroveNode.FreePort();
    private readonly PostgresManager _manager;
    private readonly ITestOutputHelper _output;
    private readonly PristinePostgresData _pristine;

    public PostgresManagerTests(ITestOutputHelper output, PristinePostgresData pristine)
    {
        _output = output;
        _pristine = pristine;
        _manager = new PostgresManager(_dir, "127.0.0.1", _port, NullLogger<PostgresManager>.Instance);
    }

    public Task InitializeAsync()
    {
        // Owned by root, as the compute driver leaves it, and searchable whatever the umask (a node hosted in this
        // process by another test sets 077).
        Directory.CreateDirectory(_dir).UnixFileMode = (UnixFileMode)0b111_101_101;
        return _pristine.CopyIntoAsync(_dir);
    }

    /// <summary>This server came without pristine data: its guest's prepare runs initdb.</summary>
    private void WithoutPristineData() => Directory.Delete(Path.Combine(_dir, PostgresInitdb.PristineCopy), recursive: true);

    public async Task DisposeAsync()
    {
        try
        {
            await _manager.StopAsync(CancellationToken.None);
        }
        finally
        {
            await EngineProcesses.KillLeftoversAsync(_dir, NullLogger.Instance, CancellationToken.None); // of a failed test
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static PrepareArgs Args(string password, params DatabaseSpec[] databases) =>
        new(databases, [new UserSpec("app", password, null, databases.Select(d => new UserDatabase(d.Name)).ToList())]);

    private async Task PrepareAsync(PrepareArgs args)
    {
        var clock = Stopwatch.StartNew();
        await _manager.PrepareAsync(args, CancellationToken.None);
        _output.WriteLine($"prepare took {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>A tenant's connection: TCP to 127.0.0.1 with a password, never the guest's socket.</summary>
    private async Task<NpgsqlConnection> ConnectAsync(string user, string password, string database)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = _port, Username = user, Password = password, Database = database,
            Pooling = false, Timeout = 5,
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<object?> ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task Reserved_users_are_refused_by_every_user_call_and_the_superuser_stays_without_a_password()
    {
        await PrepareAsync(Args("app-pw", new DatabaseSpec("appdb")));

        await ReservedUserCalls.AssertAllRefusedAsync(_manager, DatastoreProfiles.Postgres.ReservedUsers, null);

        var superuser = await Assert.ThrowsAsync<PostgresException>(() => ConnectAsync("postgres", ReservedUserCalls.Password, "postgres"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, superuser.SqlState);
        Assert.Equal(["app"], (await _manager.ListUsersAsync(CancellationToken.None)).Select(u => u.Name));
        await using var app = await ConnectAsync("app", "app-pw", "appdb");
        Assert.Equal(1, await ExecAsync(app, "SELECT 1"));
    }

    [Fact]
    public async Task A_full_volume_turns_writes_off_and_room_again_turns_them_back_on()
    {
        await PrepareAsync(Args("s3cret", new DatabaseSpec("appdb")));
        await using (var db = await ConnectAsync("app", "s3cret", "appdb"))
            await ExecAsync(db, "CREATE TABLE items (id int)");

        await _manager.SetReadOnlyAsync(true, CancellationToken.None);
        await using (var db = await ConnectAsync("app", "s3cret", "appdb"))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecAsync(db, "INSERT INTO items VALUES (1)"));
            Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);
            Assert.Equal(0L, await ExecAsync(db, "SELECT count(*) FROM items")); // reads go on
        }

        await _manager.SetReadOnlyAsync(false, CancellationToken.None);
        await using (var db = await ConnectAsync("app", "s3cret", "appdb"))
            await ExecAsync(db, "INSERT INTO items VALUES (1)");
    }

    [Fact]
    public async Task Prepare_creates_a_database_and_a_user_who_can_create_tables_in_it()
    {
        await PrepareAsync(Args("s3cret", new DatabaseSpec("appdb"), new DatabaseSpec("latin", "LATIN1", "C")));

        foreach (var database in new[] { "appdb", "latin" })
        {
            await using var db = await ConnectAsync("app", "s3cret", database);
            await ExecAsync(db, "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'one')");
            Assert.Equal("one", await ExecAsync(db, "SELECT name FROM items WHERE id = 1"));
        }
        await using (var latin = await ConnectAsync("app", "s3cret", "latin"))
        {
            Assert.Equal("LATIN1", await ExecAsync(latin, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'latin'"));
            Assert.Equal("C", await ExecAsync(latin, "SELECT datcollate FROM pg_database WHERE datname = 'latin'"));
        }
    }

    /// <summary>The node's pristine data comes with the spare database: a pool-less server's first database is that spare
    /// renamed, not template1 copied into the write-ahead log while the tenant waits.</summary>
    [Fact]
    public async Task A_server_from_the_pristine_data_gets_its_first_database_from_the_spare_the_data_came_with()
    {
        await _manager.InitialiseAsync(CancellationToken.None);
        await _manager.StartAsync(CancellationToken.None);
        var spare = await OidOfAsync(PostgresInitdb.SpareDatabase);
        Assert.NotNull(spare);
        Assert.Empty(await _manager.ListDatabasesAsync(CancellationToken.None));

        await PrepareAsync(Args("s3cret", new DatabaseSpec("appdb")));
        Assert.Equal(spare, await OidOfAsync("appdb"));
        Assert.Null(await OidOfAsync(PostgresInitdb.SpareDatabase));
        await using var db = await ConnectAsync("app", "s3cret", "appdb");
        Assert.Equal(1, await ExecAsync(db, "SELECT 1"));
    }

    /// <summary>A pool's server makes a spare database while it waits; its tenant's first database is the spare renamed
    /// (an instant rename where CREATE DATABASE copies a template), a second one is made, and one never used is dropped.</summary>
    [Fact]
    public async Task A_pools_spare_database_becomes_the_tenants_first_and_is_never_listed()
    {
        await _manager.InitialiseAsync(CancellationToken.None);
        await _manager.StartAsync(CancellationToken.None);
        await _manager.PrepareAheadAsync(CancellationToken.None);
        Assert.Empty(await _manager.ListDatabasesAsync(CancellationToken.None));
        var spare = await OidOfAsync(PostgresInitdb.SpareDatabase);

        await PrepareAsync(Args("s3cret", new DatabaseSpec("appdb"), new DatabaseSpec("second")));
        Assert.Equal(["appdb", "second"], (await _manager.ListDatabasesAsync(CancellationToken.None)).Select(d => d.Name));
        Assert.Equal(spare, await OidOfAsync("appdb"));
        Assert.Null(await OidOfAsync(PostgresInitdb.SpareDatabase));
    }

    /// <summary>A pool's server rehearses its claim on a database and user of its own (<see cref="ClaimRehearsal"/>):
    /// nothing of it is left, nor of one a killed guest left half done, and the claim after it is a fresh server's.</summary>
    [Fact]
    public async Task A_claim_rehearsal_leaves_nothing_of_itself_or_of_a_killed_one_and_the_claim_after_it_works()
    {
        await _manager.InitialiseAsync(CancellationToken.None);
        await _manager.StartAsync(CancellationToken.None);
        await _manager.PrepareAsync(Args("left-pw", new DatabaseSpec(ClaimRehearsal.Name)) with
            { Users = [new UserSpec(ClaimRehearsal.Name, "left-pw", null, [new UserDatabase(ClaimRehearsal.Name)])] }, CancellationToken.None);

        await ClaimRehearsal.RunAsync(_manager, "instance-1", CancellationToken.None);
        await _manager.PrepareAheadAsync(CancellationToken.None);
        Assert.Empty(await _manager.ListDatabasesAsync(CancellationToken.None));
        Assert.Empty(await _manager.ListUsersAsync(CancellationToken.None));

        await PrepareAsync(Args("s3cret", new DatabaseSpec("appdb")));
        Assert.Equal(["appdb"], (await _manager.ListDatabasesAsync(CancellationToken.None)).Select(d => d.Name));
        Assert.Equal(["app"], (await _manager.ListUsersAsync(CancellationToken.None)).Select(u => u.Name));
        await using var db = await ConnectAsync("app", "s3cret", "appdb");
        Assert.Equal(1, await ExecAsync(db, "SELECT 1"));
    }

    [Fact]
    public async Task A_pools_spare_database_that_no_prepare_used_is_dropped()
    {
        await _manager.InitialiseAsync(CancellationToken.None);
        await _manager.StartAsync(CancellationToken.None);
        await _manager.PrepareAheadAsync(CancellationToken.None);

        await PrepareAsync(Args("s3cret", new DatabaseSpec("latin", "LATIN1", "C"))); // made as asked: not the spare
        Assert.Null(await OidOfAsync(PostgresInitdb.SpareDatabase));
    }

    /// <summary>Through the engine's socket, as its guest connects (the superuser has no password over TCP).</summary>
    private async Task<object?> OidOfAsync(string database)
    {
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = Path.Combine(_dir, "postgres"), Port = _port, Username = "postgres", Database = "postgres", Pooling = false,
        }.ConnectionString);
        await admin.OpenAsync();
        return await ExecAsync(admin, $"SELECT oid FROM pg_database WHERE datname = '{database}'");
    }

    [Fact]
    public async Task Status_is_healthy_when_prepared_shutdown_when_stopped_and_healthy_again_when_started()
    {
        Assert.Equal(ServiceStatusNames.Shutdown, await _manager.GetStatusAsync(CancellationToken.None)); // never initialised

        await PrepareAsync(Args("pw", new DatabaseSpec("appdb")));
        Assert.Equal(ServiceStatusNames.Healthy, await _manager.GetStatusAsync(CancellationToken.None));

        await _manager.StopAsync(CancellationToken.None);
        await _manager.StopAsync(CancellationToken.None);
        Assert.Equal(ServiceStatusNames.Shutdown, await _manager.GetStatusAsync(CancellationToken.None));

        await _manager.StartAsync(CancellationToken.None);
        await _manager.StartAsync(CancellationToken.None);
        Assert.Equal(ServiceStatusNames.Healthy, await _manager.GetStatusAsync(CancellationToken.None));
        await using var db = await ConnectAsync("app", "pw", "appdb");
        Assert.Equal(1, await ExecAsync(db, "SELECT 1"));
    }

    [Fact]
    public async Task Prepare_twice_keeps_the_data_and_changes_the_password()
    {
        await PrepareAsync(Args("first", new DatabaseSpec("appdb")));
        await using (var db = await ConnectAsync("app", "first", "appdb"))
            await ExecAsync(db, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");

        await PrepareAsync(Args("second", new DatabaseSpec("appdb")));

        await using (var db = await ConnectAsync("app", "second", "appdb"))
            Assert.Equal(42, await ExecAsync(db, "SELECT n FROM kept"));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ConnectAsync("app", "first", "appdb"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }

    [Fact]
    public async Task A_password_with_quotes_works_and_one_with_NUL_is_rejected()
    {
        const string password = "it's \"quoted\" \\ ''; DROP ROLE app; --";
        await PrepareAsync(Args(password, new DatabaseSpec("appdb")));

        await using (var db = await ConnectAsync("app", password, "appdb"))
            Assert.Equal(1, await ExecAsync(db, "SELECT 1"));

        await Assert.ThrowsAsync<ArgumentException>(() => _manager.PrepareAsync(Args("a\0b", new DatabaseSpec("appdb")), CancellationToken.None));
        await using (var db = await ConnectAsync("app", password, "appdb"))
            Assert.Equal(1, await ExecAsync(db, "SELECT 1"));
    }

    [Fact]
    public async Task A_wrong_password_is_refused()
    {
        await PrepareAsync(Args("right", new DatabaseSpec("appdb")));

        var refused = await Assert.ThrowsAsync<PostgresException>(() => ConnectAsync("app", "wrong", "appdb"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
        var noSuperuser = await Assert.ThrowsAsync<PostgresException>(() => ConnectAsync("postgres", "guess", "postgres"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, noSuperuser.SqlState);
    }

    [Fact]
    public async Task A_socket_path_too_long_for_unix_sockets_is_refused_with_a_clear_message()
    {
        var deep = Path.Combine(_dir, new string('d', 100));
        var manager = new PostgresManager(deep, "127.0.0.1", _port, NullLogger<PostgresManager>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => manager.PrepareAsync(Args("pw"), CancellationToken.None));
        Assert.Contains("107", error.Message);
    }

    [Fact]
    public async Task A_directory_the_postgres_user_cannot_reach_is_refused_with_its_name()
    {
        var closed = Directory.CreateDirectory(Path.Combine(_dir, "closed"));
        closed.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute; // root only
        var instance = Directory.CreateDirectory(Path.Combine(closed.FullName, "i")).FullName;
        var manager = new PostgresManager(instance, "127.0.0.1", _port, NullLogger<PostgresManager>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => manager.PrepareAsync(Args("pw"), CancellationToken.None));
        Assert.Contains(instance, error.Message);
    }

    /// <summary>A guest killed (SIGKILL) while initdb runs: initdb outlives it (it ignores the broken pipe of its output)
    /// and finishes, or its processes are killed too; either way this server's settings were never appended. The next
    /// guest's prepare makes the data again and the engine answers on the server's port, with the database and user.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Prepare_after_a_guest_killed_while_initdb_ran_makes_the_data_again(bool initdbKilledToo)
    {
        WithoutPristineData();
        await KilledGuest.InterruptAsync(_manager.PrepareAsync(Args("pw", new DatabaseSpec("appdb")), _killed.Token), _killed, _dir, "PG_VERSION");
        if (initdbKilledToo)
            await EngineProcesses.KillLeftoversAsync(_dir, NullLogger.Instance, CancellationToken.None);
        else
            await KilledGuest.WaitUntilAsync(() => EngineProcesses.In(_dir).Count == 0, "initdb to finish by itself");

        var next = new PostgresManager(_dir, "127.0.0.1", _port, NullLogger<PostgresManager>.Instance); // the guest started again
        await next.PrepareAsync(Args("pw", new DatabaseSpec("appdb")), CancellationToken.None);

        await using var db = await ConnectAsync("app", "pw", "appdb");
        Assert.Equal(1, await ExecAsync(db, "SELECT 1"));
    }

    /// <summary>initdb still writing when the next guest prepares (the reconciler starts it again within seconds).</summary>
    [Fact]
    public async Task Prepare_while_a_killed_guests_initdb_still_writes_makes_the_data_again()
    {
        WithoutPristineData();
        await KilledGuest.InterruptAsync(_manager.PrepareAsync(Args("pw", new DatabaseSpec("appdb")), _killed.Token), _killed, _dir, "PG_VERSION");

        var next = new PostgresManager(_dir, "127.0.0.1", _port, NullLogger<PostgresManager>.Instance);
        await next.PrepareAsync(Args("pw", new DatabaseSpec("appdb")), CancellationToken.None);

        await using var db = await ConnectAsync("app", "pw", "appdb");
        Assert.Equal(1, await ExecAsync(db, "SELECT 1"));
    }

    /// <summary>A postmaster killed with SIGKILL whose child has not exited yet (stopped here, so that it stays): its
    /// shared memory is still attached, which a new postmaster refuses to start beside. Start kills it first.</summary>
    [Fact]
    public async Task Start_after_a_killed_postmaster_kills_its_children_left_attached_to_its_shared_memory()
    {
        await PrepareAsync(Args("pw", new DatabaseSpec("appdb")));
        await using (var db = await ConnectAsync("app", "pw", "appdb"))
            await ExecAsync(db, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
        var postmaster = int.Parse(File.ReadLines(Path.Combine(_dir, "postgres", "data", "postmaster.pid")).First());
        var child = ChildrenOf(postmaster).First();
        Programs.Signal(child, "STOP");
        Programs.Signal(postmaster, "KILL");
        await KilledGuest.WaitUntilAsync(() => !EngineProcesses.IsAlive(postmaster), "the postmaster to end");

        await _manager.StartAsync(CancellationToken.None);

        Assert.False(EngineProcesses.IsAlive(child));
        await using (var db = await ConnectAsync("app", "pw", "appdb"))
            Assert.Equal(42, await ExecAsync(db, "SELECT n FROM kept"));
    }

    [Fact]
    public async Task A_start_that_fails_says_why_with_the_end_of_the_servers_log()
    {
        await PrepareAsync(Args("pw", new DatabaseSpec("appdb")));
        await _manager.StopAsync(CancellationToken.None);
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, _port);
        taken.Start();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _manager.StartAsync(CancellationToken.None));

        Assert.Contains("could not bind IPv4 address \"127.0.0.1\"", error.Message);
    }

    private readonly CancellationTokenSource _killed = new();

    private static IEnumerable<int> ChildrenOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);

}

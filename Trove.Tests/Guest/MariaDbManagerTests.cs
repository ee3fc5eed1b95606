using Trove.Contracts.Datastores;
using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;
using Trove.Guest.Agent;
using Trove.Guest.Datastores;
using Trove.Guest.Datastores.MariaDb;
using Trove.Tests.Support;
using Xunit.Abstractions;
using Trove.Contracts.Guests;

namespace Trove.Tests.Guest;

/// <summary>The MariaDB manager against the real MariaDB 10.11 server, each test with its own server (with the
/// node's pristine data, as a local server's, but for the tests of the install itself).</summary>
[SupportedOSPlatform("linux")] // as the guest is
public sealed class MariaDbManagerTests : IAsyncLifetime, IClassFixture<PristineMariaDbData>
{
    // Short, so that the unix socket path stays under 107 characters.
    private readonly string _dir = $"/tmp/tm-{Guid.NewGuid().ToString("N")[..8]}";
    private readonly int _port = TroveNode.FreePort();
    private readonly MariaDbManager _manager;
    private readonly ITestOutputHelper _output;
    private readonly PristineMariaDbData _pristine;
    private static readonly CancellationToken None = CancellationToken.None;

    public MariaDbManagerTests(ITestOutputHelper output, PristineMariaDbData pristine)
    {
        _output = output;
        _pristine = pristine;
        _manager = new MariaDbManager(_dir, "127.0.0.1", _port, NullLogger<MariaDbManager>.Instance);
    }

    public Task InitializeAsync()
    {
        // Owned by root, as the compute driver leaves it, and searchable by the mysql user.
        Directory.CreateDirectory(_dir).UnixFileMode = (UnixFileMode)0b111_101_101;
        return _pristine.CopyIntoAsync(_dir);
    }

    /// <summary>This server came without pristine data: its guest's prepare runs mariadb-install-db.</summary>
    private void WithoutPristineData() => Directory.Delete(Path.Combine(_dir, MariaDbInstall.PristineCopy), recursive: true);

    public async Task DisposeAsync()
    {
        try
        {
            await _manager.StopAsync(None);
        }
        finally
        {
            await EngineProcesses.KillLeftoversAsync(_dir, NullLogger.Instance, None); // of a failed test
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static UserSpec User(string name, string password, params string[] databases) =>
        new(name, password, null, databases.Select(d => new UserDatabase(d)).ToList());

    private static PrepareArgs Args(string password, params DatabaseSpec[] databases) =>
        new(databases, [User("app", password, databases.Select(d => d.Name).ToArray())]);

    private async Task PrepareAsync(PrepareArgs args)
    {
        var clock = Stopwatch.StartNew();
        await _manager.PrepareAsync(args, None);
        _output.WriteLine($"prepare took {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>A tenant's connection: TCP to 127.0.0.1 with a password, never the guest's socket.</summary>
    private async Task<MySqlConnection> ConnectAsync(string user, string password, string? database = null)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = "127.0.0.1", Port = (uint)_port, UserID = user, Password = password, Database = database ?? "",
            Pooling = false, ConnectionTimeout = 5,
        };
        var connection = new MySqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task AssertRefusedAsync(string user, string password, string? database = null)
    {
        var refused = await Assert.ThrowsAsync<MySqlException>(() => ConnectAsync(user, password, database));
        Assert.Contains(refused.ErrorCode, new[] { MySqlErrorCode.AccessDenied, MySqlErrorCode.DatabaseAccessDenied });
    }

    private static async Task<object?> ExecAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private async Task<UserInfo> UserAsync(string name) => Assert.Single(await _manager.ListUsersAsync(None), u => u.Name == name);

    /// <summary>A pool's server rehearses its claim on a database and user of its own (<see cref="ClaimRehearsal"/>):
    /// nothing of it is left, nor of one a killed guest left half done, and the claim after it is a fresh server's.</summary>
    [Fact]
    public async Task A_claim_rehearsal_leaves_nothing_of_itself_or_of_a_killed_one_and_the_claim_after_it_works()
    {
        await _manager.PrepareAsync(new PrepareArgs([new DatabaseSpec(ClaimRehearsal.Name)], [User(ClaimRehearsal.Name, "left-pw", ClaimRehearsal.Name)]), None);

        await ClaimRehearsal.RunAsync(_manager, "instance-1", None);
        Assert.Empty(await _manager.ListDatabasesAsync(None));
        Assert.Empty(await _manager.ListUsersAsync(None));

        await PrepareAsync(Args("app-pw", new DatabaseSpec("appdb")));
        Assert.Equal(["appdb"], (await _manager.ListDatabasesAsync(None)).Select(d => d.Name));
        Assert.Equal(["app"], (await _manager.ListUsersAsync(None)).Select(u => u.Name));
        await using var app = await ConnectAsync("app", "app-pw", "appdb");
        Assert.Equal(1L, Convert.ToInt64(await ExecAsync(app, "SELECT 1")));
    }

    [Fact]
    public async Task Reserved_users_are_refused_by_every_user_call_and_root_stays_socket_only()
    {
        await PrepareAsync(Args("app-pw", new DatabaseSpec("appdb")));

        await ReservedUserCalls.AssertAllRefusedAsync(_manager, DatastoreProfiles.MariaDb.ReservedUsers, "localhost");

        await AssertRefusedAsync("root", ReservedUserCalls.Password);
        Assert.Equal(["app"], (await _manager.ListUsersAsync(None)).Select(u => u.Name));
        await using var app = await ConnectAsync("app", "app-pw", "appdb");
        Assert.Equal(1L, Convert.ToInt64(await ExecAsync(app, "SELECT 1")));
    }

    /// <summary>A server that came with the node's pristine copy takes it instead of installing: the guest administers
    /// the engine through its own socket account, and the template's account is gone (a tenant would see it listed).</summary>
    [Fact]
    public async Task A_server_with_the_pristine_copy_takes_it_and_keeps_no_account_of_the_template()
    {
        var copy = Path.Combine(_dir, MariaDbInstall.PristineCopy);
        Assert.True(Directory.Exists(Path.Combine(copy, "mysql")));

        await PrepareAsync(Args("pw", new DatabaseSpec("appdb")));

        Assert.False(Directory.Exists(copy));
        await using var admin = await MariaAdmin.OpenAsync(Path.Combine(_dir, "mariadb", "mysqld.sock"), "root", None);
        foreach (var table in new[] { "mysql.user", "mysql.proxies_priv" })
            Assert.Null(await admin.ScalarAsync($"SELECT User FROM {table} WHERE User = ?", None, MariaDbInstall.PristineAccount));
        Assert.Equal(["app"], (await _manager.ListUsersAsync(None)).Select(u => u.Name));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_dir, "mariadb"), "*.sql")); // the account's statements ran once
    }

    [Fact]
    public async Task Prepare_creates_a_database_and_a_user_who_can_create_tables_in_it()
    {
        await PrepareAsync(Args("s3cret", new DatabaseSpec("appdb"), new DatabaseSpec("latin", "latin1", "latin1_swedish_ci")));

        foreach (var database in new[] { "appdb", "latin" })
        {
            await using var db = await ConnectAsync("app", "s3cret", database);
            await ExecAsync(db, "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'one')");
            Assert.Equal("one", await ExecAsync(db, "SELECT name FROM items WHERE id = 1"));
        }
        Assert.Equal(
            [new DatabaseSpec("appdb", "utf8mb4", "utf8mb4_general_ci"), new DatabaseSpec("latin", "latin1", "latin1_swedish_ci")],
            await _manager.ListDatabasesAsync(None));
        var app = await UserAsync("app");
        Assert.Equal("%", app.Host);
        Assert.Equal(["appdb", "latin"], app.Databases.Select(d => d.Name));
    }

    [Fact]
    public async Task Status_is_healthy_when_prepared_shutdown_when_stopped_and_healthy_again_when_started()
    {
        Assert.Equal(ServiceStatusNames.Shutdown, await _manager.GetStatusAsync(None)); // never initialised
        await _manager.StartAsync(None); // nothing to start yet
        await _manager.StopAsync(None);

        await PrepareAsync(Args("pw", new DatabaseSpec("appdb")));
        Assert.Equal(ServiceStatusNames.Healthy, await _manager.GetStatusAsync(None));

        await _manager.StopAsync(None);
        await _manager.StopAsync(None);
        Assert.Equal(ServiceStatusNames.Shutdown, await _manager.GetStatusAsync(None));
        await AssertRefusedOrClosedAsync();

        var clock = Stopwatch.StartNew();
        await _manager.StartAsync(None);
        _output.WriteLine($"start took {clock.ElapsedMilliseconds} ms");
        await _manager.StartAsync(None);
        Assert.Equal(ServiceStatusNames.Healthy, await _manager.GetStatusAsync(None));
        await using (var db = await ConnectAsync("app", "pw", "appdb"))
            Assert.Equal(1L, Convert.ToInt64(await ExecAsync(db, "SELECT 1")));

        await _manager.RestartAsync(None);
        Assert.Equal(ServiceStatusNames.Healthy, await _manager.GetStatusAsync(None));
    }

    private async Task AssertRefusedOrClosedAsync() =>
        Assert.Equal(MySqlErrorCode.UnableToConnectToHost,
            (await Assert.ThrowsAsync<MySqlException>(() => ConnectAsync("app", "pw", "appdb"))).ErrorCode);

    [Fact]
    public async Task Prepare_twice_keeps_the_data_and_changes_the_password()
    {
        await PrepareAsync(Args("first", new DatabaseSpec("appdb")));
        await using (var db = await ConnectAsync("app", "first", "appdb"))
            await ExecAsync(db, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");

        await PrepareAsync(Args("second", new DatabaseSpec("appdb")));

        await using (var db = await ConnectAsync("app", "second", "appdb"))
            Assert.Equal(42, await ExecAsync(db, "SELECT n FROM kept"));
        await AssertRefusedAsync("app", "first", "appdb");
    }

    [Fact]
    public async Task Databases_are_listed_without_the_engines_own_and_deleted()
    {
        await PrepareAsync(new PrepareArgs([new DatabaseSpec("one")], []));
        await _manager.CreateDatabasesAsync([new DatabaseSpec("two"), new DatabaseSpec("one"), new DatabaseSpec("with-dash$")], None);
        Assert.Equal(["one", "two", "with-dash$"], (await _manager.ListDatabasesAsync(None)).Select(d => d.Name));

        await _manager.DeleteDatabaseAsync("two", None);
        await _manager.DeleteDatabaseAsync("two", None);
        await _manager.DeleteDatabaseAsync("with-dash$", None);
        Assert.Equal(["one"], (await _manager.ListDatabasesAsync(None)).Select(d => d.Name));
    }

    [Fact]
    public async Task Users_are_created_listed_renamed_re_passworded_and_deleted()
    {
        await PrepareAsync(Args("app-pw", new DatabaseSpec("appdb")));
        await _manager.CreateUsersAsync([User("u2", "pw-one", "appdb"), new UserSpec("local", "pw-l", "127.0.0.1", [])], None);
        Assert.Equal([("app", "%"), ("local", "127.0.0.1"), ("u2", "%")],
            (await _manager.ListUsersAsync(None)).Select(u => (u.Name, u.Host)));
        await using (var db = await ConnectAsync("local", "pw-l"))
            Assert.Equal(1L, Convert.ToInt64(await ExecAsync(db, "SELECT 1")));

        await _manager.UpdateUserAsync("u2", null, new UserChanges("u3", "pw-two", null), None);
        await AssertRefusedAsync("u2", "pw-one");
        await using (var db = await ConnectAsync("u3", "pw-two", "appdb"))
            await ExecAsync(db, "CREATE TABLE t (n int)");
        Assert.Equal(["appdb"], (await UserAsync("u3")).Databases.Select(d => d.Name)); // grants follow a rename

        await _manager.UpdateUserAsync("u3", null, new UserChanges(null, null, "127.0.0.1"), None);
        Assert.Equal("127.0.0.1", (await UserAsync("u3")).Host);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _manager.UpdateUserAsync("u3", "%", new UserChanges(null, "x", null), None));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _manager.UpdateUserAsync("nobody", null, new UserChanges(null, "x", null), None));

        await _manager.DeleteUserAsync("u3", "127.0.0.1", None);
        await _manager.DeleteUserAsync("u3", "127.0.0.1", None);
        await AssertRefusedAsync("u3", "pw-two");
        Assert.Equal(["app", "local"], (await _manager.ListUsersAsync(None)).Select(u => u.Name));
    }

    [Fact]
    public async Task Names_with_quotes_backticks_unicode_and_wildcard_hosts_round_trip_and_are_never_read_as_SQL()
    {
        await PrepareAsync(Args("app-pw", new DatabaseSpec("appdb")));
        string[] databases = ["it's", "back`tick", "``", "ünï名", "x`; DROP DATABASE appdb; --", @"back\slash_%", "semi;colon", "comma,and\ttab", "wh?at @x"];
        (string Name, string Host)[] users =
        [
            ("o'brien", "%"), ("tick`user", "10.0.%"), ("ünï名", "127.0.0.1"), ("x'@'%'; DROP USER app; --", "%"),
            (@"back\slash", "%.example.com"), ("app", "192.168.%"),
        ];

        await _manager.CreateDatabasesAsync(databases.Select(d => new DatabaseSpec(d)).ToList(), None);
        await _manager.CreateUsersAsync(users.Select(u => new UserSpec(u.Name, "pw'`\\", u.Host, [new UserDatabase(databases[0])])).ToList(), None);
        foreach (var (name, host) in users)
            await _manager.GrantAccessAsync(name, host, databases, None);

        Assert.Equal(databases.Append("appdb").Order(StringComparer.Ordinal),
            (await _manager.ListDatabasesAsync(None)).Select(d => d.Name).Order(StringComparer.Ordinal));
        var listed = await _manager.ListUsersAsync(None);
        Assert.Equal(users.Append(("app", "%")).Order(), listed.Select(u => (u.Name, u.Host)).Order());
        foreach (var user in listed.Where(u => u.Host != "%" || u.Name != "app"))
            Assert.Equal(databases.Order(StringComparer.Ordinal), user.Databases.Select(d => d.Name));

        // The grant on "back\slash_%" opens that database only, over TCP, with the password as it was given.
        await using (var db = await ConnectAsync("o'brien", "pw'`\\", @"back\slash_%"))
            await ExecAsync(db, "CREATE TABLE t (n int); INSERT INTO t VALUES (1)");
        await _manager.CreateDatabasesAsync([new DatabaseSpec("backslashab")], None);
        await AssertRefusedAsync("o'brien", "pw'`\\", "backslashab");

        foreach (var (name, host) in users)
        {
            await _manager.RevokeAccessAsync(name, host, databases[1], None);
            Assert.DoesNotContain(databases[1], (await _manager.ListUsersAsync(None)).Single(u => u.Name == name && u.Host == host)
                .Databases.Select(d => d.Name));
            await _manager.DeleteUserAsync(name, host, None);
        }
        foreach (var database in databases)
            await _manager.DeleteDatabaseAsync(database, None);

        Assert.Equal(["appdb", "backslashab"], (await _manager.ListDatabasesAsync(None)).Select(d => d.Name));
        Assert.Equal([("app", "%", "appdb")], (await _manager.ListUsersAsync(None)).Select(u => (u.Name, u.Host, u.Databases.Single().Name)));
        await using (var app = await ConnectAsync("app", "app-pw", "appdb"))
            Assert.Equal(1L, Convert.ToInt64(await ExecAsync(app, "SELECT 1")));
    }

    [Fact]
    public async Task A_full_volume_turns_tenant_writes_off_across_a_restart_and_room_again_turns_them_back_on()
    {
        await PrepareAsync(Args("s3cret", new DatabaseSpec("appdb")));
        await using (var db = await ConnectAsync("app", "s3cret", "appdb"))
            await ExecAsync(db, "CREATE TABLE items (id int)");

        await _manager.SetReadOnlyAsync(true, None);
        await AssertWritesRefusedAsync();
        await _manager.RestartAsync(None);
        await AssertWritesRefusedAsync();
        await _manager.CreateDatabasesAsync([new DatabaseSpec("by_guest")], None); // the guest's own account still writes

        await _manager.SetReadOnlyAsync(false, None);
        await using (var db = await ConnectAsync("app", "s3cret", "appdb"))
            await ExecAsync(db, "INSERT INTO items VALUES (1)");
        await _manager.RestartAsync(None);
        await using (var db = await ConnectAsync("app", "s3cret", "appdb"))
        {
            await ExecAsync(db, "INSERT INTO items VALUES (2)");
            Assert.Equal(2L, Convert.ToInt64(await ExecAsync(db, "SELECT count(*) FROM items")));
        }

        async Task AssertWritesRefusedAsync()
        {
            await using var db = await ConnectAsync("app", "s3cret", "appdb");
            var refused = await Assert.ThrowsAsync<MySqlException>(() => ExecAsync(db, "INSERT INTO items VALUES (1)"));
            Assert.Equal(MySqlErrorCode.OptionPreventsStatement, refused.ErrorCode);
            Assert.Contains("read-only", refused.Message);
            Assert.Equal(0L, Convert.ToInt64(await ExecAsync(db, "SELECT count(*) FROM items"))); // reads go on
        }
    }

    [Fact]
    public async Task A_fence_stops_the_engine_at_its_gtid_position_answers_it_again_and_keeps_it_read_only_until_lifted()
    {
        await PrepareAsync(Args("s3cret", new DatabaseSpec("appdb")));
        await using (var db = await ConnectAsync("app", "s3cret", "appdb"))
            await ExecAsync(db, "CREATE TABLE items (id int); INSERT INTO items VALUES (1)");
        var before = await _manager.PositionAsync(None);
        Assert.True(before.Writable);
        await using (var open = await ConnectAsync("app", "s3cret", "appdb"))
        {
            var fenced = await _manager.FenceAsync(None); // a tenant's open session does not hold it up
            Assert.Equal((false, before.Gtid), (fenced.Writable, fenced.Gtid));
            Assert.Equal(ServiceStatusNames.Shutdown, await _manager.GetStatusAsync(None));
            Assert.Equal(fenced, await _manager.FenceAsync(None));
            Assert.Equal(fenced, await _manager.PositionAsync(None));
        }

        await _manager.StartAsync(None); // a guest restarted: the engine comes back read-only
        Assert.False((await _manager.PositionAsync(None)).Writable);
        await using (var db = await ConnectAsync("app", "s3cret", "appdb"))
            Assert.Equal(MySqlErrorCode.OptionPreventsStatement,
                (await Assert.ThrowsAsync<MySqlException>(() => ExecAsync(db, "INSERT INTO items VALUES (2)"))).ErrorCode);

        await _manager.UnfenceAsync(None);
        await using (var db = await ConnectAsync("app", "s3cret", "appdb"))
            await ExecAsync(db, "INSERT INTO items VALUES (2)");
        var after = await _manager.PositionAsync(None);
        Assert.True(after.Writable && after.IsAheadOf(before));
    }

    [Fact]
    public async Task Granted_and_revoked_access_shows_in_the_user_list_and_an_underscore_is_no_wildcard()
    {
        await PrepareAsync(new PrepareArgs([new DatabaseSpec("a_b"), new DatabaseSpec("axb"), new DatabaseSpec("other")], [User("u", "pw")]));
        Assert.Empty((await UserAsync("u")).Databases);

        await _manager.GrantAccessAsync("u", null, ["a_b", "other"], None);
        Assert.Equal(["a_b", "other"], (await UserAsync("u")).Databases.Select(d => d.Name));
        await using (var db = await ConnectAsync("u", "pw", "a_b"))
            await ExecAsync(db, "CREATE TABLE t (n int)");
        await AssertRefusedAsync("u", "pw", "axb");

        await _manager.RevokeAccessAsync("u", null, "a_b", None);
        await _manager.RevokeAccessAsync("u", null, "a_b", None);
        Assert.Equal(["other"], (await UserAsync("u")).Databases.Select(d => d.Name));
        await AssertRefusedAsync("u", "pw", "a_b");
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _manager.GrantAccessAsync("nobody", null, ["other"], None));
    }

    [Fact]
    public async Task Root_enabled_logs_in_over_tcp_with_its_password_and_disabled_does_not()
    {
        await PrepareAsync(Args("pw", new DatabaseSpec("appdb")));
        Assert.Equal("root", _manager.RootUserName);
        await AssertRefusedAsync("root", "");

        var generated = await _manager.EnableRootAsync(null, None);
        Assert.Matches("^[A-Za-z0-9_-]{24}$", generated);
        await using (var db = await ConnectAsync("root", generated))
            await ExecAsync(db, "CREATE DATABASE made_by_root");
        Assert.DoesNotContain(await _manager.ListUsersAsync(None), u => u.Name == "root");

        var chosen = await _manager.EnableRootAsync("Chosen'pw\\", None);
        Assert.Equal("Chosen'pw\\", chosen);
        await AssertRefusedAsync("root", generated);
        await using (var db = await ConnectAsync("root", chosen))
            Assert.Equal(1L, Convert.ToInt64(await ExecAsync(db, "SELECT 1")));

        await _manager.DisableRootAsync(None);
        await _manager.DisableRootAsync(None);
        await AssertRefusedAsync("root", chosen);
        Assert.Equal(ServiceStatusNames.Healthy, await _manager.GetStatusAsync(None)); // the guest's own root is untouched
    }

    [Fact]
    public async Task A_password_with_quotes_and_backslashes_works_and_one_with_NUL_is_rejected()
    {
        const string password = "it's \"quoted\" \\ \\' ''; DROP USER app; -- `x` %_";
        await PrepareAsync(Args(password, new DatabaseSpec("appdb")));

        await using (var db = await ConnectAsync("app", password, "appdb"))
            Assert.Equal(1L, Convert.ToInt64(await ExecAsync(db, "SELECT 1")));

        await Assert.ThrowsAsync<ArgumentException>(() => _manager.PrepareAsync(Args("a\0b", new DatabaseSpec("appdb")), None));
        await using (var db = await ConnectAsync("app", password, "appdb"))
            Assert.Equal(1L, Convert.ToInt64(await ExecAsync(db, "SELECT 1")));
    }

    [Fact]
    public async Task Values_stay_values_when_a_configuration_group_turns_backslash_escapes_off()
    {
        await PrepareAsync(Args("pw", new DatabaseSpec("appdb")));
        await _manager.ApplyOverridesAsync(new Dictionary<string, string> { ["sql_mode"] = "NO_BACKSLASH_ESCAPES" }, None);

        const string password = @"it's \' ''; DROP USER app; --";
        await _manager.CreateUsersAsync([new UserSpec(@"o\'brien", password, "%", [new UserDatabase("appdb")])], None);
        await using (var db = await ConnectAsync(@"o\'brien", password, "appdb"))
            Assert.Equal("NO_BACKSLASH_ESCAPES", await ExecAsync(db, "SELECT @@GLOBAL.sql_mode"));
        Assert.Equal([("app", "%"), (@"o\'brien", "%")], (await _manager.ListUsersAsync(None)).Select(u => (u.Name, u.Host)));
    }

    [Fact]
    public async Task Overrides_apply_at_once_and_after_a_restart()
    {
        await PrepareAsync(Args("pw", new DatabaseSpec("appdb")));

        await _manager.ApplyOverridesAsync(new Dictionary<string, string> { ["max_connections"] = "77", ["slow_query_log"] = "on" }, None);
        await using (var db = await ConnectAsync("app", "pw"))
            Assert.Equal(77L, Convert.ToInt64(await ExecAsync(db, "SELECT @@max_connections")));

        await _manager.RestartAsync(None);
        await using (var db = await ConnectAsync("app", "pw"))
        {
            Assert.Equal(77L, Convert.ToInt64(await ExecAsync(db, "SELECT @@max_connections")));
            Assert.Equal(1L, Convert.ToInt64(await ExecAsync(db, "SELECT @@slow_query_log")));
            Assert.Equal(_port, Convert.ToInt32(await ExecAsync(db, "SELECT @@port")));
        }
        await Assert.ThrowsAsync<ArgumentException>(() =>
            _manager.ApplyOverridesAsync(new Dictionary<string, string> { ["port=1 --datadir"] = "/" }, None));
    }

    private readonly CancellationTokenSource _killed = new();

    /// <summary>A guest killed (SIGKILL) while mariadb-install-db runs, then the install's processes killed too: a data
    /// directory without some of its system tables is left (mariadbd: "Table 'mysql.plugin' doesn't exist"). The next
    /// guest's prepare makes the data again: the server answers, with the database and user.</summary>
    [Fact]
    public async Task Prepare_after_a_guest_and_its_install_were_killed_makes_the_data_again()
    {
        WithoutPristineData();
        await KilledGuest.InterruptAsync(_manager.PrepareAsync(Args("pw", new DatabaseSpec("appdb")), _killed.Token), _killed, _dir, "mysql");
        await EngineProcesses.KillLeftoversAsync(_dir, NullLogger.Instance, None);

        var next = new MariaDbManager(_dir, "127.0.0.1", _port, NullLogger<MariaDbManager>.Instance); // the guest started again
        await next.PrepareAsync(Args("pw", new DatabaseSpec("appdb")), None);

        await using var app = await ConnectAsync("app", "pw", "appdb");
        Assert.Equal(1L, Convert.ToInt64(await ExecAsync(app, "SELECT 1")));
    }

    /// <summary>The replica's copy of its source fails (here: nothing listens at the source's address): the option file
    /// with the source's password is gone all the same.</summary>
    [Fact]
    public async Task A_failed_copy_of_the_replica_source_leaves_no_password_file()
    {
        var nowhere = new ReplicaSource("127.0.0.1", TroveNode.FreePort(), "trove_repl_x", "secret-pw", "");
        await Assert.ThrowsAnyAsync<Exception>(() => _manager.FollowAsync(nowhere, None));

        var engineDir = Path.Combine(_dir, "mariadb");
        Assert.True(Directory.Exists(engineDir));
        Assert.DoesNotContain(Directory.EnumerateFiles(engineDir, "*", SearchOption.AllDirectories), HoldsPassword);

        static bool HoldsPassword(string file)
        {
            try { return new FileInfo(file).Length < 1_000_000 && File.ReadAllText(file).Contains("secret-pw"); }
            catch (IOException) { return false; } // the engine's socket
        }
    }
}

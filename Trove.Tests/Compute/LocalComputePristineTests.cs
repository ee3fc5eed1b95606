using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;
using Trove.Tests.Support;

namespace Trove.Tests.Compute;

/// <summary>A new PostgreSQL or MariaDB server comes with the node's pristine data directory, which its guest moves in
/// instead of initialising its own; a server that restores a backup gets its data from the backup, so it is given none
/// to throw away.
/// The guest here is a shell that writes its pid file and waits: the copy is the compute driver's, before any guest.</summary>
public sealed class LocalComputePristineTests : IAsyncLifetime
{
    private readonly ShellGuestCompute _host = new();
    private LocalCompute Compute => _host.Compute;
    private LocalComputeSettings Settings => _host.Settings;
    private readonly List<string> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
            await Compute.DeleteServerAsync(server, CancellationToken.None);
        _host.Dispose();
    }

    private async Task<string> CreateAsync(string datastore, string version, string copyPath, IReadOnlyList<string> restoreFrom)
    {
        var spec = new ServerSpec(Guid.NewGuid().ToString(), datastore, version, 512, 1)
        {
            RestoreFrom = restoreFrom, Broker = new("guest", "pw"), StartsEngineAtOnce = restoreFrom.Count == 0,
        };
        _servers.Add(spec.InstanceId);
        await Compute.CreateServerAsync(spec, null, CancellationToken.None);
        var server = Path.Combine(Settings.ServersDirectory, spec.InstanceId);
        Assert.Equal(spec.StartsEngineAtOnce, GuestInfoJson.Read(Path.Combine(server, "guest_info.json")).StartsEngineAtOnce);
        return Path.Combine(server, copyPath);
    }

    /// <summary>Each datastore, its version, where its copy waits in a server's directory, and a file only its
    /// initialised data holds.</summary>
    public static TheoryData<string, string, string, string> Datastores => new()
    {
        { DatastoreProfiles.Postgres.Name, "15", PostgresInitdb.PristineCopy, "PG_VERSION" },
        { DatastoreProfiles.MariaDb.Name, "10.11", MariaDbInstall.PristineCopy, "mysql/global_priv.MAD" },
    };

    [Theory]
    [MemberData(nameof(Datastores))]
    public async Task A_new_server_gets_the_pristine_data_and_one_restoring_a_backup_gets_none(string datastore, string version, string copyPath, string initialised)
    {
        Assert.True(File.Exists(Path.Combine(await CreateAsync(datastore, version, copyPath, []), initialised)));

        var backup = Path.Combine(Settings.BackupDirectory, $"{Guid.NewGuid()}.tar.gz");
        await File.WriteAllTextAsync(backup, "a backup");
        Assert.False(Directory.Exists(await CreateAsync(datastore, version, copyPath, [backup])));
    }

    /// <summary>A create moves in a copy made ahead, and the next copy is made after it, while nothing waits for it:
    /// the copy (0.1 s here, over a second while the disk is busy) is no longer part of a create.</summary>
    [Theory]
    [MemberData(nameof(Datastores))]
    public async Task A_new_server_takes_the_copy_made_ahead_and_another_is_made_for_the_next(string datastore, string version, string copyPath, string initialised)
    {
        await CreateAsync(datastore, version, copyPath, []); // makes the template, then a copy ahead
        var ahead = await CopyMadeAheadAsync(datastore);
        await File.WriteAllTextAsync(Path.Combine(ahead, Marker), "this very copy");

        var copy = await CreateAsync(datastore, version, copyPath, []);
        Assert.True(File.Exists(Path.Combine(copy, Marker)), "the server got a copy made as it was created");
        Assert.True(File.Exists(Path.Combine(copy, initialised)));
        Assert.NotEqual(ahead, await CopyMadeAheadAsync(datastore));
    }

    /// <summary>A node killed during a create, after the copy was moved into the server's directory and before it was
    /// given to the server's user, left it root's: the create, resumed, gave the guest a directory it could not enter.</summary>
    [Theory]
    [MemberData(nameof(Datastores))]
    public async Task A_create_resumed_after_a_crash_makes_the_server_s_directory_again(string datastore, string version, string copyPath, string initialised)
    {
        await CreateAsync(datastore, version, copyPath, []); // makes the template, then a copy ahead
        await CopyMadeAheadAsync(datastore);
        var spec = new ServerSpec(Guid.NewGuid().ToString(), datastore, version, 512, 1) { Broker = new("guest", "pw"), StartsEngineAtOnce = true };
        _servers.Add(spec.InstanceId);
        var left = Path.Combine(Settings.ServersDirectory, spec.InstanceId, copyPath);
        Directory.CreateDirectory(left); // root's, as the crash left it
        File.SetUnixFileMode(Path.GetDirectoryName(left)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await Compute.CreateServerAsync(spec, null, CancellationToken.None);

        var (uid, _) = ServerUsers.IdsOf(ServerUsers.NameOf(spec.InstanceId))!.Value;
        Assert.True(File.Exists(Path.Combine(left, initialised)));
        Assert.Equal(uid, FileOwner.UidOf(Path.GetDirectoryName(left)!));
        Assert.Equal(uid, FileOwner.UidOf(left));
    }

    private const string Marker = "made-ahead.marker";

    private async Task<string> CopyMadeAheadAsync(string datastore)
    {
        string[] ahead = [];
        await Poll.UntilAsync(() => Task.FromResult((ahead = Directory.GetDirectories(Settings.PristineDirectory, $"{datastore}-*.ahead-*")).Length == 1),
            $"one copy of the {datastore} template made ahead", seconds: 30);
        return ahead[0];
    }

    [Fact]
    public async Task The_pristine_data_is_copied_while_the_server_s_user_is_made()
    {
        var spec = new ServerSpec(Guid.NewGuid().ToString(), DatastoreProfiles.Postgres.Name, "15", 512, 1)
        {
            Broker = new("guest", "pw"), StartsEngineAtOnce = true,
        };
        _servers.Add(spec.InstanceId);
        var copied = Path.Combine(Settings.ServersDirectory, spec.InstanceId, PostgresInitdb.PristineCopy, "PG_VERSION");
        Task created;
        // useradd waits while /etc/passwd is locked, as it is while another server's useradd runs
        await File.WriteAllTextAsync(PasswdLock, Environment.ProcessId.ToString());
        try
        {
            created = Compute.CreateServerAsync(spec, null, CancellationToken.None);
            await Poll.UntilAsync(() => Task.FromResult(File.Exists(copied)), "the pristine data copied while useradd waits", seconds: 30);
            Assert.Null(ServerUsers.IdsOf(ServerUsers.NameOf(spec.InstanceId)));
        }
        finally
        {
            File.Delete(PasswdLock);
        }
        await created;
        var (uid, _) = ServerUsers.IdsOf(ServerUsers.NameOf(spec.InstanceId))!.Value;
        Assert.Equal(uid, FileOwner.UidOf(copied));
    }

    /// <summary>shadow's lock file: useradd refuses ("cannot lock /etc/passwd") while it names a live process; a stale
    /// one (this test's process gone) it removes itself.</summary>
    private const string PasswdLock = "/etc/passwd.lock";
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;
using Trove.Actors.WalArchive;
using Trove.Actors.Guests;
using Trove.Actors.Files;

namespace Trove.Actors.Compute;

/// <summary>
/// A compute driver for one machine: a server is a directory plus a guest agent process started in its own
/// session, so that, like a VM, it outlives the control plane. Like a VM, it has an address of its own (see
/// <see cref="ServerAddresses"/>), where its engine listens on the datastore's standard port; servers an older release
/// made keep 127.0.0.1 and the port they were given.
/// Like a VM, a server is walled off: its guest and engine run as an OS user of its own (<see cref="ServerUsers"/>),
/// in a 0700 directory, with an environment that holds nothing of the node's.
/// </summary>
public sealed class LocalCompute(LocalComputeSettings settings, ILogger<LocalCompute> log) : ICompute, IAsyncDisposable
{
    private const string GuestInfoFile = "guest_info.json";
    private const string PidFile = "guest.pid";
    private const string RestoreDirectory = "restore";
    private const int SigInt = 2, SigTerm = 15, SigKill = 9;
    private readonly ServerAddresses _addresses = new(settings.AddressRegistry, ServerAddresses.ParseRange(settings.AddressRange));
    private readonly PristineData _pristine = new(settings.PristineDirectory, log);
    private readonly LocalWalArchive _walArchive = new(settings.BackupDirectory);

    /// <summary>Makes the servers, backups and pristine data directories (root's, searchable but not listable by the
    /// servers' users) and checks, at start-up, that those users can reach them (the engines' system users make the
    /// pristine data in its directory), and that the pristine data is on the servers' filesystem; the node must be root
    /// to make OS users.</summary>
    public static void PrepareHost(LocalComputeSettings settings)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new InvalidOperationException("LocalCompute runs each server as an OS user of its own: the node must run as root.");
        string[] made = settings.PristineData
            ? [settings.ServersDirectory, settings.BackupDirectory, settings.PristineDirectory]
            : [settings.ServersDirectory, settings.BackupDirectory];
        foreach (var dir in made)
        {
            Directory.CreateDirectory(dir);
            FileModes.Set(dir, FileModes.Searchable);
        }
        foreach (var dir in made.Where(d => d != settings.BackupDirectory))
            SpreadSubdirectories(dir);
        foreach (var dir in made.Append(Path.GetDirectoryName(settings.GuestCommand[^1])!))
            RequireReachable(Path.GetFullPath(dir));
        if (settings.PristineData && Device(settings.PristineDirectory) != Device(settings.ServersDirectory))
            throw new InvalidOperationException(
                $"{settings.PristineDirectory} (Trove:Compute:PristineDirectory) is not on the filesystem of {settings.ServersDirectory}: " +
                "the copies made ahead in it are moved into the servers' directories, and a rename cannot cross filesystems");
    }

    /// <summary>The filesystem <paramref name="path"/> is on (stat's device number).</summary>
    private static string Device(string path) => HostCommand.Run("stat", "-c", "%d", path).Output;

    /// <summary>Marks a directory whose subdirectories are unrelated (the servers', the copies of pristine data) as the top
    /// of hierarchies for ext4's inode allocator (chattr +T), which then places each subdirectory in a block group of its
    /// own choosing rather than its parent's. On ext4 without a journal (the machines this project is built and benched on)
    /// the allocator reuses no inode freed in the last minute and searches past each of them in the group for every new
    /// file: once instances had been deleted beside it, a copy of PostgreSQL's pristine data (1,000 files) took 1.3–1.9
    /// CPU-s instead of 0.12, and the create that made it up to 2.4 s instead of 0.4 (bench/results.md, 2026-12-08 04:10).
    /// On other filesystems chattr fails, and nothing changes.</summary>
    private static void SpreadSubdirectories(string dir)
    {
        try
        {
            HostCommand.Run("chattr", "+T", dir);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no chattr on this host
        }
    }

    /// <summary>Throws, naming the directory, unless every directory from / down to <paramref name="dir"/> is
    /// searchable by other users.</summary>
    private static void RequireReachable(string dir)
    {
        for (var d = dir; d is not null; d = Path.GetDirectoryName(d))
            if (!FileModes.Get(d).HasFlag(UnixFileMode.OtherExecute))
                throw new InvalidOperationException(
                    $"{dir} is not reachable by the servers' OS users: {d} is not searchable by others " +
                    $"(chmod o+x {d}, or choose a data dir other users can reach)");
    }

    /// <summary>Until the pristine data copies being made ahead have ended (the node's container disposes it as it stops).</summary>
    public ValueTask DisposeAsync() => _pristine.DisposeAsync();

    /// <summary>The server's user (useradd, ~20-30 ms of every create), made while the instance is journaled.</summary>
    public async Task<string?> PrepareAheadAsync(ServerSpec spec, CancellationToken ct)
    {
        await EnsureUserAsync(spec.InstanceId, ct);
        return spec.InstanceId;
    }

    public async Task<Server> CreateServerAsync(ServerSpec spec, IProgress<ServerStep>? steps, CancellationToken ct)
    {
        var dir = ServerDirectory(spec.InstanceId);
        var infoPath = Path.Combine(dir, GuestInfoFile);
        using var _ = await ServerLock.TakeAsync(dir, ct); // the reconciler may restart the guest of a build meanwhile
        if (spec.KnownServerId != spec.InstanceId)
            steps?.Report(new ServerStep.ServerAccepted(spec.InstanceId)); // from here on, what is made is the server's
        var user = EnsureUserAsync(spec.InstanceId, ct);
        GuestInfo info;
        int uid, gid;
        if (File.Exists(infoPath))
        {
            (uid, gid) = await user;
            info = ReadInfo(infoPath);
        }
        else
        {
            // What a create killed before the guest info left (a copy moved in and not yet its user's, say) is made again
            // from nothing: no guest has run in it.
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(dir, FileModes.OwnerOnly);
            // the pristine data is copied while useradd runs (~0.1 s of each create), and given to the user it makes
            var pristine = settings.PristineData && spec.RestoreFrom.Count == 0 // a restore's data comes from its backup
                ? _pristine.CopyIntoAsync(spec.Datastore, spec.DatastoreVersion, dir, user, ct)
                : Task.CompletedTask;
            await Task.WhenAll(user, pristine);
            (uid, gid) = user.Result;
            Own(dir, uid, gid, FileModes.OwnerOnly);
            await CopyRestoreChainAsync(spec, dir, uid, gid, ct);
            if (spec.RestoreWalOf is { } walSource)
                await _walArchive.CopyAsync(walSource, Path.Combine(MakeRestoreDirectory(dir, uid, gid), "wal"), uid, gid, ct);
            var port = DatastoreProfiles.Of(spec.Datastore).Port;
            var address = await _addresses.ReserveAsync(dir, port, ct);
            var archives = settings.WalArchive.Archives(spec.Datastore, spec.DatastoreVersion);
            var walArchive = archives && !settings.WalArchive.Granted ? _walArchive.Open(spec.InstanceId, uid, gid) : null;
            info = new GuestInfo(spec.InstanceId, spec.Datastore, spec.DatastoreVersion, port, dir,
                BrokerUri(spec), settings.Exchange, settings.ConductorQueue, settings.HeartbeatIntervalSeconds, settings.BackupDirectory,
                spec.VolumeSize, spec.RamMb, address, walArchive, WalArchiveGranted: archives && settings.WalArchive.Granted, Pooled: spec.Pooled,
                StartsEngineAtOnce: spec.StartsEngineAtOnce);
            await WriteInfoAsync(infoPath, info, uid, gid, ct);
        }

        if (GuestPid(dir) is null)
            await StartGuestAsync(dir, infoPath, uid, gid, ct);
        return new Server(spec.InstanceId, ServerStatus.Active, info.ListenAddress, info.Port);
    }

    /// <summary>Completed backups are root's and readable by no guest: the chain a new server restores from is copied
    /// into its directory, as its own, before its guest starts. A backup in object storage (a URL) the guest fetches itself.</summary>
    private async Task CopyRestoreChainAsync(ServerSpec spec, string dir, int uid, int gid, CancellationToken ct)
    {
        var files = spec.RestoreFrom.Where(location => !BackupFileNames.IsUrl(location)).ToList();
        if (files.Count == 0)
            return;
        var restore = MakeRestoreDirectory(dir, uid, gid);
        foreach (var location in files)
        {
            var name = Path.GetFileName(location); // only ever a file of the backup storage, whatever the location says
            var copy = Path.Combine(restore, name);
            File.Delete(copy);
            await using (var from = File.OpenRead(Path.Combine(settings.BackupDirectory, name)))
            await using (var to = new FileStream(copy, FileMode.CreateNew, FileAccess.Write))
                await from.CopyToAsync(to, ct);
            Own(copy, uid, gid, FileModes.OwnerReadWrite);
        }
    }

    /// <summary>Where the server's guest finds what it restores from; its own, as it discards it once restored.</summary>
    private static string MakeRestoreDirectory(string dir, int uid, int gid)
    {
        var restore = Path.Combine(dir, RestoreDirectory);
        Directory.CreateDirectory(restore);
        Own(restore, uid, gid, FileModes.OwnerOnly);
        return restore;
    }

    /// <summary>A server is a directory with its guest info. One being made, or left half made by a crash (its OS user
    /// only, or a directory without guest info yet), is in <see cref="ServerStatus.Build"/>.</summary>
    public Task<Server?> GetServerAsync(string serverId, CancellationToken ct) => Task.FromResult(Hosted(serverId)?.Server);

    /// <summary>The server with whether an older release made it, from one read of its guest info; null when it does not exist.</summary>
    private HostedServer? Hosted(string serverId)
    {
        var dir = ServerDirectory(serverId);
        var infoPath = Path.Combine(dir, GuestInfoFile);
        if (!File.Exists(infoPath))
            return Directory.Exists(dir) || ServerUsers.IdsOf(ServerUsers.NameOf(serverId)) is not null
                ? new HostedServer(serverId, new Server(serverId, ServerStatus.Build, GuestInfo.OlderReleaseAddress, 0))
                : null;
        var info = ReadInfo(infoPath);
        var status = GuestPid(dir) is null ? ServerStatus.Shutdown : ServerStatus.Active;
        return new HostedServer(serverId, new Server(serverId, status, info.ListenAddress, info.Port), MadeByOlderRelease(serverId, info));
    }

    /// <summary>Every directory in the servers directory and every server user whose home is there; the id of each is
    /// its instance's. The half-made ones are listed too, so that the reconciler removes those no instance owns.</summary>
    public Task<IReadOnlyList<HostedServer>> ListServersAsync(CancellationToken ct)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.ServersDirectory));
        IReadOnlyList<HostedServer> servers = Directory.EnumerateDirectories(root).Select(Path.GetFileName)
            .Concat(ServerUsers.ServersWithUsersIn(root)).Distinct()
            .Select(id => Hosted(id!)).OfType<HostedServer>().ToList();
        return Task.FromResult(servers);
    }

    public async Task RecoverServerAsync(string serverId, CancellationToken ct)
    {
        var dir = ServerDirectory(serverId);
        var infoPath = Path.Combine(dir, GuestInfoFile);
        using var _ = await ServerLock.TakeAsync(dir, ct);
        if (!File.Exists(infoPath) || GuestPid(dir) is not null || MadeByOlderRelease(serverId, ReadInfo(infoPath))
            || ServerUsers.IdsOf(ServerUsers.NameOf(serverId)) is not { } ids)
            return;
        log.LogWarning("the guest of server {Server} is not running; starting it again", serverId);
        await StartGuestAsync(dir, infoPath, ids.Uid, ids.Gid, ct);
    }

    /// <summary>An older release's server: its guest ran as root with the node's broker user, its engine as the
    /// engine's system user, in a directory of root's. The guest stops (and its engine with it), everything in the
    /// directory becomes the server's own user's, the guest info names the guest's own broker user, and the guest starts
    /// again as that user; the guest then gives itself whatever its engine's data lacks for it.</summary>
    public async Task AdoptServerAsync(string serverId, GuestCredentials broker, Func<Task> disconnectOldGuest, CancellationToken ct)
    {
        var dir = ServerDirectory(serverId);
        var infoPath = Path.Combine(dir, GuestInfoFile);
        using var _ = await ServerLock.TakeAsync(dir, ct);
        if (!File.Exists(infoPath) || ReadInfo(infoPath) is not { } info || !MadeByOlderRelease(serverId, info))
            return;
        log.LogWarning("adopting server {Server}, made by an older release: its guest restarts as its own OS and broker user", serverId);
        await disconnectOldGuest();
        await StopGuestAsync(dir, serverId, OldGuestStopGrace, ct);
        await StopOlderEngineAsync(dir, info.Datastore, serverId, ct);
        foreach (var leftover in ProcessesIn(dir))
        {
            log.LogWarning("killing process {Pid} left running in server {Server}", leftover, serverId);
            Kill(leftover, SigKill);
        }
        var (uid, gid) = await EnsureUserAsync(serverId, ct);
        await HostCommand.RunAsync("chown", ["-R", "-P", $"{uid}:{gid}", dir], ct);
        FileModes.Set(dir, FileModes.OwnerOnly);
        await WriteInfoAsync(infoPath, info with { AmqpUri = broker.UriOn(settings.AmqpUri) }, uid, gid, ct);
        await StartGuestAsync(dir, infoPath, uid, gid, ct);
    }

    /// <summary>Whether the guest connects as anything but its own broker user (an older release gave it the node's).</summary>
    private static bool MadeByOlderRelease(string serverId, GuestInfo info) =>
        Uri.UnescapeDataString(new Uri(info.AmqpUri).UserInfo.Split(':')[0]) != TroveBroker.GuestUser(serverId);

    /// <summary>Processes whose command line names the server's directory: an older release's engines, run as the
    /// engines' system users rather than the server's own.</summary>
    private static List<int> ProcessesIn(string dir) =>
        Directory.EnumerateDirectories("/proc")
            .Select(p => int.TryParse(Path.GetFileName(p), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && CommandLine(pid).Contains(dir + "/"))
            .ToList();

    /// <summary>Stops the guest (it stops its engine), kills whatever its OS user still runs, removes the directory,
    /// the user's unfinished backups and the user, and makes its WAL archive root's: nothing is left that a later user
    /// with the same uid could own.</summary>
    public async Task DeleteServerAsync(string serverId, CancellationToken ct)
    {
        var dir = ServerDirectory(serverId);
        var user = ServerUsers.NameOf(serverId);
        if (Directory.Exists(dir))
            await StopGuestAsync(dir, serverId, settings.StopTimeout, ct);
        if (ServerUsers.IdsOf(user) is { } ids)
        {
            foreach (var leftover in ServerUsers.ProcessesOf(ids.Uid))
                log.LogWarning("killing process {Pid} left running in server {Server}", leftover, serverId);
            await ServerUsers.KillAllAsync(ids.Uid, ct);
            await HostCommand.RunAsync("find", [settings.BackupDirectory, "-maxdepth", "1", "-type", "f", "-user", ids.Uid.ToString(), "-delete"], ct);
        }
        _walArchive.Seal(serverId);
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
        await _addresses.FreeAsync(dir, ct);
        await ServerUsers.RemoveAsync(user, ct); // last: a retried delete still finds the user of what is left
        ServerLock.Remove(dir);
    }

    /// <summary>The engine a killed older guest left, stopped as its init system would: its main process gets the
    /// engine's own shutdown signal (PostgreSQL's fast shutdown, MariaDB's normal one), which ends with a checkpoint,
    /// instead of a kill that leaves the next start a crash recovery (tens of seconds for a busy instance, while its calls
    /// wait). The pid files are where that release's guest told its engines to write them.</summary>
    private async Task StopOlderEngineAsync(string dir, string datastore, string serverId, CancellationToken ct)
    {
        var (pidFile, signal) = datastore switch
        {
            "postgresql" => (Path.Combine(dir, "postgres", "data", "postmaster.pid"), SigInt),
            "mariadb" => (Path.Combine(dir, "mariadb", "mysqld.pid"), SigTerm),
            _ => (null, 0),
        };
        if (pidFile is null || !File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault()?.Trim(), out var pid)
            || !IsAlive(pid) || !CommandLine(pid).Contains(dir + "/")) // a stale pid file's number may be another process's now
            return;
        if (!await StoppedWithinAsync(pid, signal, settings.StopTimeout, ct))
            log.LogWarning("the engine {Pid} of server {Server} did not stop in time; killing it", pid, serverId);
    }

    /// <summary>Sends <paramref name="signal"/> and waits until the process has ended or <paramref name="grace"/> is up.</summary>
    private static async Task<bool> StoppedWithinAsync(int pid, int signal, TimeSpan grace, CancellationToken ct)
    {
        Kill(pid, signal);
        var deadline = DateTime.UtcNow + grace;
        while (IsAlive(pid) && DateTime.UtcNow < deadline)
            await Task.Delay(50, ct);
        return !IsAlive(pid);
    }

    /// <summary>An adopted guest has lost its broker connection: it can finish nothing, and an older release's guest
    /// waits on that connection in its stop until it is killed, while calls to the instance wait for the new one.</summary>
    private static readonly TimeSpan OldGuestStopGrace = TimeSpan.FromSeconds(3);

    /// <summary>As a VM's reboot: the guest stops with its engine, then starts again and starts the engine.</summary>
    public async Task RebootServerAsync(string serverId, CancellationToken ct)
    {
        var dir = ServerDirectory(serverId);
        var infoPath = Path.Combine(dir, GuestInfoFile);
        using var _ = await ServerLock.TakeAsync(dir, ct);
        if (!File.Exists(infoPath) || ServerUsers.IdsOf(ServerUsers.NameOf(serverId)) is not { } ids)
            throw new InvalidOperationException($"server {serverId} does not exist");
        await StopGuestAsync(dir, serverId, settings.StopTimeout, ct);
        await StartGuestAsync(dir, infoPath, ids.Uid, ids.Gid, ct);
    }

    /// <summary>A local server has the machine's memory and disk: its guest holds its engine to the flavor's memory and
    /// the volume's size itself (the guest's resize), so there is nothing to change here.</summary>
    public Task ResizeServerAsync(string serverId, string flavorId, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc cref="ResizeServerAsync"/>
    public Task ResizeVolumeAsync(string serverId, int sizeGb, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The guest stops its engine on SIGTERM, as a server's shutdown stops its services; one that does not
    /// stop in time is killed.</summary>
    private async Task StopGuestAsync(string dir, string serverId, TimeSpan grace, CancellationToken ct)
    {
        if (GuestPid(dir) is not { } pid)
            return;
        if (!await StoppedWithinAsync(pid, SigTerm, grace, ct))
        {
            log.LogWarning("guest {Pid} of server {Server} did not stop in time; killing it", pid, serverId);
            Kill(pid, SigKill);
        }
    }

    /// <summary>The guest connects as its own broker user, never as the node.</summary>
    private string BrokerUri(ServerSpec spec) =>
        (spec.Broker ?? throw new ArgumentException($"server {spec.InstanceId} has no broker user for its guest")).UriOn(settings.AmqpUri);

    /// <summary>The server's own user, its home the server's directory; made if missing.</summary>
    private Task<(int Uid, int Gid)> EnsureUserAsync(string serverId, CancellationToken ct) =>
        ServerUsers.EnsureAsync(ServerUsers.NameOf(serverId), ServerDirectory(serverId), ct);

    private string ServerDirectory(string serverId) =>
        Path.Combine(Path.GetFullPath(settings.ServersDirectory), serverId);

    private static async Task WriteInfoAsync(string infoPath, GuestInfo info, int uid, int gid, CancellationToken ct)
    {
        var tmp = infoPath + ".tmp";
        await WriteNewAsync(tmp, GuestInfoJson.Serialize(info), ct);
        Own(tmp, uid, gid, FileModes.OwnerReadWrite);
        File.Move(tmp, infoPath, overwrite: true);
    }

    private static GuestInfo ReadInfo(string path) => GuestInfoJson.Read(path);

    /// <summary>A file root makes in a directory its server's user owns: never through a link that user left there.</summary>
    private static async Task WriteNewAsync(string path, string content, CancellationToken ct)
    {
        File.Delete(path);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        await using var writer = new StreamWriter(file);
        await writer.WriteAsync(content.AsMemory(), ct);
    }

    private static void Own(string path, int uid, int gid, UnixFileMode mode) => FileModes.Own(path, uid, gid, mode);

    private async Task StartGuestAsync(string dir, string infoPath, int uid, int gid, CancellationToken ct)
    {
        // setpriv: the server's own user, none of root's groups. setsid -f: the guest gets its own session and is
        // re-parented to init, so stopping the node leaves it running.
        var start = new ProcessStartInfo("/usr/bin/setpriv") { WorkingDirectory = dir, UseShellExecute = false };
        start.Environment.Clear();
        foreach (var (name, value) in GuestEnvironment(dir))
            start.Environment[name] = value;
        foreach (var arg in new[] { $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", "/bin/sh", "-c",
                     "exec setsid -f \"$@\" >>guest.log 2>&1 </dev/null", "sh" })
            start.ArgumentList.Add(arg);
        foreach (var part in settings.GuestCommand)
            start.ArgumentList.Add(part);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(infoPath);
        using var shell = Process.Start(start) ?? throw new TransientComputeException("could not start the guest");
        await shell.WaitForExitAsync(CancellationToken.None); // at once (setsid -f); a cancel must not miss the guest it forks
        if (shell.ExitCode != 0)
            throw new TransientComputeException($"starting the guest failed with exit code {shell.ExitCode}");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (GuestPid(dir) is null)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the guest in {dir} did not start; see {Path.Combine(dir, "guest.log")}");
            await Task.Delay(25, ct);
        }
        log.LogInformation("started guest for server {Server}", Path.GetFileName(dir));
    }

    /// <summary>What the guest needs and nothing of the node's environment (where a cluster keeps its token key and
    /// journal password): a path, its home, a locale, and the dotnet root it runs on.</summary>
    private Dictionary<string, string> GuestEnvironment(string dir)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOME"] = dir,
            ["LANG"] = "C.UTF-8",
        };
        var host = settings.GuestCommand[0];
        if (Path.IsPathRooted(host) && Path.GetFileNameWithoutExtension(host) == "dotnet")
            environment["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(host))!;
        return environment;
    }

    /// <summary>The pid of the guest running for this directory, or null.</summary>
    private static int? GuestPid(string dir)
    {
        var pidPath = Path.Combine(dir, PidFile);
        if (!File.Exists(pidPath) || !int.TryParse(File.ReadAllText(pidPath).Trim(), out var pid))
            return null;
        return IsAlive(pid) && CommandLine(pid).Contains(Path.Combine(dir, GuestInfoFile)) ? pid : null;
    }

    private static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static bool IsAlive(int pid)
    {
        try { return File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z"); }
        catch (IOException) { return false; }
    }

    private static void Kill(int pid, int signal) => _ = SysKill(pid, signal);

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SysKill(int pid, int sig);
}

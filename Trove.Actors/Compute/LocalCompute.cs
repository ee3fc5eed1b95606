using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Trove.Actors.Guests;

namespace Trove.Actors.Compute;

/// <summary>
/// A compute driver for one machine: a server is a directory plus a guest agent process started in its own
/// session, so that, like a VM, it outlives the control plane. Its engine listens on 127.0.0.1 and a free port.
/// </summary>
public sealed class LocalCompute(LocalComputeSettings settings, ILogger<LocalCompute> log) : ICompute
{
    private const string GuestInfoFile = "guest_info.json";
    private const string PidFile = "guest.pid";
    private const int SigTerm = 15, SigKill = 9;

    public async Task<Server> CreateServerAsync(ServerSpec spec, CancellationToken ct)
    {
        var dir = ServerDirectory(spec.InstanceId);
        var infoPath = Path.Combine(dir, GuestInfoFile);
        GuestInfo info;
        if (File.Exists(infoPath))
        {
            info = ReadInfo(infoPath);
        }
        else
        {
            Directory.CreateDirectory(dir);
            info = new GuestInfo(spec.InstanceId, spec.Datastore, spec.DatastoreVersion, FreePort(), dir,
                BrokerUri(spec), settings.Exchange, settings.ConductorQueue, settings.HeartbeatIntervalSeconds, settings.BackupDirectory,
                spec.VolumeSize, spec.RamMb);
            var tmp = infoPath + ".tmp";
            await File.WriteAllTextAsync(tmp, JsonSerializer.Serialize(info), ct);
            File.Move(tmp, infoPath, overwrite: true);
        }

        if (GuestPid(dir) is null)
            await StartGuestAsync(dir, infoPath, ct);
        return new Server(spec.InstanceId, ServerStatus.Active, "127.0.0.1", info.Port);
    }

    public Task<Server?> GetServerAsync(string serverId, CancellationToken ct)
    {
        var dir = ServerDirectory(serverId);
        var infoPath = Path.Combine(dir, GuestInfoFile);
        if (!File.Exists(infoPath))
            return Task.FromResult<Server?>(null);
        var info = ReadInfo(infoPath);
        var status = GuestPid(dir) is null ? ServerStatus.Shutdown : ServerStatus.Active;
        return Task.FromResult<Server?>(new Server(serverId, status, "127.0.0.1", info.Port));
    }

    public async Task DeleteServerAsync(string serverId, CancellationToken ct)
    {
        var dir = ServerDirectory(serverId);
        if (!Directory.Exists(dir))
            return;
        if (GuestPid(dir) is { } pid)
        {
            // The guest stops its engine on SIGTERM, as a server's shutdown stops its services.
            Kill(pid, SigTerm);
            var deadline = DateTime.UtcNow + settings.StopTimeout;
            while (IsAlive(pid) && DateTime.UtcNow < deadline)
                await Task.Delay(50, ct);
            if (IsAlive(pid))
            {
                log.LogWarning("guest {Pid} of server {Server} did not stop in time; killing it", pid, serverId);
                Kill(pid, SigKill);
            }
        }
        foreach (var leftover in ProcessesUsing(dir))
        {
            log.LogWarning("killing process {Pid} left running in server {Server}", leftover, serverId);
            Kill(leftover, SigKill);
        }
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>The guest connects as its own broker user, never as the node.</summary>
    private string BrokerUri(ServerSpec spec) =>
        (spec.Broker ?? throw new ArgumentException($"server {spec.InstanceId} has no broker user for its guest")).UriOn(settings.AmqpUri);

    private string ServerDirectory(string serverId) =>
        Path.Combine(Path.GetFullPath(settings.ServersDirectory), serverId);

    private static GuestInfo ReadInfo(string path) =>
        JsonSerializer.Deserialize<GuestInfo>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");

    private async Task StartGuestAsync(string dir, string infoPath, CancellationToken ct)
    {
        // setsid -f: the guest gets its own session and is re-parented to init, so stopping the node leaves it running.
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = dir, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec setsid -f \"$@\" >>guest.log 2>&1 </dev/null");
        start.ArgumentList.Add("sh");
        foreach (var part in settings.GuestCommand)
            start.ArgumentList.Add(part);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(infoPath);
        using var shell = Process.Start(start) ?? throw new InvalidOperationException("could not start the guest");
        await shell.WaitForExitAsync(ct);
        if (shell.ExitCode != 0)
            throw new InvalidOperationException($"starting the guest failed with exit code {shell.ExitCode}");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (GuestPid(dir) is null)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the guest in {dir} did not start; see {Path.Combine(dir, "guest.log")}");
            await Task.Delay(25, ct);
        }
        log.LogInformation("started guest for server {Server}", Path.GetFileName(dir));
    }

    /// <summary>The pid of the guest running for this directory, or null.</summary>
    private static int? GuestPid(string dir)
    {
        var pidPath = Path.Combine(dir, PidFile);
        if (!File.Exists(pidPath) || !int.TryParse(File.ReadAllText(pidPath).Trim(), out var pid))
            return null;
        return IsAlive(pid) && CommandLine(pid).Contains(Path.Combine(dir, GuestInfoFile)) ? pid : null;
    }

    private static IEnumerable<int> ProcessesUsing(string dir) =>
        Directory.EnumerateDirectories("/proc")
            .Select(p => int.TryParse(Path.GetFileName(p), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && CommandLine(pid).Contains(dir + "/"))
            .ToList();

    private static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z");

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static void Kill(int pid, int signal) => _ = SysKill(pid, signal);

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SysKill(int pid, int sig);
}

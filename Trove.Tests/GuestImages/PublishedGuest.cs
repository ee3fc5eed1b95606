using System.Diagnostics;
using Trove.Contracts.Guests;
using Trove.Tests.Support;

namespace Trove.Tests.GuestImages;

/// <summary>
/// What scripts/publish-guest makes for a server image (the Native AOT trove-guest, its systemd unit, the README
/// section), published once for the tests that play a VM into a temporary folder, removed when they are done. A test
/// class joins with <c>[Collection(PublishedGuest.Collection)]</c> and takes it in its constructor.
/// </summary>
public sealed class PublishedGuest : IAsyncLifetime
{
    public const string Collection = "published-guest";

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"trove-guest-image-{Guid.NewGuid():N}");
    public string Executable => Path.Combine(Directory, "trove-guest");
    public string Unit => Path.Combine(Directory, "trove-guest.service");

    public async Task InitializeAsync()
    {
        var log = Path.Combine(Path.GetTempPath(), $"publish-guest-{Guid.NewGuid():N}.log");
        var script = Path.Combine(Checkout.Root, "scripts", "publish-guest");
        // Into a file, not a pipe: a build leaves nothing holding this process's output open.
        using var publish = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "exec \"$0\" \"$1\" >\"$2\" 2>&1", script, Directory, log]))!;
        await publish.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token);
        var output = await File.ReadAllTextAsync(log);
        File.Delete(log);
        Assert.True(publish.ExitCode == 0, $"scripts/publish-guest failed ({publish.ExitCode}):\n{output}");
    }

    /// <summary>Starts the agent as a VM with a config drive would: <paramref name="userData"/> (<see cref="GuestUserData"/>)
    /// in the OpenStack layout under <paramref name="vm"/>, and the agent with <c>--config-drive</c> on it. A test
    /// playing a cloud's VM on this machine gives the guest info a directory and port of this machine's first
    /// (<see cref="GuestUserData.Parse"/>, <c>with</c>, <see cref="GuestUserData.Render"/>).</summary>
    public RunningGuest StartFromConfigDrive(string vm, string userData)
    {
        var drive = Path.Combine(vm, "config-drive");
        var file = GuestImage.ConfigDriveUserData(drive);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, userData);
        return Start(Path.Combine(vm, "guest.log"), "--config-drive", drive);
    }

    /// <summary>Starts the agent as a VM's unit would: as root, with <paramref name="args"/>, in an environment that
    /// holds nothing of this process's (no DOTNET_ROOT); its output goes to <paramref name="log"/>.</summary>
    public RunningGuest Start(string log, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = "/" };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var arg in new[] { "-c", "exec \"$0\" \"$@\" >>\"$LOG\" 2>&1 </dev/null", Executable })
            start.ArgumentList.Add(arg);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["LOG"] = log;
        return new RunningGuest(Process.Start(start)!, log);
    }

    public Task DisposeAsync()
    {
        if (System.IO.Directory.Exists(Directory))
            System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }

}

/// <summary>A published guest's process; disposing it stops it as systemd would (SIGTERM: the agent stops its engine).</summary>
public sealed class RunningGuest(Process process, string log) : IAsyncDisposable
{
    public Process Process => process;
    public string Log => log;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            Programs.Signal(process.Id, "TERM");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(); }
        }
        process.Dispose();
    }
}

[CollectionDefinition(PublishedGuest.Collection)]
public sealed class PublishedGuestCollection : ICollectionFixture<PublishedGuest>;

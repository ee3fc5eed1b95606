using Microsoft.Extensions.Logging.Abstractions;
using Trove.Actors.Compute;

namespace Trove.Tests.Support;

/// <summary>A <see cref="LocalCompute"/> in a data directory of its own whose guest is a shell that writes its pid file
/// and waits: for tests of what the compute driver itself does to a server, before and around any guest.</summary>
public sealed class ShellGuestCompute : IDisposable
{
    private readonly string _dataDir = TroveNode.NewDataDir();

    public LocalComputeSettings Settings { get; }
    public LocalCompute Compute { get; }

    public ShellGuestCompute(bool pristineData = true)
    {
        Settings = new LocalComputeSettings
        {
            ServersDirectory = Path.Combine(_dataDir, "servers"),
            BackupDirectory = Path.Combine(_dataDir, "backups"),
            GuestCommand = ["/bin/sh", "-c", "echo $$ > guest.pid; while :; do sleep 1; done", "sh"],
            AmqpUri = "amqp://127.0.0.1", Exchange = "trove", ConductorQueue = "trove-conductor",
            PristineData = pristineData,
        };
        Directory.CreateDirectory(Settings.ServersDirectory);
        Directory.CreateDirectory(Settings.BackupDirectory);
        Compute = new LocalCompute(Settings, NullLogger<LocalCompute>.Instance);
    }

    public void Dispose()
    {
        Compute.DisposeAsync().AsTask().GetAwaiter().GetResult(); // a copy being made ahead writes into the directory
        Directory.Delete(_dataDir, recursive: true);
    }
}

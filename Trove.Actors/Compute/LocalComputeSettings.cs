using System.Diagnostics.CodeAnalysis;
using System.Text;
using Trove.Actors.WalArchive;
using Trove.Contracts;

namespace Trove.Actors.Compute;

/// <summary>Where <see cref="LocalCompute"/> keeps its servers and how it starts a guest.</summary>
public sealed record LocalComputeSettings
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    /// <summary>Parent of the servers' directories.</summary>
    public required string ServersDirectory { get; init; }

    /// <summary>Where the pristine data directories new servers are given a copy of are kept: by default beside the
    /// servers' (<c>servers.pristine</c>). Nodes may share one (<see cref="Compute.PristineData"/>).</summary>
    [AllowNull]
    public string PristineDirectory
    {
        get => field ?? ServersDirectory.TrimEnd('/') + ".pristine";
        init;
    }

    /// <summary>Whether new servers get a copy of pristine data at all.</summary>
    public bool PristineData { get; init; } = true;

    /// <summary>The guest agent's command line; the server's guest_info.json is appended as <c>--config PATH</c>.</summary>
    public required IReadOnlyList<string> GuestCommand { get; init; }

    /// <summary>The broker (its guest's own user in place of the node's) and exchange the guest is told to use.</summary>
    public required string AmqpUri { get; init; }
    public required string Exchange { get; init; }
    public required string ConductorQueue { get; init; }

    /// <summary>Where the guests write backups and read them back for a restore (the backup storage).</summary>
    public required string BackupDirectory { get; init; }

    /// <summary>Which datastore versions archive their WAL into the backup storage.</summary>
    public WalArchiveSettings WalArchive { get; init; } = new();
    public double HeartbeatIntervalSeconds { get; init; } = 3;

    /// <summary>The loopback range the servers' own addresses come from (never 127.0.0.1, where the machine's own
    /// services listen), and the machine-wide directory that records which server holds which.</summary>
    public string AddressRange { get; init; } = "127.42.0.0/16";
    public string AddressRegistry { get; init; } = "/var/lib/trove/local-addresses";

    /// <summary>How long a guest has to stop its engine after SIGTERM before it is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The guest agent that ships next to this assembly: its native executable (a published node's), or its
    /// assembly run with the same dotnet host (a build's output).</summary>
    public static IReadOnlyList<string> DefaultGuestCommand() => GuestAgentFiles.Command(GuestAgentFiles.Shipped, GuestAgentFiles.Shipped);
}

using System.Diagnostics;
using Trove.Actors.Compute;
using Trove.Tests.Support;

namespace Trove.Tests.Compute;

/// <summary>How the node runs the guest it ships: a build's output (the tests') with the node's dotnet host, a published
/// node's Native AOT executable on its own.</summary>
public sealed class GuestAgentFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guest-agent-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_guest_shipped_as_assemblies_runs_with_the_dotnet_host_and_a_native_one_on_its_own()
    {
        var shipped = Directory.CreateDirectory(Path.Combine(_dir, "shipped")).FullName;
        File.WriteAllText(Path.Combine(shipped, GuestAgentFiles.NativeExecutable), "");
        Assert.Equal([Path.Combine(_dir, "copy", GuestAgentFiles.NativeExecutable)], GuestAgentFiles.Command(shipped, Path.Combine(_dir, "copy")));

        File.WriteAllText(Path.Combine(shipped, GuestAgentFiles.EntryAssembly), ""); // a build's output has its apphost too
        Assert.Equal([GuestAgentFiles.DotnetHost(), Path.Combine(_dir, "copy", GuestAgentFiles.EntryAssembly)],
            GuestAgentFiles.Command(shipped, Path.Combine(_dir, "copy")));
    }

    /// <summary>The node the tests start (scripts/test's, published as scripts/run's and scripts/bench's) ships its guest
    /// Native AOT: one executable, no assemblies, that runs with nothing of .NET in its environment. Built beside the
    /// tests (no <c>TROVE_NODE_DLL</c>), the node ships its guest's assemblies, and there is nothing to check.</summary>
    [Fact]
    public async Task A_published_nodes_guest_is_one_native_executable_that_runs_without_dotnet()
    {
        if (Environment.GetEnvironmentVariable("TROVE_NODE_DLL") is not { Length: > 0 })
            return;
        var shipped = Path.Combine(Path.GetDirectoryName(TroveNode.NodeDll)!, GuestAgentFiles.Folder);
        Assert.False(File.Exists(Path.Combine(shipped, GuestAgentFiles.EntryAssembly)), $"{shipped} holds the guest's assembly");
        var command = GuestAgentFiles.Command(shipped, shipped);
        Assert.Equal([Path.Combine(shipped, GuestAgentFiles.NativeExecutable)], command);
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(command[0])[..4]);

        var start = new ProcessStartInfo(command[0], ["--help"]);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin"; // no dotnet, no DOTNET_ROOT
        var help = await Programs.RunAsync(start, TimeSpan.FromSeconds(30));
        Assert.True(help.Succeeded, help.Output + help.Errors);
        Assert.StartsWith("usage: trove-guest", help.Output);
    }
}

using System.Diagnostics;

namespace Trove.Tests.EndToEnd;

/// <summary>openstack-zygote.py, started for one test: the upstream client imported once, each command forked from it.
/// Scripts that source client-lib.sh use it when <see cref="Variable"/> names its socket.</summary>
public sealed class ClientZygote : IAsyncDisposable
{
    public const string Variable = "OPENSTACK_ZYGOTE";

    private readonly Process _process;
    private readonly string _directory;

    private ClientZygote(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public string Socket => Path.Combine(_directory, "openstack.sock");

    public static async Task<ClientZygote> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("trove-client-").FullName;
        var start = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "EndToEnd", "openstack-zygote.py"), Path.Combine(directory, "openstack.sock")])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PATH"] = "/usr/bin:/bin";
        var zygote = new ClientZygote(Process.Start(start)!, directory);
        var errors = zygote._process.StandardError.ReadToEndAsync();
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!File.Exists(zygote.Socket))
        {
            if (zygote._process.HasExited || DateTime.UtcNow > until)
            {
                await zygote.DisposeAsync();
                throw new InvalidOperationException($"openstack-zygote.py did not start: {await errors}");
            }
            await Task.Delay(100);
        }
        return zygote;
    }

    /// <summary>Ends the zygote and any command still running in a child of it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

using System.Diagnostics;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The upstream OpenStack client, unmodified (Debian's python3-troveclient), through a full tenant session and
/// an operator's: each script runs every command of the features we serve and checks its output.</summary>
[Collection("node")]
public sealed class UpstreamClientTests(NodeFixture fixture)
{
    [Theory]
    [InlineData("postgresql", "15")]
    [InlineData("mariadb", "10.11")]
    public Task A_tenant_session_with_the_openstack_client_works(string datastore, string version) =>
        RunAsync("client-scenario.sh", new() { ["DATASTORE"] = datastore, ["DATASTORE_VERSION"] = version });

    [Fact]
    public Task An_operator_session_with_the_openstack_client_works() => RunAsync("admin-client-scenario.sh", new());

    private async Task RunAsync(string script, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("/bin/bash", [Path.Combine(AppContext.BaseDirectory, "EndToEnd", script)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OS_AUTH_URL"] = new Uri(fixture.Node.BaseAddress, "v3").ToString();
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        // Debian's client runs on the system interpreter, whatever python3 comes first on PATH.
        start.Environment["PATH"] = "/usr/bin:/bin";
        using var client = Process.Start(start)!;
        var output = client.StandardOutput.ReadToEndAsync();
        var errors = client.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await client.WaitForExitAsync(timeout.Token);
        Assert.True(client.ExitCode == 0, $"{await errors}\n{await output}");
    }
}

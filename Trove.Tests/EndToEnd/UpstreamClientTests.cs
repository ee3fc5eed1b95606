using System.Diagnostics;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The upstream OpenStack client, unmodified (Debian's python3-troveclient), through a full tenant session.</summary>
[Collection("node")]
public sealed class UpstreamClientTests(NodeFixture fixture)
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "EndToEnd", "client-scenario.sh");

    [Theory]
    [InlineData("postgresql", "15")]
    [InlineData("mariadb", "10.11")]
    public async Task A_tenant_session_with_the_openstack_client_works(string datastore, string version)
    {
        var start = new ProcessStartInfo("/bin/bash", [Script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OS_AUTH_URL"] = new Uri(fixture.Node.BaseAddress, "v3").ToString();
        start.Environment["DATASTORE"] = datastore;
        start.Environment["DATASTORE_VERSION"] = version;
        // Debian's client runs on the system interpreter, whatever python3 comes first on PATH.
        start.Environment["PATH"] = "/usr/bin:/bin";
        using var client = Process.Start(start)!;
        var output = client.StandardOutput.ReadToEndAsync();
        var errors = client.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(7)); // the session runs some 70 commands, each a Python start
        await client.WaitForExitAsync(timeout.Token);
        Assert.True(client.ExitCode == 0, $"{await errors}\n{await output}");
    }
}

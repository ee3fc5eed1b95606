using System.Diagnostics;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The upstream OpenStack client, unmodified (Debian's python3-troveclient), through a full tenant session on each
/// engine and an operator's session: each script runs every command of the features we serve and checks its output. The
/// three sessions run at the same time, as three users would (they mostly wait on builds and backups).</summary>
[Collection("second-node")]
public sealed class UpstreamClientTests(NodeFixture fixture)
{
    private static readonly TimeSpan SessionLimit = TimeSpan.FromMinutes(20);

    [Fact]
    public async Task Tenant_sessions_on_both_engines_and_an_operator_s_session_with_the_openstack_client_work()
    {
        await using var zygote = await ClientZygote.StartAsync();
        var sessions = new[]
        {
            RunAsync("client-scenario.sh", new() { ["DATASTORE"] = "postgresql", ["DATASTORE_VERSION"] = "15" }, zygote),
            RunAsync("client-scenario.sh", new() { ["DATASTORE"] = "mariadb", ["DATASTORE_VERSION"] = "10.11" }, zygote),
            RunAsync("admin-client-scenario.sh", new(), zygote),
        };
        var failures = (await Task.WhenAll(sessions)).OfType<string>().ToList();
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>Null when the session succeeded, else what it printed.</summary>
    private async Task<string?> RunAsync(string script, Dictionary<string, string> environment, ClientZygote zygote)
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
        start.Environment[ClientZygote.Variable] = zygote.Socket;
        using var client = Process.Start(start)!;
        var output = client.StandardOutput.ReadToEndAsync();
        var errors = client.StandardError.ReadToEndAsync();
        // About 150 client commands and the polls of the waits: minutes, longer while the rest of the suite runs on the same
        // 2 cores.
        using var timeout = new CancellationTokenSource(SessionLimit);
        try
        {
            await client.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            client.Kill(entireProcessTree: true);
            await client.WaitForExitAsync();
            return $"{script} {string.Join(' ', environment.Values)}: still running after {SessionLimit.TotalMinutes} min\n{await errors}\n{await output}";
        }
        return client.ExitCode == 0 ? null : $"{script} {string.Join(' ', environment.Values)}: exit {client.ExitCode}\n{await errors}\n{await output}";
    }
}

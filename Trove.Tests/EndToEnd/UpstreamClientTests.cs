using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The upstream OpenStack client, unmodified (Debian's python3-troveclient), through a full tenant session on each
/// engine and an operator's session: each script runs every command of the features we serve and checks its output. The
/// three sessions run at the same time, as three users would (they mostly wait on builds and backups).</summary>
[Collection("second-node")]
public sealed class UpstreamClientTests(NodeFixture fixture)
{
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

    private Task<string?> RunAsync(string script, Dictionary<string, string> environment, ClientZygote zygote) =>
        ClientSession.RunAsync(fixture.Node.BaseAddress, script, environment, zygote);
}

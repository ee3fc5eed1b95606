using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The warm pool on the real stack, one server per engine: a create takes the pool server of its version (its
/// id is the instance's), is ACTIVE with the tenant's database and user, and the pool makes another; a pool server is
/// nobody's instance before.</summary>
public sealed class WarmPoolTests : IAsyncLifetime
{
    private TroveNode _node = null!;

    public async Task InitializeAsync() => _node = await TroveNode.StartAsync(TroveNode.NewDataDir(), new Dictionary<string, string>
    {
        ["Trove__Pool__Sizes__postgresql-15"] = "1",
        ["Trove__Pool__Sizes__mariadb-10.11"] = "1",
        ["Trove__Pool__RamMb"] = "512",
    });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private sealed record Member(string Id, string Datastore, string Status);

    /// <summary>The pool as <c>trove-admin pool list</c> shows it.</summary>
    private async Task<IReadOnlyList<Member>> PoolAsync()
    {
        var listed = await _node.AdminAsync("pool", "list");
        Assert.Equal(0, listed.Exit);
        return listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(c => new Member(c[0], c[1], c[3])).ToList();
    }

    private async Task<IReadOnlyList<Member>> ReadyAsync(IReadOnlyCollection<string> besides)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var ready = (await PoolAsync()).Where(m => m.Status == "READY" && !besides.Contains(m.Id)).ToList();
            if (ready.Select(m => m.Datastore).Distinct().Count() == 2 || DateTime.UtcNow > deadline)
                return ready;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_create_claims_its_versions_pool_server_which_no_tenant_saw_before_and_the_pool_refills()
    {
        var ready = await ReadyAsync([]);
        var postgres = Assert.Single(ready, m => m.Datastore == "postgresql").Id;
        var mariadb = Assert.Single(ready, m => m.Datastore == "mariadb").Id;
        // a pool server is no instance: not shown, not listed, for any tenant, admin included
        foreach (var tenant in new[] { "demo", "admin" })
        {
            Assert.Null(await _node.ShowAsync(tenant, postgres));
            var listed = await _node.Client(tenant).GetFromJsonAsync<JsonObject>($"v1.0/{tenant}/instances");
            Assert.Empty(listed!["instances"]!.AsArray());
        }
        Assert.Contains(File.ReadLines(Path.Combine(_node.ServersDir, postgres, "guest.log")), l => l.Contains("engine started ahead"));

        var pg = await _node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pooled-pg"));
        var maria = await _node.CreateInstanceAsync("demo", MariaDbInstanceTests.CreateBody("pooled-maria"));
        Assert.Equal(postgres, (string)pg["id"]!);
        Assert.Equal(mariadb, (string)maria["id"]!);

        var pgActive = await _node.WaitForStatusAsync("demo", postgres, "ACTIVE", TimeSpan.FromSeconds(60));
        Assert.Equal(42, await PostgresInstanceTests.QueryAsAppAsync(pgActive));
        var mariaActive = await _node.WaitForStatusAsync("demo", mariadb, "ACTIVE", TimeSpan.FromSeconds(60));
        Assert.Equal(42, await MariaDbInstanceTests.QueryAsAppAsync(mariaActive));
        var limits = File.ReadAllText(Path.Combine(_node.ServersDir, postgres, "limits.json"));
        Assert.Contains("\"RamMb\":512", limits); // the tenant's flavor, given at the claim

        var refilled = await ReadyAsync([postgres, mariadb]);
        Assert.Equal(["mariadb", "postgresql"], refilled.Select(m => m.Datastore).Order());
        Assert.DoesNotContain(await PoolAsync(), m => m.Id == postgres && m.Status == "READY");
    }

    [Fact]
    public async Task An_admin_deletes_a_pool_server_and_the_pool_makes_another()
    {
        var ready = await ReadyAsync([]);
        var postgres = Assert.Single(ready, m => m.Datastore == "postgresql").Id;

        Assert.Equal(0, (await _node.AdminAsync("pool", "delete", postgres)).Exit);

        var refilled = await ReadyAsync([postgres]);
        Assert.Contains(refilled, m => m.Datastore == "postgresql");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.Exists(Path.Combine(_node.ServersDir, postgres)) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.False(Directory.Exists(Path.Combine(_node.ServersDir, postgres)));
        Assert.Empty(_node.ProcessesInServers(postgres));
    }
}

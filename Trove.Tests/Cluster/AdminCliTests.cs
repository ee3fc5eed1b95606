using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Trove.Actors.Admin;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;
using Trove.Contracts.Admin;

namespace Trove.Tests.Cluster;

/// <summary>A running 2-node cluster with one MariaDB instance, inspected with the real trove-admin.</summary>
public sealed class TwoNodeClusterFixture : IAsyncLifetime
{
    public TroveCluster Cluster { get; private set; } = null!;
    public string InstanceId { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TroveCluster.StartAsync(2);
        var node = Cluster.Nodes[1];
        InstanceId = (string)(await node.CreateInstanceAsync("demo", MariaDbInstanceTests.CreateBody("admin-cli")))["id"]!;
        await node.WaitForStatusAsync("demo", InstanceId, "ACTIVE", TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[SupportedOSPlatform("linux")] // as the node is
[Collection("cluster")]
public sealed class AdminCliTests(TwoNodeClusterFixture fixture) : IClassFixture<TwoNodeClusterFixture>
{
    private TroveNode Node0 => fixture.Cluster.Nodes[0];
    private TroveNode Node1 => fixture.Cluster.Nodes[1];

    [Fact]
    public async Task Cluster_show_lists_both_members_up_with_roles_leader_and_version()
    {
        var result = await TroveAdminCli.RunAsync(Node1, "cluster", "show");

        Assert.Equal(AdminExit.Ok, result.Exit);
        var rows = TroveCluster.MemberRows(result.Stdout);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(("Up", "reachable"), (r.Status, r.Reachability)));
        Assert.Matches($"leader: ({fixture.Cluster.AkkaAddress(0)}|{fixture.Cluster.AkkaAddress(1)})\n", result.Stdout);
        Assert.Contains($"{fixture.Cluster.AkkaAddress(1)} (self)", result.Stdout);
        Assert.Contains("api,conductor,worker", result.Stdout);
        Assert.Matches(@"\d+\.\d+\.\d+", result.Stdout); // the app version
    }

    [Fact]
    public async Task Sharding_regions_names_each_entity_type_hosted_here()
    {
        var result = await TroveAdminCli.RunAsync(Node0, "sharding", "regions");

        Assert.Equal(AdminExit.Ok, result.Exit);
        foreach (var type in new[] { "instance", "backup", "tenant" })
            Assert.Matches($@"(?m)^{type}\s+region\s+\d+\s+\d+$", result.Stdout);
    }

    [Fact]
    public async Task Region_stats_count_shards_and_entities_per_node()
    {
        var result = await TroveAdminCli.RunAsync(Node0, "sharding", "region-stats", "instance");

        Assert.Equal(AdminExit.Ok, result.Exit);
        Assert.Contains(fixture.Cluster.AkkaAddress(0), result.Stdout);
        Assert.Contains(fixture.Cluster.AkkaAddress(1), result.Stdout);
        var total = result.Stdout.Split('\n').Single(l => l.StartsWith("total")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(int.Parse(total[2]) >= 1, result.ToString()); // the instance entity is running somewhere

        var unknown = await TroveAdminCli.RunAsync(Node0, "sharding", "region-stats", "nope");
        Assert.Equal(AdminExit.Usage, unknown.Exit);
        Assert.Contains("unknown entity type 'nope'", unknown.Stderr);
    }

    [Fact]
    public async Task Locate_names_the_node_that_runs_the_instance_and_instance_show_agrees()
    {
        var located = await TroveAdminCli.RunAsync(Node0, "sharding", "locate", "instance", fixture.InstanceId);
        Assert.Equal(AdminExit.Ok, located.Exit);
        Assert.Contains("running", located.Stdout);
        var host = new[] { 0, 1 }.Select(fixture.Cluster.AkkaAddress).Single(a => located.Stdout.Contains(a));

        var shown = await TroveAdminCli.RunAsync(Node1, "instance", "show", fixture.InstanceId);
        Assert.Equal(AdminExit.Ok, shown.Exit);
        var view = JsonNode.Parse(shown.Stdout)!;
        Assert.Equal(host, (string?)view["node"]);
        Assert.Equal(fixture.InstanceId, (string?)view["state"]!["id"]);
        Assert.Equal("None", (string?)view["state"]!["task"]);
        Assert.Equal("healthy", (string?)view["state"]!["serviceStatus"]);
    }

    [Fact]
    public async Task Instance_list_all_tenants_shows_every_tenant_s_instances_with_their_tenant_from_any_node()
    {
        foreach (var node in new[] { Node0, Node1 })
        {
            var listed = await TroveAdminCli.RunAsync(node, "instance", "list", "--all-tenants");
            Assert.Equal(AdminExit.Ok, listed.Exit);
            Assert.Matches(@"^ID\s+TENANT\s+NAME\s+DATASTORE\s+STATUS\n", listed.Stdout);
            Assert.Matches($@"(?m)^{fixture.InstanceId}\s+demo\s+admin-cli\s+mariadb 10\.11\s+ACTIVE$", listed.Stdout);
        }
        Assert.Equal(AdminExit.Usage, (await TroveAdminCli.RunAsync(Node0, "instance", "list")).Exit);
    }

    [Fact]
    public async Task Guest_ping_asks_the_instance_s_guest_through_its_entity_from_any_node()
    {
        foreach (var node in new[] { Node0, Node1 })
        {
            var pinged = await TroveAdminCli.RunAsync(node, "guest", "ping", fixture.InstanceId);
            Assert.Equal(AdminExit.Ok, pinged.Exit);
            Assert.Matches($@"^guest of instance {fixture.InstanceId} answered in \d+ ms\n$", pinged.Stdout);
        }
        var unknown = await TroveAdminCli.RunAsync(Node0, "guest", "ping", Guid.NewGuid().ToString());
        Assert.Equal(AdminExit.Failed, unknown.Exit);
        Assert.Equal(AdminExit.Usage, (await TroveAdminCli.RunAsync(Node0, "guest", "ping")).Exit);
    }

    [Fact]
    public async Task Unknown_entities_and_instances_exit_with_failure()
    {
        var id = Guid.NewGuid().ToString();
        var shown = await TroveAdminCli.RunAsync(Node0, "instance", "show", id);
        Assert.Equal(AdminExit.Failed, shown.Exit);
        Assert.Contains($"no instance {id}", shown.Stderr);
    }

    [Fact]
    public async Task Amqp_status_shows_the_connection_and_both_nodes_consuming_reports()
    {
        var result = await TroveAdminCli.RunAsync(Node0, "amqp", "status");

        Assert.Equal(AdminExit.Ok, result.Exit);
        Assert.Contains("(connected)", result.Stdout);
        Assert.DoesNotContain("guest:guest", result.Stdout); // no credentials in the output
        Assert.Matches(@"(?m)^trove-conductor-\S+\s+conductor\s+\d+\s+2$", result.Stdout);
        Assert.Matches($@"(?m)^guestagent\.{fixture.InstanceId}\s+guest\s+\d+\s+1$", result.Stdout);
        // this node's entities count the lag of both conductors, its own and the other node's
        var lags = Assert.Single(result.Stdout.Split('\n'), line => line.StartsWith("conductors behind by: "));
        foreach (var node in new[] { 0, 1 })
            Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(fixture.Cluster.AkkaAddress(node))} \d+\.\d s", lags);
    }

    [Fact]
    public async Task Bad_commands_and_arguments_are_usage_errors_and_help_lists_every_command()
    {
        Assert.Equal(AdminExit.Usage, (await TroveAdminCli.RunAsync(Node0, "cluster", "bogus")).Exit);
        Assert.Equal(AdminExit.Usage, (await TroveAdminCli.RunAsync(Node0, "cluster", "leave")).Exit);
        Assert.Equal(AdminExit.Usage, (await TroveAdminCli.RunAsync(Node0, "cluster", "down", "not-an-address")).Exit);
        Assert.Equal(AdminExit.Failed, (await TroveAdminCli.RunAsync(Node0, "cluster", "down", "127.0.0.1:1")).Exit);

        var help = await TroveAdminCli.RunAsync(Node0, "help");
        Assert.Equal(AdminExit.Ok, help.Exit);
        foreach (var command in new[] { "cluster show", "cluster leave", "cluster down", "cluster down-unreachable", "cluster join",
                     "sharding regions", "sharding region-stats", "sharding locate", "instance show", "instance list --all-tenants", "guest ping", "amqp status" })
            Assert.Contains(command, help.Stdout);
    }

    [Fact]
    public async Task Without_a_command_it_opens_a_prompt_that_runs_commands_until_exit()
    {
        var result = await TroveAdminCli.RunAsync([$"127.0.0.1:{Node0.AdminPort}"], stdin: "help\ncluster show\nexit\n",
            environment: new Dictionary<string, string> { ["TROVE_DATA_DIR"] = Node0.DataDir });

        Assert.Equal(AdminExit.Ok, result.Exit);
        Assert.Contains("trove-admin 127.0.0.1:", result.Stdout);
        Assert.Contains("sharding locate", result.Stdout);
        Assert.Equal(2, TroveCluster.MemberRows(result.Stdout).Count);
    }

    [Fact]
    public async Task An_endpoint_that_is_not_there_exits_unreachable()
    {
        var result = await TroveAdminCli.RunAsync([$"127.0.0.1:{TroveNode.FreePort()}", "cluster", "show"]);
        Assert.Equal(AdminExit.Unreachable, result.Exit);
    }

    [Fact]
    public async Task Every_caller_needs_the_node_token_loopback_included()
    {
        var endpoint = $"127.0.0.1:{Node0.AdminPort}";
        var without = await TroveAdminCli.RunAsync([endpoint, "cluster", "show"]);
        Assert.Equal(AdminExit.Refused, without.Exit);
        Assert.Contains("admin token", without.Stderr);
        Assert.DoesNotContain("Up", without.Stdout);

        var wrong = await TroveAdminCli.RunAsync([endpoint, "cluster", "leave", fixture.Cluster.AkkaAddress(1)],
            environment: new Dictionary<string, string> { [AdminToken.EnvironmentVariable] = "not-the-token" });
        Assert.Equal(AdminExit.Refused, wrong.Exit);
        Assert.Equal(AdminExit.Refused, (await AdminClient.SendAsync("127.0.0.1", Node1.AdminPort, ["instance", "show", fixture.InstanceId])).Exit);
        Assert.Equal(2, TroveCluster.MemberRows((await Node0.AdminAsync("cluster", "show")).Output).Count); // nobody left
    }

    [Fact]
    public async Task The_token_comes_from_a_file_or_the_environment_never_from_the_command_line()
    {
        var endpoint = $"127.0.0.1:{Node0.AdminPort}";
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Node0.AdminTokenFile));
        var token = AdminToken.Read(Node0.AdminTokenFile)!;
        Assert.True(Convert.FromBase64String(token).Length >= 32);

        var onCommandLine = await TroveAdminCli.RunAsync([endpoint, "--token", token, "cluster", "show"]);
        Assert.Equal(AdminExit.Usage, onCommandLine.Exit);
        Assert.Contains("--token-file", onCommandLine.Stderr);

        Assert.Equal(AdminExit.Ok, (await TroveAdminCli.RunAsync([endpoint, "--token-file", Node0.AdminTokenFile, "cluster", "show"])).Exit);
        Assert.Equal(AdminExit.Ok, (await TroveAdminCli.RunAsync([endpoint, "cluster", "show"],
            environment: new Dictionary<string, string> { [AdminToken.EnvironmentVariable] = token })).Exit);
        Assert.Equal(AdminExit.Ok, (await TroveAdminCli.RunAsync([endpoint, "cluster", "show"],
            environment: new Dictionary<string, string> { ["TROVE_DATA_DIR"] = Node0.DataDir })).Exit);
        Assert.Equal(AdminExit.Usage, (await TroveAdminCli.RunAsync([endpoint, "--token-file", Path.Combine(Node0.DataDir, "nope"), "cluster", "show"])).Exit);
    }
}

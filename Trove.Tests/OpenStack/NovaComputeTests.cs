using System.Text.Json.Nodes;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Trove.Actors.Catalog;
using Trove.Actors.Compute.OpenStack;
using Trove.Actors.Compute;

namespace Trove.Tests.OpenStack;

/// <summary>NovaCompute against the sandbox's real Nova (fake virt driver) and Cinder (fake volume driver), as the
/// sandbox's demo tenant. Each test's servers and volumes are named after an instance id of its own.</summary>
[Collection(OpenStackCollection.Name)]
public sealed class NovaComputeTests(OpenStackSandbox sandbox) : IAsyncLifetime
{
    private readonly CloudAdmin _admin = new(sandbox.AdminSession);
    private readonly List<string> _made = [];

    private readonly List<KeystoneSession> _sessions = [];

    private NovaCompute Compute(OpenStackSettings? cloud = null, bool volumes = true)
    {
        var session = new KeystoneSession(cloud ?? sandbox.Demo);
        _sessions.Add(session);
        return new NovaCompute(session, Settings with { Volumes = volumes }, UserData, NullLogger<NovaCompute>.Instance);
    }

    private static readonly NovaComputeSettings Settings = new()
    {
        DefaultImage = "fake-image",
        Volumes = true,
        PollInterval = TimeSpan.FromMilliseconds(200),
        BuildTimeout = TimeSpan.FromMinutes(2),
    };

    private static string UserData(ServerSpec spec) => $"#cloud-config\n# instance {spec.InstanceId}\n";

    private ServerSpec NewSpec(string flavorId = "1")
    {
        var spec = new ServerSpec(Guid.NewGuid().ToString(), "postgresql", "15", 512, 1) { FlavorId = flavorId };
        _made.Add(spec.InstanceId);
        return spec;
    }

    [Fact]
    public async Task A_server_is_made_rebooted_resized_its_volume_grown_and_deleted_with_its_volume()
    {
        var compute = Compute();
        var spec = NewSpec();
        var name = NovaCompute.NameOf(spec.InstanceId);

        var steps = new Steps();
        var server = await compute.CreateServerAsync(spec, steps, CancellationToken.None);

        Assert.Equal(new Server(server.Id, ServerStatus.Active, "", 5432), server); // the sandbox has no networks
        var nova = await _admin.ServerAsync(server.Id, "compute 2.3");
        Assert.Equal(name, (string?)nova["name"]);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(UserData(spec))), (string?)nova["OS-EXT-SRV-ATTR:user_data"]);
        var volume = Assert.Single(await _admin.VolumesNamedAsync(name));
        Assert.Equal(("in-use", 1), ((string?)volume["status"], (int)volume["size"]!));
        Assert.Equal(server.Id, (string?)volume["attachments"]![0]!["server_id"]);
        Assert.Equal([new ServerStep.ServerAccepted(server.Id), new ServerStep.VolumeMade((string)volume["id"]!)], steps.Made);
        Assert.Contains(await compute.ListServersAsync(CancellationToken.None), s => s.InstanceId == spec.InstanceId && s.Server.Id == server.Id);

        await compute.RebootServerAsync(server.Id, CancellationToken.None);
        Assert.Equal(ServerStatus.Active, (await compute.GetServerAsync(server.Id, CancellationToken.None))!.Status);

        await compute.ResizeServerAsync(server.Id, "2", CancellationToken.None);
        nova = await _admin.ServerAsync(server.Id);
        Assert.Equal(("ACTIVE", "2"), ((string?)nova["status"], (string?)nova["flavor"]!["id"]));

        await compute.ResizeVolumeAsync(server.Id, 2, CancellationToken.None);
        volume = Assert.Single(await _admin.VolumesNamedAsync(name));
        Assert.Equal(("in-use", 2), ((string?)volume["status"], (int)volume["size"]!));

        await compute.DeleteServerAsync(server.Id, CancellationToken.None);
        Assert.Null(await compute.GetServerAsync(server.Id, CancellationToken.None));
        Assert.Empty(await _admin.ServersNamedAsync(name));
        Assert.Empty(await _admin.VolumesNamedAsync(name));
        await compute.DeleteServerAsync(server.Id, CancellationToken.None); // a missing server: nothing to do
    }

    [Fact]
    public async Task A_create_interrupted_after_Nova_accepted_the_server_resumes_the_same_server()
    {
        var compute = Compute();
        var spec = NewSpec();
        var name = NovaCompute.NameOf(spec.InstanceId);
        var steps = new Steps();
        using (var crash = new CancellationTokenSource())
        {
            var interrupted = compute.CreateServerAsync(spec, steps, crash.Token);
            while ((await _admin.ServersNamedAsync(name)).Count == 0 && !interrupted.IsCompleted)
                await Task.Delay(50);
            crash.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interrupted);
        }
        var accepted = Assert.IsType<ServerStep.ServerAccepted>(Assert.Single(steps.Made)).ServerId;

        var server = await compute.CreateServerAsync(spec, null, CancellationToken.None);
        var again = await compute.CreateServerAsync(spec, null, CancellationToken.None);

        Assert.Equal(server, again);
        Assert.Equal(accepted, server.Id);
        Assert.Equal(server.Id, (string?)Assert.Single(await _admin.ServersNamedAsync(name))["id"]);
        Assert.Single(await _admin.VolumesNamedAsync(name));

        // The journaled ids come first: a server an operator renamed meanwhile is still the instance's.
        await _admin.CallAsync("compute", HttpMethod.Put, $"servers/{server.Id}", new JsonObject { ["server"] = new JsonObject { ["name"] = "renamed" } });
        var volumeId = (string)Assert.Single(await _admin.VolumesNamedAsync(name))["id"]!;
        var known = await compute.CreateServerAsync(spec with { KnownServerId = server.Id, KnownVolumeId = volumeId }, steps, CancellationToken.None);
        Assert.Equal(server.Id, known.Id);
        Assert.Empty(await _admin.ServersNamedAsync(name));
        Assert.Single(steps.Made); // nothing new to journal
        await compute.DeleteServerAsync(server.Id, CancellationToken.None);
    }

    /// <summary>What a create reported, in order (reported synchronously, as the driver does).</summary>
    private sealed class Steps : IProgress<ServerStep>
    {
        public List<ServerStep> Made { get; } = [];

        public void Report(ServerStep step)
        {
            lock (Made)
                Made.Add(step);
        }
    }

    [Fact]
    public async Task A_server_Nova_cannot_place_fails_with_Novas_fault_message_and_is_not_retried()
    {
        // more disk than the fake host has (and no quota on disk): the scheduler finds no host, the server goes to ERROR
        var flavor = await _admin.CreateFlavorAsync($"trove-test-huge-{Guid.NewGuid():N}", ramMb: 512, diskGb: 1_000_000);
        try
        {
            var compute = Compute();
            var spec = NewSpec(flavor);

            var fault = await Assert.ThrowsAsync<CloudFault>(() => compute.CreateServerAsync(spec, null, CancellationToken.None));

            Assert.True(fault.Message.Contains("No valid host was found"), fault.Message);
            Assert.False(ComputeFailures.IsTransient(fault));
        }
        finally
        {
            await _admin.DeleteFlavorAsync(flavor); // Nova keeps a copy of the flavor with each server
        }
    }

    [Fact]
    public async Task A_project_out_of_instance_quota_fails_with_Novas_quota_message_and_is_not_retried()
    {
        var project = await _admin.CreateProjectWithDemoAsync($"trove-test-quota-{Guid.NewGuid():N}");
        try
        {
            await _admin.SetComputeQuotaAsync(project, "instances", 0);
            var compute = Compute(sandbox.Demo with { ProjectName = (string)(await _admin.CallAsync("identity", HttpMethod.Get, $"projects/{project}"))!["project"]!["name"]! });
            var spec = NewSpec();

            var fault = await Assert.ThrowsAsync<CloudFault>(() => compute.CreateServerAsync(spec, null, CancellationToken.None));

            Assert.Equal(403, fault.StatusCode);
            Assert.Contains("Quota exceeded for instances", fault.Message);
            Assert.False(ComputeFailures.IsTransient(fault));
            Assert.Empty(await _admin.ServersNamedAsync(NovaCompute.NameOf(spec.InstanceId)));
        }
        finally
        {
            await _admin.DeleteProjectAsync(project);
        }
    }

    [Fact]
    public async Task Nova_stopped_for_10_s_during_a_create_is_waited_for()
    {
        // Nova is down for the 10 s and then as long as nova-api takes to start again: 5-30 s on a machine as busy as the
        // suite's. The retries outlast ~90 s of it here (~35 s by default).
        var compute = Compute(sandbox.Demo with { Retries = 20 }, volumes: false);
        var spec = NewSpec();
        await compute.FlavorsAsync(CancellationToken.None); // authenticated before Nova goes away
        await OpenStackSandbox.RunAsync("stop-nova-api", TimeSpan.FromSeconds(30));
        Task<Server> create;
        try
        {
            create = compute.CreateServerAsync(spec, null, CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(10));
            Assert.False(create.IsCompleted, create.Exception?.GetBaseException().Message);
        }
        finally
        {
            await OpenStackSandbox.RunAsync("start-nova-api", TimeSpan.FromSeconds(60));
        }

        var server = await create.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ServerStatus.Active, server.Status);
        Assert.Single(await _admin.ServersNamedAsync(NovaCompute.NameOf(spec.InstanceId)));
    }

    [Fact]
    public async Task A_server_stopped_behind_Troves_back_shows_shut_down_and_is_recovered_by_a_hard_reboot()
    {
        var compute = Compute();
        var spec = NewSpec();
        var server = await compute.CreateServerAsync(spec, null, CancellationToken.None);
        await _admin.CallAsync("compute", HttpMethod.Post, $"servers/{server.Id}/action", new System.Text.Json.Nodes.JsonObject { ["os-stop"] = null });
        while ((await compute.GetServerAsync(server.Id, CancellationToken.None))!.Status != ServerStatus.Shutdown)
            await Task.Delay(100);

        Assert.Contains(await compute.ListServersAsync(CancellationToken.None),
            s => s.InstanceId == spec.InstanceId && s.Server.Status == ServerStatus.Shutdown && !s.MadeByOlderRelease);
        await compute.RecoverServerAsync(server.Id, CancellationToken.None);

        Assert.Equal(ServerStatus.Active, (await compute.GetServerAsync(server.Id, CancellationToken.None))!.Status);
        Assert.Equal("ACTIVE", (string?)(await _admin.ServerAsync(server.Id))["status"]);
    }

    [Fact]
    public async Task Novas_flavors_are_listed()
    {
        var compute = Compute();

        var flavors = await compute.FlavorsAsync(CancellationToken.None);

        Assert.Contains(new Flavor("1", "m1.tiny", 512, 1, 1), flavors);
        Assert.Contains(new Flavor("2", "m1.small", 2048, 1, 20), flavors);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Whatever a test left (a failed assertion, a server in ERROR) is deleted, server and volume.</summary>
    public async Task DisposeAsync()
    {
        var compute = Compute();
        foreach (var instanceId in _made)
        {
            var name = NovaCompute.NameOf(instanceId);
            foreach (var server in await _admin.ServersNamedAsync(name))
                await compute.DeleteServerAsync((string)server["id"]!, CancellationToken.None);
            foreach (var volume in await _admin.VolumesNamedAsync(name))
                await _admin.CallAsync("volumev3", HttpMethod.Delete, $"volumes/{(string)volume["id"]!}");
        }
        _made.Clear();
        foreach (var session in _sessions)
            session.Dispose();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Trove.Actors.Backups;
using Trove.Actors.Compute.OpenStack;
using Trove.Contracts.Guests;
using Trove.Tests.GuestImages;
using Trove.Tests.OpenStack;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>
/// A node with the Nova driver (<c>Trove:Compute:Driver = nova</c>) and backups in Swift, against the sandbox's real
/// Keystone, Nova, Cinder and Swift, from <c>POST /instances</c> on. The sandbox's fake hypervisor runs nothing, so the
/// test plays each VM: it reads the server's user data back from Nova and starts the published guest binary with it as
/// a config drive, on an address of this machine of its own (the VM's NIC) and a directory of its own (the VM's disk).
/// </summary>
[Collection(PublishedGuest.Collection)]
public sealed class NovaEndToEndTests(PublishedGuest image, SwiftSandbox swift) : IClassFixture<SwiftSandbox>
{
    private const string Tenant = "demo";
    private readonly CloudAdmin _cloud = new(new KeystoneSession(OpenStackSandbox.Settings("admin", "admin")));

    private static Dictionary<string, string> NodeSettings() => new(SwiftSandbox.NodeSettings)
    {
        ["Trove__Compute__Driver"] = "nova",
        ["Trove__Compute__Nova__DefaultImage"] = "fake-image",
        ["Trove__Compute__Nova__Volumes"] = "true",
        // Each server and volume is journaled as soon as the cloud has it, so the deletes remove them all, even a failed
        // build's; the reconciler, which would remove a server no instance knows, is given an hour here.
        ["Trove__Reconcile__OrphanGrace"] = "01:00:00",
        ["Trove__Compute__Nova__FlavorRefresh"] = "00:00:02",
    };

    private static object CreateBody(string name, string flavor = "1") => new
    {
        instance = new
        {
            name, flavorRef = flavor, volume = new { size = 1 }, datastore = new { type = "postgresql", version = "15" },
            databases = new[] { new { name = "appdb" } },
            users = new[] { new { name = "app", password = EngineClient.AppPassword, databases = new[] { new { name = "appdb" } } } },
        },
    };

    [Fact]
    public async Task A_refused_server_fails_with_the_clouds_message_and_an_instance_on_Nova_survives_a_crash_mid_build_goes_active_backs_up_to_Swift_restores_resizes_reboots_and_leaves_nothing()
    {
        _ = swift; // started: the node's backups go to its Swift
        // A flavor no host of the cloud can give (its disk): made before the node starts, which serves Nova's flavors.
        var noHost = await _cloud.CreateFlavorAsync($"trove-e2e-nohost-{Guid.NewGuid():N}", ramMb: 512, diskGb: 1_000_000);
        var dataDir = TroveNode.NewDataDir();
        var node = await TroveNode.StartAsync(dataDir, NodeSettings());
        var vms = new List<Vm>();
        try
        {
            // Trove serves Nova's flavors, not its own defaults.
            var flavors = (await node.Http.GetFromJsonAsync<JsonObject>($"v1.0/{Tenant}/flavors"))!["flavors"]!.AsArray();
            Assert.Contains(flavors, f => (string?)f!["id"] == "1" && (string?)f["name"] == "m1.tiny" && (int?)f["ram"] == 512);
            Assert.DoesNotContain(flavors, f => (string?)f!["id"] == "small");
            // A flavor the operator adds to Nova later is served without a restart, and no longer once removed.
            var later = await _cloud.CreateFlavorAsync($"trove-e2e-later-{Guid.NewGuid():N}", ramMb: 768, diskGb: 1);
            await UntilAsync(async () => await node.Http.GetAsync($"v1.0/{Tenant}/flavors/{later}") is { StatusCode: HttpStatusCode.OK }, "the new flavor served");
            await _cloud.DeleteFlavorAsync(later);
            await UntilAsync(async () => await node.Http.GetAsync($"v1.0/{Tenant}/flavors/{later}") is { StatusCode: HttpStatusCode.NotFound }, "the removed flavor gone");

            // A server the cloud puts in ERROR fails the build with the cloud's own message.
            var refused = (string)(await node.CreateInstanceAsync(Tenant, CreateBody("no-host", noHost)))["id"]!;
            var failed = await node.WaitForStatusAsync(Tenant, refused, "ERROR", TimeSpan.FromMinutes(2));
            var fault = (string?)failed["fault"]?["message"];
            Assert.True(fault?.Contains("No valid host was found") == true, $"the fault: {fault}");
            var refusedServer = (string)Assert.Single(await _cloud.ServersNamedAsync(NovaCompute.NameOf(refused)))["id"]!;
            var mgmt = (await node.Client("admin").GetFromJsonAsync<JsonObject>($"v1.0/admin/mgmt/instances/{refused}"))!["instance"]!;
            Assert.Equal(refusedServer, (string?)mgmt["server_id"]);
            Assert.Equal(HttpStatusCode.Accepted, (await node.Http.DeleteAsync($"v1.0/{Tenant}/instances/{refused}")).StatusCode);
            await UntilAsync(async () => (await _cloud.ServersNamedAsync(NovaCompute.NameOf(refused))).Count == 0, "the failed build's server deleted");

            var id = (string)(await node.CreateInstanceAsync(Tenant, CreateBody("on-nova")))["id"]!;
            var server = await ActiveServerAsync(id);

            // The node dies after Nova accepted the server, before the instance is ACTIVE; the restarted node resumes the build
            // with the same server.
            await node.KillAsync(); // not disposed: that would remove its data directory
            node = await TroveNode.StartAsync(dataDir, NodeSettings());
            Assert.Equal("BUILD", (string?)(await node.ShowAsync(Tenant, id))!["status"]);
            vms.Add(await BootAsync(server));
            var active = await node.WaitForStatusAsync(Tenant, id, "ACTIVE", TimeSpan.FromMinutes(3));
            Assert.Equal([(string)server["id"]!], (await _cloud.ServersNamedAsync(NovaCompute.NameOf(id))).Select(s => (string)s["id"]!));
            Assert.Equal("in-use", (string?)(await _cloud.VolumesNamedAsync(NovaCompute.NameOf(id))).Single()["status"]);
            Assert.Null(active["addresses"]); // the sandbox's servers are on no network: Nova shows them no address
            var vm = vms[^1].Reachable(active);
            await EngineClient.ScalarAsync(vm, "CREATE TABLE kept (n int); INSERT INTO kept SELECT generate_series(1, 500); SELECT 1");

            // A backup into Swift, restored into a second Nova server.
            var backupId = (string)(await node.CreateBackupAsync(Tenant, id, "nova-to-swift"))["id"]!;
            var backup = await node.WaitForBackupAsync(Tenant, backupId, "COMPLETED");
            var objectStore = await swift.Session.EndpointAsync(SwiftBackupStorage.ServiceType, CancellationToken.None);
            Assert.StartsWith(objectStore.AbsoluteUri, (string)backup["locationRef"]!);
            // The backup's end switched the WAL segment: the engine archives it into Swift through its instance's grant.
            await UntilAsync(async () => Convert.ToInt64(await EngineClient.ScalarAsync(vm, "SELECT archived_count FROM pg_stat_archiver")) > 0,
                "the engine to archive a WAL segment into Swift");
            await node.WaitForStatusAsync(Tenant, id, "ACTIVE", TimeSpan.FromSeconds(30));
            var restoredId = (string)(await node.CreateInstanceAsync(Tenant, RestoreBody("from-swift", backupId)))["id"]!;
            vms.Add(await BootAsync(await ActiveServerAsync(restoredId)));
            var restored = vms[^1].Reachable(await node.WaitForStatusAsync(Tenant, restoredId, "ACTIVE", TimeSpan.FromMinutes(3)));
            Assert.Equal(500L, Convert.ToInt64(await EngineClient.ScalarAsync(restored, "SELECT count(*) FROM kept")));

            // Resize: Nova's flavor (resized and confirmed), then Cinder's volume (extended), then the operator's reboot.
            await ActionAsync(node, id, new { resize = new { flavorRef = "2" } });
            await node.WaitForStatusAsync(Tenant, id, "ACTIVE", TimeSpan.FromMinutes(2));
            Assert.Equal("2", (string?)(await _cloud.ServerAsync((string)server["id"]!))["flavor"]!["id"]);
            await ActionAsync(node, id, new { resize = new { volume = new { size = 2 } } });
            await node.WaitForStatusAsync(Tenant, id, "ACTIVE", TimeSpan.FromMinutes(2));
            Assert.Equal(2, (int?)(await _cloud.VolumesNamedAsync(NovaCompute.NameOf(id))).Single()["size"]);
            var reboot = await node.Client("admin").PostAsJsonAsync($"v1.0/admin/mgmt/instances/{id}/action", new { reboot = new { } });
            Assert.Equal(HttpStatusCode.Accepted, reboot.StatusCode);
            await node.WaitForStatusAsync(Tenant, id, "ACTIVE", TimeSpan.FromMinutes(2));
            Assert.Equal(500L, Convert.ToInt64(await EngineClient.ScalarAsync(vm, "SELECT count(*) FROM kept")));

            // Deleted instances leave no server and no volume.
            foreach (var instance in new[] { id, restoredId })
                Assert.Equal(HttpStatusCode.Accepted, (await node.Http.DeleteAsync($"v1.0/{Tenant}/instances/{instance}")).StatusCode);
            foreach (var instance in new[] { id, restoredId, refused })
                await UntilAsync(async () =>
                    (await _cloud.ServersNamedAsync(NovaCompute.NameOf(instance))).Count == 0
                    && (await _cloud.VolumesNamedAsync(NovaCompute.NameOf(instance))).Count == 0, $"no server or volume of {instance} left");
        }
        finally
        {
            foreach (var vm in vms)
                await vm.Guest.DisposeAsync();
            await node.DisposeAsync();
            await _cloud.DeleteFlavorAsync(noHost);
        }
    }

    private static object RestoreBody(string name, string backupId) => new
    {
        instance = new { name, flavorRef = "1", volume = new { size = 1 }, datastore = new { type = "postgresql" }, restorePoint = new { backupRef = backupId } },
    };

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"waited 2 minutes for {what}");
            await Task.Delay(500);
        }
    }

    private static async Task ActionAsync(TroveNode node, string id, object action)
    {
        var response = await node.Http.PostAsJsonAsync($"v1.0/{Tenant}/instances/{id}/action", action);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The instance's one Nova server, once Nova has made it ACTIVE.</summary>
    private async Task<JsonNode> ActiveServerAsync(string instanceId)
    {
        JsonNode? server = null;
        await UntilAsync(async () =>
        {
            server = (await _cloud.ServersNamedAsync(NovaCompute.NameOf(instanceId))).SingleOrDefault();
            return (string?)server?["status"] == "ACTIVE";
        }, $"Nova's server of {instanceId}");
        return server!;
    }

    /// <summary>Boots the server as its VM would: the user data Nova keeps for it, on a config drive, read by the published
    /// guest; the VM's NIC is an address of this machine of its own, its disk a directory of its own.</summary>
    private async Task<Vm> BootAsync(JsonNode server)
    {
        var stored = (string)(await _cloud.ServerAsync((string)server["id"]!, "compute 2.3"))["OS-EXT-SRV-ATTR:user_data"]!;
        var vm = Directory.CreateTempSubdirectory("nova-vm-").FullName;
        File.SetUnixFileMode(vm, (UnixFileMode)0b111_101_101); // the engine's user reaches its data under it, as on a VM's disk
        var info = GuestUserData.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(stored)));
        Assert.Equal((GuestImage.ServerDirectory, GuestImage.EveryAddress), (info.Directory, info.Address));
        var nic = $"127.44.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}";
        return new Vm(image.StartFromConfigDrive(vm, GuestUserData.Render(info with { Directory = Path.Combine(vm, "disk"), Address = nic })), nic);
    }

    private sealed record Vm(RunningGuest Guest, string Address)
    {
        /// <summary>The instance's view with the VM's address: the sandbox's servers have no network, so Nova shows none.</summary>
        public JsonObject Reachable(JsonObject instance)
        {
            var copy = instance.DeepClone().AsObject();
            copy["addresses"] = new JsonArray(new JsonObject { ["address"] = Address, ["port"] = 5432 });
            return copy;
        }
    }
}

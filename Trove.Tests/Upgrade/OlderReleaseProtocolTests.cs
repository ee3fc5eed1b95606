using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Trove.Actors.Backups;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Contracts.Guests;
using Trove.Tests.Support;
using Trove.Web.Compatibility;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.Upgrade;

/// <summary>
/// While a node of release d88d1e5 is in the cluster, the API sends only what that release reads (every manifest
/// checked against its serializer's list, kept with the upgrade fixture) and carries out the workflows that release's API
/// carried out itself: quota before a create or a resize, a backup's instance marked before its entity is created.
/// The entities are probes: what is checked is what reaches them, in which order, and what the API makes of their answers.
/// </summary>
public sealed class OlderReleaseProtocolTests : TestKit
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> D88d1e5Manifests =
        File.ReadAllLines(Path.Combine(UpgradeFixture.Dir, "wire-manifests.txt")).ToHashSet();

    private readonly TestProbe _instances;
    private readonly TestProbe _tenants;
    private readonly TestProbe _backups;
    private readonly OlderReleaseProtocol _protocol;
    private readonly List<object> _sent = [];

    public OlderReleaseProtocolTests()
    {
        _instances = CreateTestProbe();
        _tenants = CreateTestProbe();
        _backups = CreateTestProbe();
        _protocol = new OlderReleaseProtocol(_instances, _tenants, _backups, new Groups(), TimeSpan.FromSeconds(10));
    }

    private sealed class Groups : IConfigurationGroups
    {
        public Task<ConfigurationGroup?> FindAsync(string tenantId, string configurationId, CancellationToken ct = default) =>
            Task.FromResult(configurationId == "tuned"
                ? new ConfigurationGroup("tuned", "postgresql", "15", new Dictionary<string, string> { ["work_mem"] = "8MB" }, false, 42)
                : null);
    }

    /// <summary>The state the entity answers with, as that release's entity does.</summary>
    private void AnswerState(InstanceState state)
    {
        Expect<Get>(_instances);
        _instances.Reply(new InstanceReplies.Found(state));
    }

    private T Expect<T>(TestProbe probe)
    {
        var message = probe.ExpectMsg<T>();
        _sent.Add(message!);
        return message;
    }

    /// <summary>Every message sent has a manifest that release knows.</summary>
    private void AssertOlderReleaseReadsAllSent()
    {
        Assert.NotEmpty(_sent);
        foreach (var message in _sent)
        {
            Assert.True(TroveNodeExtensions.Manifests.TryGetManifest(message.GetType(), out var manifest), message.GetType().Name);
            Assert.True(D88d1e5Manifests.Contains(manifest), $"{message.GetType().Name} goes as '{manifest}', which d88d1e5 cannot read");
        }
    }

    [Fact]
    public async Task A_guest_operation_goes_as_its_guest_calls_in_order_and_its_reply_is_made_of_the_last_answer()
    {
        var update = _protocol.AskAsync(new UpdateUsers("i1", "demo", [
            new UpdateAttributesArgs("app", "%", new UserChanges("app2", null, null)),
            new UpdateAttributesArgs("app2", "%", new UserChanges(null, "secret", null))]));
        AnswerState(Active("i1"));
        foreach (var expected in new[] { "app", "app2" })
        {
            var call = Expect<CallGuest>(_instances);
            Assert.Equal((GuestMethods.UpdateAttributes, "i1", "demo"), (call.Message.Method, call.InstanceId, call.TenantId));
            Assert.Equal(expected, call.Message.Args["username"]!.GetValue<string>());
            _instances.Reply(new InstanceReplies.GuestResult(null));
        }
        Assert.IsType<InstanceReplies.GuestDone>(await update);

        var list = _protocol.AskAsync(new ListDatabases("i1", "demo"));
        AnswerState(Active("i1"));
        Assert.Equal(GuestMethods.ListDatabases, Expect<CallGuest>(_instances).Message.Method);
        _instances.Reply(new InstanceReplies.GuestResult(JsonNode.Parse("""[{"name":"orders"},{"name":"reports"}]""")));
        Assert.Equal(["orders", "reports"], Assert.IsType<InstanceReplies.DatabasesListed>(await list).Databases.Select(d => d.Name));
        AssertOlderReleaseReadsAllSent();
    }

    [Fact]
    public async Task A_refusal_of_one_call_is_the_answer_and_the_calls_after_it_are_not_made()
    {
        var update = _protocol.AskAsync(new UpdateUsers("i1", "demo", [
            new UpdateAttributesArgs("app", "%", new UserChanges("app2", null, null)),
            new UpdateAttributesArgs("app2", "%", new UserChanges(null, "secret", null))]));
        AnswerState(Active("i1"));
        Expect<CallGuest>(_instances);
        _instances.Reply(new InstanceReplies.GuestFailed(RpcFailureKinds.NotFound, "no user app"));
        Assert.Equal("no user app", Assert.IsType<InstanceReplies.GuestFailed>(await update).Message);
        _instances.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_name_the_datastore_refuses_is_answered_400_and_reaches_no_guest()
    {
        var create = _protocol.AskAsync(new CreateDatabases("i1", "demo", [new DatabaseSpec("postgres")]));
        AnswerState(Active("i1"));
        Assert.IsType<InstanceReplies.Invalid>(await create);
        _instances.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_configuration_group_is_attached_with_its_overrides_and_a_wrong_one_changes_nothing()
    {
        var attach = _protocol.AskAsync(new SetConfiguration("i1", "demo", "tuned"));
        AnswerState(Active("i1"));
        var attached = Expect<AttachConfiguration>(_instances);
        Assert.Equal(("tuned", "8MB", 42L), (attached.ConfigurationId, attached.Overrides["work_mem"], attached.Revision!.Value));
        _instances.Reply(new InstanceReplies.Accepted(Active("i1")));
        Assert.IsType<InstanceReplies.Accepted>(await attach);

        var missing = _protocol.AskAsync(new SetConfiguration("i1", "demo", "nope"));
        AnswerState(Active("i1"));
        Assert.IsType<InstanceReplies.ConfigurationNotFound>(await missing);
        _instances.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var detach = _protocol.AskAsync(new SetConfiguration("i1", "demo", null));
        AnswerState(Active("i1") with { ConfigurationId = "tuned" });
        Assert.False(Expect<DetachConfiguration>(_instances).RestartRequired);
        _instances.Reply(new InstanceReplies.Accepted(Active("i1")));
        Assert.IsType<InstanceReplies.Accepted>(await detach);
        AssertOlderReleaseReadsAllSent();
    }

    [Fact]
    public async Task A_create_takes_the_quota_first_and_gives_it_back_when_the_instance_is_not_created()
    {
        var create = new Create("i1", Requests.Postgres());
        var exceeded = _protocol.AskAsync(create);
        var reserve = Expect<TenantCommands.ReserveInstance>(_tenants);
        Assert.Equal(("i1", create.Request.VolumeSize, create.Request.RamMb), (reserve.InstanceId, reserve.VolumeGb, reserve.RamMb));
        _tenants.Reply(new TenantReplies.QuotaExceeded(["instances"]));
        Assert.Contains("instances", Assert.IsType<InstanceReplies.QuotaExceeded>(await exceeded).Message);
        _instances.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var refused = _protocol.AskAsync(create);
        Expect<TenantCommands.ReserveInstance>(_tenants);
        _tenants.Reply(TenantReplies.Reserved.Instance);
        Expect<Create>(_instances);
        _instances.Reply(new InstanceReplies.Refused("no such flavor"));
        Assert.Equal("i1", Expect<TenantCommands.ReleaseInstance>(_tenants).InstanceId);
        _tenants.Reply(TenantReplies.Released.Instance);
        Assert.IsType<InstanceReplies.Refused>(await refused);
        AssertOlderReleaseReadsAllSent();
    }

    [Fact]
    public async Task A_resize_names_every_value_as_that_release_did_and_takes_the_quota_first()
    {
        var resize = _protocol.AskAsync(Resize.Grow("i1", "demo", 5));
        Expect<Get>(_instances);
        _instances.Reply(new InstanceReplies.Found(Active("i1")));
        var quota = Expect<TenantCommands.ResizeInstance>(_tenants);
        Assert.Equal((5, 512), (quota.VolumeGb, quota.RamMb));
        _tenants.Reply(TenantReplies.Reserved.Instance);
        var whole = Expect<Resize>(_instances);
        Assert.Equal((5, "small", 512), (whole.VolumeSize, whole.FlavorId, whole.RamMb));
        _instances.Reply(new InstanceReplies.Accepted(Active("i1")));
        Assert.IsType<InstanceReplies.Accepted>(await resize);
        AssertOlderReleaseReadsAllSent();
    }

    [Fact]
    public async Task A_backup_marks_its_instance_before_its_entity_is_created_and_unmarks_it_when_that_fails()
    {
        var take = new BackupCommands.Take("b1", "demo", "i1", "nightly", null, null);
        var taken = _protocol.TakeAsync(take);
        Expect<Get>(_instances);
        _instances.Reply(new InstanceReplies.Found(Active("i1")));
        Assert.Equal("b1", Expect<StartBackup>(_instances).BackupId);
        _instances.Reply(new InstanceReplies.Accepted(Active("i1")));
        var create = Expect<BackupCommands.Create>(_backups);
        Assert.Equal(("i1", "postgresql"), (create.Request.InstanceId, create.Request.Datastore));
        _backups.Reply(new BackupReplies.Refused("Backup b1 already exists."));
        Assert.Equal("b1", Expect<EndBackup>(_instances).BackupId);
        _instances.Reply(InstanceReplies.BackupEndAck.Instance);
        Assert.IsType<BackupReplies.Refused>(await taken);
        AssertOlderReleaseReadsAllSent();
    }

    [Fact]
    public async Task A_restore_walks_its_backup_chain_one_backup_at_a_time()
    {
        var chain = _protocol.ChainAsync(new BackupCommands.GetChain("incr", "demo"));
        Assert.Equal("incr", Expect<BackupCommands.Get>(_backups).BackupId);
        _backups.Reply(new BackupReplies.Found(Completed("incr", parentId: "full")));
        Assert.Equal("full", Expect<BackupCommands.Get>(_backups).BackupId);
        _backups.Reply(new BackupReplies.Found(Completed("full", parentId: null)));
        var info = Assert.IsType<BackupReplies.Chain>(await chain).Info;
        Assert.Equal(("incr", "full"), (info.Id, info.Parent!.Id));
        AssertOlderReleaseReadsAllSent();
    }

    [Fact]
    public async Task A_restore_walks_the_chain_before_the_quota_and_sends_it_in_the_create_as_that_release_did()
    {
        var restore = Requests.Postgres() with { Datastore = "mariadb", DatastoreVersion = "10.11", RestoreBackupId = "incr" };
        var created = _protocol.AskAsync(new Create("i2", restore));
        Assert.Equal("incr", Expect<BackupCommands.Get>(_backups).BackupId);
        _backups.Reply(new BackupReplies.Found(Completed("incr", parentId: "full")));
        Assert.Equal("full", Expect<BackupCommands.Get>(_backups).BackupId);
        _backups.Reply(new BackupReplies.Found(Completed("full", parentId: null)));
        Expect<TenantCommands.ReserveInstance>(_tenants);
        _tenants.Reply(TenantReplies.Reserved.Instance);
        var sent = Expect<Create>(_instances);
        Assert.Equal(["/b/full", "/b/incr"], sent.Request.RestoreLocations());
        _instances.Reply(new InstanceReplies.Accepted(Active("i2")));
        Assert.IsType<InstanceReplies.Accepted>(await created);
        AssertOlderReleaseReadsAllSent();

        // refused as the API of this release refuses: nothing reserved, nothing created
        var missing = _protocol.AskAsync(new Create("i3", restore with { RestoreBackupId = "gone" }));
        Expect<BackupCommands.Get>(_backups);
        _backups.Reply(new BackupReplies.NotFound("gone"));
        Assert.Equal("gone", Assert.IsType<InstanceReplies.BackupNotFound>(await missing).BackupId);
        var otherDatastore = _protocol.AskAsync(new Create("i4", restore with { Datastore = "postgresql", RestoreBackupId = "full" }));
        Expect<BackupCommands.Get>(_backups);
        _backups.Reply(new BackupReplies.Found(Completed("full", parentId: null)));
        Assert.Equal("Backup full is of mariadb; it cannot be restored into postgresql.",
            Assert.IsType<InstanceReplies.Invalid>(await otherDatastore).Message);
        _tenants.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        _instances.ExpectNoMsg(TimeSpan.FromMilliseconds(0));
    }

    private static InstanceState Active(string id) =>
        InstanceState.Apply(InstanceState.Apply(null, new InstanceEvents.Created(id, "demo", "pg1", "small", 512, 1, "postgresql", "15", [], [], T0)),
            new InstanceEvents.ServerCreated(id, "127.0.0.1", 1, T0)) with { Task = InstanceTask.None, ServiceStatus = ServiceStatusNames.Healthy };

    private static BackupState Completed(string id, string? parentId)
    {
        var state = BackupState.Apply(null, new BackupEvents.Created(id, new BackupRequest("demo", "i1", id, null, parentId, "mariadb", "10.11"), T0))!;
        return BackupState.Apply(state, new BackupEvents.Progressed(BackupStatus.Completed, 1, "c", $"/b/{id}", T0, T0))!;
    }
}

using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.Instances;

/// <summary>The instance entity checks the names a command carries against its own datastore's profile: a name the
/// datastore does not take (reserved, too long, bad characters) is answered with a 400 and reaches neither the guest
/// nor the journal nor the tenant's quota.</summary>
public sealed class InstanceNamesSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();
    private readonly TestProbe _tenants;

    public InstanceNamesSpec() : base(EntitySpecConfig.InMemory)
    {
        _tenants = CreateTestProbe();
        _tenants.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is TenantCommands.ReserveInstance)
                sender.Tell(TenantReplies.Reserved.Instance);
            return AutoPilot.KeepRunning;
        }));
    }

    /// <summary>Datastore, a command (made for an instance id) with a name that datastore refuses, and what the 400 says.</summary>
    public static TheoryData<string, string, string> Refused => new()
    {
        // PostgreSQL: 63 characters at most, letters, digits, '_' and '-'; its own databases and roles
        { "postgresql", "create-database:template1", "Database name 'template1' is reserved." },
        { "postgresql", "create-database:postgres", "Database name 'postgres' is reserved." },
        { "postgresql", "create-database:" + new string('d', 64), "use 1 to 63" },
        { "postgresql", "create-database:a$b", "'a$b' is not a valid database name" },
        { "postgresql", "create-database:bad name;", "'bad name;' is not a valid database name" },
        { "postgresql", "delete-database:template0", "Database name 'template0' is reserved." },
        { "postgresql", "create-user:postgres", "User name 'postgres' is reserved." },
        { "postgresql", "create-user:pg_monitor", "User name 'pg_monitor' is reserved." },
        { "postgresql", "create-user:" + new string('u', 64), "use 1 to 63" },
        { "postgresql", "create-user:1bob", "'1bob' is not a valid user name" },
        { "postgresql", "rename-user:os_admin", "User name 'os_admin' is reserved." },
        { "postgresql", "rename-user:bob;drop", "'bob;drop' is not a valid user name" },
        { "postgresql", "update-user:postgres", "User name 'postgres' is reserved." },
        { "postgresql", "delete-user:pg_read_all_data", "User name 'pg_read_all_data' is reserved." },
        { "postgresql", "grant-user:postgres", "User name 'postgres' is reserved." },
        { "postgresql", "grant-database:template1", "Database name 'template1' is reserved." },
        { "postgresql", "revoke-user:postgres", "User name 'postgres' is reserved." },
        // MariaDB: 64 for databases, 80 for users, '$' allowed; its own schemas and accounts, the guest's trove-...
        { "mariadb", "create-database:information_schema", "Database name 'information_schema' is reserved." },
        { "mariadb", "create-database:mysql", "Database name 'mysql' is reserved." },
        { "mariadb", "create-database:" + new string('d', 65), "use 1 to 64" },
        { "mariadb", "create-database:bad name;", "'bad name;' is not a valid database name" },
        { "mariadb", "create-database:1abc", "'1abc' is not a valid database name" },
        { "mariadb", "delete-database:performance_schema", "Database name 'performance_schema' is reserved." },
        { "mariadb", "create-user:root", "User name 'root' is reserved." },
        { "mariadb", "create-user:Root", "User name 'Root' is reserved." },
        { "mariadb", "create-user:mariadb.sys", "User name 'mariadb.sys' is reserved." },
        { "mariadb", "create-user:trove-guest", "User name 'trove-guest' is reserved." },
        { "mariadb", "create-user:" + new string('u', 81), "use 1 to 80" },
        { "mariadb", "create-user:bob@x", "'bob@x' is not a valid user name" },
        { "mariadb", "rename-user:root", "User name 'root' is reserved." },
        { "mariadb", "update-user:root", "User name 'root' is reserved." },
        { "mariadb", "delete-user:mysql", "User name 'mysql' is reserved." },
        { "mariadb", "grant-database:sys", "Database name 'sys' is reserved." },
        { "mariadb", "revoke-user:root", "User name 'root' is reserved." },
    };

    private static IGuestCommand CommandOf(string id, string what)
    {
        var (kind, name) = (what[..what.IndexOf(':')], what[(what.IndexOf(':') + 1)..]);
        return kind switch
        {
            "create-database" => new CreateDatabases(id, "demo", [new DatabaseSpec("fine_db"), new DatabaseSpec(name)]),
            "delete-database" => new DeleteDatabase(id, "demo", name),
            "create-user" => new CreateUsers(id, "demo", [new UserSpec(name, "pw-123456", null, [])]),
            "rename-user" => new UpdateUsers(id, "demo", [new UpdateAttributesArgs("app", null, new UserChanges(name, null, null))]),
            "update-user" => new UpdateUsers(id, "demo", [new UpdateAttributesArgs(name, null, new UserChanges(null, "pw-123456", "%"))]),
            "delete-user" => new DeleteUser(id, "demo", name, null),
            "grant-user" => new GrantAccess(id, "demo", name, null, ["appdb"]),
            "grant-database" => new GrantAccess(id, "demo", "app", null, ["appdb", name]),
            "revoke-user" => new RevokeAccess(id, "demo", name, null, "appdb"),
            _ => throw new ArgumentOutOfRangeException(nameof(what), what, null),
        };
    }

    private IActorRef ActiveInstance(string id, string datastore)
    {
        var entity = Sys.ActorOf(InstanceActor.Props(id, _compute, _guests, _tenants.Ref, new InstanceSettings()));
        entity.Tell(new Create(id, Requests.Postgres() with { Datastore = datastore }), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.NotNull(StateOf(entity, id).ServerId));
        entity.Tell(new ReportHeartbeat(id, ServiceStatusNames.Healthy, DateTimeOffset.UtcNow), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        Assert.Equal("ACTIVE", StateOf(entity, id).Status);
        return entity;
    }

    private InstanceState StateOf(IActorRef entity, string id) =>
        Assert.IsType<InstanceReplies.Found>(entity.Ask<InstanceReply>(new Get(id, "demo"), RemainingOrDefault).Result).State;

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_name_the_instance_s_datastore_does_not_take_is_a_400_and_reaches_no_guest(string datastore, string what, string message)
    {
        var entity = ActiveInstance("n1", datastore);
        var before = StateOf(entity, "n1");

        entity.Tell(CommandOf("n1", what), TestActor);

        var invalid = ExpectMsg<InstanceReplies.Invalid>();
        Assert.Contains(message, invalid.Message);
        Assert.Empty(_guests.Calls);
        Assert.Equal(before, StateOf(entity, "n1"));
    }

    [Theory]
    [InlineData("mariadb", "a$b")] // '$' is MariaDB's, not PostgreSQL's
    [InlineData("postgresql", "app-db_2")]
    [InlineData("mariadb", "app-db_2")]
    public void A_name_the_datastore_takes_reaches_the_guest(string datastore, string name)
    {
        var entity = ActiveInstance("n2", datastore);

        entity.Tell(new CreateDatabases("n2", "demo", [new DatabaseSpec(name)]), TestActor);

        ExpectMsg<InstanceReplies.GuestDone>();
        var (_, call) = Assert.Single(_guests.Calls);
        Assert.Equal(GuestMethods.CreateDatabase, call.Method);
        Assert.Equal(name, call.ArgsAs<DatabasesArgs>().Databases[0].Name);
    }

    [Theory]
    [InlineData("postgresql", "postgres", "user")]
    [InlineData("postgresql", "template1", "database")]
    [InlineData("mariadb", "root", "user")]
    [InlineData("mariadb", "information_schema", "database")]
    public void A_create_with_a_refused_name_keeps_nothing_and_reserves_no_quota(string datastore, string name, string kind)
    {
        var entity = Sys.ActorOf(InstanceActor.Props("n3", _compute, _guests, _tenants.Ref, new InstanceSettings()));
        var request = Requests.Postgres() with { Datastore = datastore };
        request = kind == "user"
            ? request with { Users = [new UserSpec(name, "pw-123456", null, [])] }
            : request with { Databases = [new DatabaseSpec(name)] };

        entity.Tell(new Create("n3", request), TestActor);

        Assert.Contains($"'{name}' is reserved", ExpectMsg<InstanceReplies.Invalid>().Message);
        entity.Tell(new Get("n3", "demo"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
        _tenants.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Empty(_guests.Casts);
    }

    [Fact]
    public void Every_datastore_s_rules_are_its_profile_s()
    {
        foreach (var profile in DatastoreProfiles.All)
        {
            var name = new string('x', profile.Names.MaxUserLength + 1);
            var reply = InstanceNames.Check(profile.Name, new CreateUsers("n4", "demo", [new UserSpec(name, "pw", null, [])]));
            Assert.Equal(profile.RefusesUser(name), reply?.Message);
        }
        Assert.Equal("Datastore 'redis' has no rules for names.", InstanceNames.Check("redis", new DeleteDatabase("n4", "demo", "a"))?.Message);
    }

    [Fact]
    public void Deleting_a_user_the_guest_does_not_list_is_a_404_and_deletes_nothing()
    {
        var entity = ActiveInstance("n5", "postgresql");

        entity.Tell(new DeleteUser("n5", "demo", "ghost", "%"), TestActor);

        var failed = ExpectMsg<InstanceReplies.GuestFailed>();
        Assert.Equal((RpcFailureKinds.NotFound, "User ghost@% cannot be found on instance n5."), (failed.Kind, failed.Message));
        var (_, call) = Assert.Single(_guests.Calls);
        Assert.Equal(GuestMethods.ListUsers, call.Method);
    }
}

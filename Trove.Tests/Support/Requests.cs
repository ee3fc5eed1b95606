using Trove.Actors.Instances;
using Trove.Contracts.Guests;

namespace Trove.Tests.Support;

public static class Requests
{
    public static InstanceRequest Postgres(string tenant = "demo", string name = "pg1") => new(
        tenant, name, "small", 512, 1, "postgresql", "15",
        [new DatabaseSpec("appdb")],
        [new UserSpec("app", "s3cret-pw", null, [new UserDatabase("appdb")])]);
}

namespace Trove.Actors.Tenants;

/// <summary>Upstream's admin context (<c>find_by</c> drops the tenant filter when <c>context.is_admin</c>): the tenant the
/// API names in a command when an admin acts on an existing resource, which every tenant's entity accepts as its own.
/// It holds a '/', so no routed <c>{tenantId}</c> (a single path segment) can ever be it: only the API's admin scope
/// (Trove.Web/Auth/AdminReach.cs) sends it.</summary>
public static class AnyTenant
{
    public const string Id = "*/admin";

    /// <summary>The one ownership rule of the entities: the owner asks, or an admin does.</summary>
    public static bool Reaches(string asking, string owner) => asking == owner || asking == Id;
}

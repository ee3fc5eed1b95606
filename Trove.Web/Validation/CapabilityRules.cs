using Trove.Contracts.Datastores;

namespace Trove.Web.Validation;

/// <summary>Refuses an operation whose capability the datastore's profile lacks, before anything reaches its guest:
/// an operation a datastore has none of (backups) as upstream's DatastoreOperationNotSupported (501), a variant of one
/// it has (an incremental backup) as the client's error (400).</summary>
public static class CapabilityRules
{
    public static void Require(string datastore, DatastoreCapability capability) =>
        Require(DatastoreProfiles.Find(datastore)
                ?? throw new RequestError(StatusCodes.Status501NotImplemented, $"Datastore '{datastore}' has no guest manager here."),
            capability);

    public static void Require(DatastoreProfile profile, DatastoreCapability capability)
    {
        if (profile.Lacks(capability) is { } refusal)
            throw new RequestError(capability == DatastoreCapability.Backups ? StatusCodes.Status501NotImplemented : 400, refusal);
    }
}

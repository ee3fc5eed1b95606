namespace Trove.Contracts.Guests;

/// <summary>Upstream's backup states.</summary>
public static class BackupStatus
{
    public const string New = "NEW";
    public const string Building = "BUILDING";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
    public const string DeleteFailed = "DELETE_FAILED";

    public static bool IsRunning(string status) => status is New or Building;
}

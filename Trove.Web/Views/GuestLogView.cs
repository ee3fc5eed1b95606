using Trove.Actors.Backups;
using Trove.Contracts.Guests;

namespace Trove.Web.Views;

/// <summary>Upstream's GuestLogView: the guest's log with what of it is published in the backup storage.</summary>
public static class GuestLogView
{
    public static Dictionary<string, object?> Of(GuestLogInfo log, PublishedLog? published, string instanceId) => new Dictionary<string, object?>
    {
        ["name"] = log.Name,
        ["type"] = log.Type,
        ["status"] = StatusOf(log, published),
        ["published"] = published?.Bytes ?? 0,
        ["pending"] = Math.Max(0, log.Size - (published?.Bytes ?? 0)),
        ["container"] = PublishedLogs.Container,
        ["prefix"] = PublishedLogs.PrefixOf(instanceId, log.Name),
        ["metafile"] = PublishedLogs.MetafileOf(instanceId, log.Name),
    };

    /// <summary>Upstream's LogStatus names.</summary>
    private static string StatusOf(GuestLogInfo log, PublishedLog? published) =>
        published is not null ? (log.Size > published.Bytes ? "Partial" : "Published")
        : !log.Enabled ? "Disabled"
        : log.Type == GuestLogNames.UserType ? "Enabled"
        : "Ready";
}

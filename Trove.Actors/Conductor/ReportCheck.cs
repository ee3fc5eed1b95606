using Trove.Actors.Guests;
using Trove.Contracts.Guests;

namespace Trove.Actors.Conductor;

/// <summary>
/// What every guest report passes before it reaches an entity: it was published by the broker user of the instance
/// it names (its AMQP <c>user-id</c>, which the broker checked against the publisher's login) and was not sent in
/// the future, where it would make every real report after it look stale. A guest an older release started and not yet
/// adopted has no broker user of its own (<see cref="OlderReleaseGuests"/>). Refusals are counted for <c>amqp status</c>.
/// </summary>
public sealed class ReportCheck(TimeSpan clockSkew, OlderReleaseGuests olderReleases)
{
    private long _refused;

    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Why the report is refused, or null when it may be handled.</summary>
    public string? Refuse(GuestReport report, string? userId, DateTimeOffset now)
    {
        var why = !FromItsGuest(report.InstanceId, userId)
            ? $"published by broker user '{userId ?? "(none)"}', not by the instance's guest"
            : report.Sent > now + clockSkew
                ? $"sent at {report.Sent:O}, in the future"
                : null;
        if (why is not null)
            Interlocked.Increment(ref _refused);
        return why;
    }

    /// <summary>An older release's guest, not yet adopted, publishes as the node or without a user: not as another guest.</summary>
    private bool FromItsGuest(string instanceId, string? userId) =>
        userId == TroveBroker.GuestUser(instanceId)
        || (olderReleases.Contains(instanceId) && userId?.StartsWith(TroveBroker.GuestUserPrefix, StringComparison.Ordinal) != true);
}

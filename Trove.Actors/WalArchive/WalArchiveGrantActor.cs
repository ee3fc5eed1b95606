using Akka.Actor;
using Akka.Event;

namespace Trove.Actors.WalArchive;

/// <summary>
/// Keeps an instance's guest holding a valid URL to archive its WAL through. Its instance entity tells it of each
/// heartbeat; it grants one on the first (the entity may have moved or been passivated: a guest given one again loses
/// nothing) and again once the last is past <see cref="IWalArchiveGrants.RenewAfter"/>; a grant that fails is tried at the
/// next heartbeat. Until then the engine keeps the segments it could not archive and tries them again: none is lost.
/// </summary>
public sealed class WalArchiveGrantActor : ReceiveActor
{
    public sealed record Heard(string TenantId, string InstanceId);
    private sealed record Granted(DateTimeOffset At);
    private sealed record NotGranted(string InstanceId, string Why);

    private DateTimeOffset? _grantedAt;
    private bool _granting;

    public WalArchiveGrantActor(IWalArchiveGrants grants)
    {
        var log = Context.GetLogger();
        Receive<Heard>(heard =>
        {
            if (_granting || _grantedAt is { } at && DateTimeOffset.UtcNow - at < grants.RenewAfter)
                return;
            _granting = true;
            var asked = DateTimeOffset.UtcNow;
            grants.GrantAsync(heard.TenantId, heard.InstanceId, CancellationToken.None)
                .PipeTo(Self, success: () => new Granted(asked), failure: e => new NotGranted(heard.InstanceId, e.Message));
        });
        Receive<Granted>(granted => (_granting, _grantedAt) = (false, granted.At));
        Receive<NotGranted>(failed =>
        {
            _granting = false;
            log.Warning("instance {0}'s guest was not granted its WAL archive URL ({1}); the next heartbeat tries again", failed.InstanceId, failed.Why);
        });
    }

    public static Props Props(IWalArchiveGrants grants) => Akka.Actor.Props.Create(() => new WalArchiveGrantActor(grants));
}

using Trove.Actors.Instances;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Tests.Instances;

/// <summary>When a resize's hold on the quota is given back, kept, or still running: the pure rules the entity follows
/// after each event and on recovery, and that close the hold for the quota-hold projection.</summary>
public sealed class QuotaHoldTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UtcNow;

    private static readonly InstanceState Active = InstanceState.Apply(
        InstanceState.Apply(null, (Created)InstanceDecisions.Create(null, new InstanceCommands.Create("i", Requests.Postgres()), At).Events[0]),
        new BuildCompleted(At))!;

    private static ResizeHold Hold(QuotaStage stage) => new(VolumeGb: 3, RamMb: Active.RamMb, PreviousVolumeGb: Active.VolumeSize,
        PreviousRamMb: Active.RamMb, stage);

    private static InstanceState Resizing => InstanceState.Apply(Active, new ResizeStarted(3, Active.FlavorId, Active.RamMb, At))!;

    [Fact]
    public void A_resize_done_with_its_new_size_is_kept_once()
    {
        var done = InstanceState.Apply(Resizing, new ResizeCompleted(true, null, At))!;
        Assert.True(ResizeHold.MustKeep(done, Hold(QuotaStage.Reserved)));
        Assert.False(ResizeHold.MustGiveBack(done, Hold(QuotaStage.Reserved)));
        Assert.False(ResizeHold.MustKeep(done, Hold(QuotaStage.Kept)));
        Assert.False(ResizeHold.IsOpen(Hold(QuotaStage.Kept)));
    }

    [Fact]
    public void A_failed_resize_is_given_back_not_kept()
    {
        var failed = InstanceState.Apply(Resizing, new ResizeCompleted(false, "no", At))!;
        Assert.True(ResizeHold.MustGiveBack(failed, Hold(QuotaStage.Reserved)));
        Assert.False(ResizeHold.MustKeep(failed, Hold(QuotaStage.Reserved)));
    }

    [Fact]
    public void A_running_resize_is_neither_given_back_nor_kept_but_stays_open()
    {
        Assert.False(ResizeHold.MustGiveBack(Resizing, Hold(QuotaStage.Reserved)));
        Assert.False(ResizeHold.MustKeep(Resizing, Hold(QuotaStage.Reserved)));
        Assert.True(ResizeHold.IsOpen(Hold(QuotaStage.Reserved)));
    }

    [Fact]
    public void A_resize_whose_instance_is_being_deleted_is_kept_the_delete_gives_all_back()
    {
        var deleting = InstanceState.Apply(Resizing, new DeleteRequested(At))!;
        Assert.True(ResizeHold.MustKeep(deleting, Hold(QuotaStage.Reserved)));
        Assert.True(ResizeHold.MustKeep(InstanceState.Apply(Active, new DeleteRequested(At)), Hold(QuotaStage.Requested)));
    }

    [Fact]
    public void A_resize_asked_for_and_never_started_is_given_back()
    {
        Assert.True(ResizeHold.MustGiveBack(Active, Hold(QuotaStage.Requested)));
        Assert.True(ResizeHold.MustGiveBack(Active, Hold(QuotaStage.Reserved)));
        Assert.False(ResizeHold.MustKeep(Active, Hold(QuotaStage.Requested)));
    }
}

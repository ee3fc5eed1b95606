using Trove.Actors.Conductor;
using Trove.Actors.Guests;
using Trove.Contracts.Guests;

namespace Trove.Tests.Conductor;

/// <summary>Who may publish an instance's reports: its own guest's broker user, and, for a guest an older release started
/// and not yet adopted, a publisher without a guest user of its own (the node's login, or no user-id at all).</summary>
public sealed class ReportCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string?, bool, bool> Publishers => new()
    {
        { TroveBroker.GuestUser("i1"), false, true },
        { TroveBroker.GuestUser("i1"), true, true },
        { TroveBroker.GuestUser("i2"), false, false },
        { TroveBroker.GuestUser("i2"), true, false }, // another guest never speaks for an older release's instance
        { null, false, false },
        { null, true, true },
        { "trove", false, false },
        { "trove", true, true },
    };

    [Theory]
    [MemberData(nameof(Publishers))]
    public void A_report_is_taken_only_from_its_instances_guest(string? userId, bool olderRelease, bool taken)
    {
        var older = new OlderReleaseGuests();
        if (olderRelease)
            older.Replace(["i1"]);
        var check = new ReportCheck(TimeSpan.FromSeconds(60), older);
        var why = check.Refuse(new GuestReport("i1", Now, ReportedTo.Instance, new object(), typeof(object)), userId, Now);
        Assert.Equal(taken, why is null);
    }
}

using System.Collections;
using System.Reflection;
using Trove.Actors.Backups;
using Trove.Actors.History;
using Trove.Actors.Instances;
using Trove.Contracts.Guests;
using Trove.Web.Views;

namespace Trove.Tests.History;

/// <summary>Every instance and backup event has a history entry with a stable type name (the API's, pinned here: a
/// renamed event class keeps it) and nothing of the event but its time, its fault and who asked: every other string the event holds
/// (a password, a URI, a credential, a name) stays out.</summary>
public sealed class HistoryTypesTests
{
    private const string Marker = "must-not-show";
    private const string FaultText = "what went wrong";
    private const string UserId = "the-user-who-asked";

    private static readonly Dictionary<string, string> InstanceTypes = new()
    {
        ["Created"] = "created", ["ServerCreated"] = "server_created", ["ServerAccepted"] = "server_accepted", ["VolumeMade"] = "volume_made",
        ["ServiceStatusChanged"] = "service_status_changed",
        ["BuildCompleted"] = "build_completed", ["BuildFailed"] = "build_failed", ["DeleteRequested"] = "delete_requested",
        ["Deleted"] = "deleted", ["Renamed"] = "renamed", ["RootEnabled"] = "root_enabled", ["RestartStarted"] = "restart_started",
        ["RestartCompleted"] = "restart_completed", ["StatusReset"] = "status_reset", ["ResizeStarted"] = "resize_started",
        ["ResizeCompleted"] = "resize_completed", ["BackupStarted"] = "backup_started", ["BackupEnded"] = "backup_ended",
        ["ConfigurationAttached"] = "configuration_attached", ["ConfigurationDetached"] = "configuration_detached",
        ["GuestFaultChanged"] = "guest_fault_changed", ["AccessChanged"] = "access_changed",
        ["ReplicaAttached"] = "replica_attached", ["ReplicaDropped"] = "replica_dropped",
        ["DetachStarted"] = "detach_started", ["DetachCompleted"] = "detach_completed",
        ["PromotionStarted"] = "promotion_started", ["PromotionJoined"] = "promotion_joined",
        ["PromotionMembersJoined"] = "promotion_members_joined", ["PromotionCandidateChosen"] = "promotion_candidate_chosen",
        ["SourceFenced"] = "source_fenced", ["CandidatePromoted"] = "candidate_promoted", ["PromotionMemberMoved"] = "promotion_member_moved",
        ["PromotionFailed"] = "promotion_failed", ["ReplicaSetChanged"] = "replica_set_changed",
    };

    private static readonly Dictionary<string, string> BackupTypes = new()
    {
        ["Created"] = "created", ["Progressed"] = "progressed", ["Failed"] = "failed", ["Deleted"] = "deleted",
        ["EndAcknowledged"] = "end_acknowledged", ["Abandoned"] = "abandoned", ["QuotaReturned"] = "quota_returned", ["ChildAdded"] = "child_added",
    };

    /// <summary>The events a tenant's or an operator's request causes, which name who asked; the others are the system's own.</summary>
    private static readonly HashSet<string> AskedInstanceEvents =
    [
        "Created", "DeleteRequested", "Renamed", "RootEnabled", "RestartStarted", "StatusReset", "ResizeStarted", "BackupStarted",
        "ConfigurationAttached", "ConfigurationDetached", "AccessChanged", "DetachStarted", "PromotionStarted",
    ];

    private static readonly HashSet<string> AskedBackupEvents = ["Created", "ChildAdded", "Deleted"];

    public static TheoryData<string> InstanceEventTypes => new(Implementations<InstanceEvents.IInstanceEvent>());
    public static TheoryData<string> BackupEventTypes => new(Implementations<BackupEvents.IBackupEvent>());

    [Theory]
    [MemberData(nameof(InstanceEventTypes))]
    public void An_instance_event_has_its_entry_with_its_pinned_type_and_no_secret(string typeName)
    {
        var e = (InstanceEvents.IInstanceEvent)Sample(typeof(InstanceEvents.IInstanceEvent).Assembly.GetType(typeName)!, 0)!;
        var created = (InstanceEvents.Created)Sample(typeof(InstanceEvents.Created), 0)!;
        var state = InstanceState.Apply(e is InstanceEvents.Created ? null : InstanceState.Apply(null, created), e);
        var entry = InstanceHistory.Entry(7, e, state);

        Assert.Equal(InstanceTypes[e.GetType().Name], entry.Type);
        AssertClean(entry);
    }

    [Theory]
    [MemberData(nameof(BackupEventTypes))]
    public void A_backup_event_has_its_entry_with_its_pinned_type_and_no_secret(string typeName)
    {
        var e = (BackupEvents.IBackupEvent)Sample(typeof(BackupEvents.IBackupEvent).Assembly.GetType(typeName)!, 0)!;
        var created = (BackupEvents.Created)Sample(typeof(BackupEvents.Created), 0)!;
        var state = BackupState.Apply(e is BackupEvents.Created ? null : BackupState.Apply(null, created), e)!;
        var entry = BackupHistory.Entry(7, e, state);

        Assert.Equal(BackupTypes[e.GetType().Name], entry.Type);
        AssertClean(entry);
    }

    [Theory]
    [MemberData(nameof(InstanceEventTypes))]
    public void An_instance_event_a_request_causes_shows_who_asked_once_the_entity_stamped_it_and_no_other_names_anybody(string typeName)
    {
        var type = typeof(InstanceEvents.IInstanceEvent).Assembly.GetType(typeName)!;
        var e = InstanceCallers.Stamp((InstanceEvents.IInstanceEvent)Sample(type, 0, askedBy: null)!, UserId);
        var created = (InstanceEvents.Created)Sample(typeof(InstanceEvents.Created), 0)!;
        var entry = InstanceHistory.Entry(7, e, InstanceState.Apply(e is InstanceEvents.Created ? null : InstanceState.Apply(null, created), e));

        Assert.Equal(AskedInstanceEvents.Contains(type.Name) ? UserId : null, entry.User);
        Assert.Equal(entry.User, (string?)HistoryView.Of(entry)["user"]);
        // an event that names who asked already keeps it (an earlier node's, or the request's own)
        if (entry.User is not null)
            Assert.Equal("earlier", InstanceHistory.UserOf(InstanceCallers.Stamp(InstanceCallers.Stamp(
                (InstanceEvents.IInstanceEvent)Sample(type, 0, askedBy: null)!, "earlier"), UserId)));
    }

    [Theory]
    [MemberData(nameof(BackupEventTypes))]
    public void A_backup_event_a_request_causes_shows_who_asked_and_no_other_names_anybody(string typeName)
    {
        var type = typeof(BackupEvents.IBackupEvent).Assembly.GetType(typeName)!;
        var e = (BackupEvents.IBackupEvent)Sample(type, 0)!;
        var created = (BackupEvents.Created)Sample(typeof(BackupEvents.Created), 0)!;
        var entry = BackupHistory.Entry(7, e, BackupState.Apply(e is BackupEvents.Created ? null : BackupState.Apply(null, created), e)!);

        Assert.Equal(AskedBackupEvents.Contains(type.Name) ? UserId : null, entry.User);
        Assert.Equal(entry.User, (string?)HistoryView.Of(entry)["user"]);
    }

    [Fact]
    public void Every_type_name_is_snake_case_and_used_once_per_kind()
    {
        foreach (var names in new[] { InstanceTypes.Values, BackupTypes.Values })
        {
            Assert.All(names, n => Assert.Matches("^[a-z]+(_[a-z]+)*$", n));
            Assert.Equal(names.Count, names.Distinct().Count());
        }
        Assert.Equal(InstanceTypes.Count, Implementations<InstanceEvents.IInstanceEvent>().Count());
        Assert.Equal(BackupTypes.Count, Implementations<BackupEvents.IBackupEvent>().Count());
    }

    private static void AssertClean(HistoryEntry entry)
    {
        var json = HistoryView.Of(entry).ToJsonString();
        Assert.DoesNotContain(Marker, json);
        Assert.True(entry.Fault is null or FaultText, json);
        Assert.True(entry.User is null or UserId, json);
    }

    private static IEnumerable<string> Implementations<T>() =>
        typeof(T).Assembly.GetTypes().Where(t => typeof(T).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false }).Select(t => t.FullName!);

    /// <summary>An instance with <see cref="Marker"/> in every string but a fault's, plain values elsewhere.
    /// <paramref name="askedBy"/>: who asked, in an event's <c>User</c> (<c>By</c> where <c>User</c> is the engine's).</summary>
    private static object? Sample(Type type, int depth, string? name = null, string? askedBy = UserId)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
            return name is not null && (name.Contains("Fault", StringComparison.OrdinalIgnoreCase) || name == "Reason") ? FaultText
                : name == "State" ? BackupStatus.Completed : name is "User" or "By" ? askedBy : Marker;
        if (type == typeof(Uri))
            return new Uri($"amqp://user:{Marker}@host/");
        if (type.IsEnum)
            return Enum.GetValues(type).GetValue(0);
        if (type.IsValueType)
            return Activator.CreateInstance(type);
        if (depth > 4)
            return null;
        if (type.IsArray || type.IsInterface && type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[^1];
            if (type.IsGenericType && type.GetGenericTypeDefinition() is var generic && (generic == typeof(IReadOnlyDictionary<,>) || generic == typeof(IDictionary<,>)))
                return Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(type.GetGenericArguments()));
            var array = Array.CreateInstance(element, 1);
            array.SetValue(Sample(element, depth + 1, askedBy: askedBy), 0);
            return array;
        }
        if (type.IsInterface || type.IsAbstract)
            return null;
        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Where(c => c.GetParameters() is not [var only] || only.ParameterType != type)
            .MaxBy(c => c.GetParameters().Length)!;
        return constructor.Invoke(constructor.GetParameters().Select(p => Sample(p.ParameterType, depth + 1, p.Name, askedBy)).ToArray());
    }
}

using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Actors.Instances;

/// <summary>Who asked, in the instance events a request causes: the one list of them (the history reads it back with
/// <see cref="History.InstanceHistory.UserOf"/>). The other events are the system's own and carry nobody.</summary>
public static class InstanceCallers
{
    /// <summary><paramref name="e"/> with <paramref name="user"/> as who asked, unless it names one already or no request causes it.</summary>
    public static IInstanceEvent Stamp(IInstanceEvent e, string? user) => user is null ? e : e switch
    {
        Created { User: null } c => c with { User = user },
        DeleteRequested { User: null } d => d with { User = user },
        Renamed { User: null } r => r with { User = user },
        RootEnabled { By: null } r => r with { By = user },
        RestartStarted { User: null } r => r with { User = user },
        StatusReset { User: null } r => r with { User = user },
        ResizeStarted { User: null } r => r with { User = user },
        BackupStarted { User: null } b => b with { User = user },
        ConfigurationAttached { User: null } a => a with { User = user },
        ConfigurationDetached { User: null } d => d with { User = user },
        AccessChanged { User: null } a => a with { User = user },
        DetachStarted { User: null } d => d with { User = user },
        PromotionStarted { User: null } p => p with { User = user },
        _ => e,
    };

    public static Decision Stamp(Decision decision, string? user) =>
        user is null ? decision : decision with { Events = decision.Events.Select(e => Stamp(e, user)).ToList() };
}

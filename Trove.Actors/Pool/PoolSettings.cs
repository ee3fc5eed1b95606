namespace Trove.Actors.Pool;

/// <summary>The warm pool: servers made ahead of time per datastore version, claimed by creates (Trove:Pool).</summary>
public sealed record PoolSettings
{
    /// <summary>How many ready servers each active datastore version of the catalog keeps; 0 turns the pool off.</summary>
    public int Size { get; init; }

    /// <summary>Sizes of single versions, keyed <c>{datastore}-{version}</c> (e.g. <c>mariadb-10.11</c>), over <see cref="Size"/>.</summary>
    public IReadOnlyDictionary<string, int> Sizes { get; init; } = new Dictionary<string, int>();

    /// <summary>The memory a pool's engine starts with: a claim whose flavor has the same restarts nothing.</summary>
    public int RamMb { get; init; }

    /// <summary>The volume a pool's server is made with, until its claim gives it the tenant's.</summary>
    public int VolumeSize { get; init; } = 1;

    /// <summary>How many servers the pool makes at once: a burst of claims is refilled in turn, not by as many builds
    /// at once (each a guest and an engine starting, on the cores the burst's creates need).</summary>
    public int BuildsAtOnce { get; init; } = 2;

    /// <summary>How long claims must pause before the pool makes their servers again: the creates of a burst have the
    /// cores while they prepare (each build is an engine and a guest starting), and are refilled once it is over. Started
    /// again by each claim, never past <see cref="RefillWaitsAtMost"/>; zero refills at each claim.</summary>
    public TimeSpan RefillAfterClaimsPause { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest a refill waits for claims to pause: a steady stream of creates is refilled all the same.</summary>
    public TimeSpan RefillWaitsAtMost { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a pool server has to be made and its guest to answer (engine started) before it is discarded.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long after a claim the instance it went to must exist; a claim whose create never happened (refused,
    /// or lost in a crash) has its server removed then, never given to another.</summary>
    public TimeSpan ClaimTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the pool looks at its claims and refills (a failed build waits this long before the next).</summary>
    public TimeSpan CheckEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the guest of each ready server is asked whether it still answers: one that does not within
    /// <see cref="GuestAnswerTimeout"/> (its guest or server died while it waited) is removed and replaced, never claimed.</summary>
    public TimeSpan GuestCheckEvery { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan GuestAnswerTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public bool IsOn => Size > 0 || Sizes.Values.Any(size => size > 0);

    public int SizeOf(PoolKey key) => Sizes.TryGetValue(key.ToString(), out var size) ? size : Size;
}

using System.Collections.Concurrent;

namespace Trove.Web.Auth;

/// <summary>The callers of tokens already checked, each trusted until its own time (at most the token's expiry), kept as
/// the finished answer a validator returns. Bounded: when full, the expired go; what still does not fit is checked again
/// at each request, as without the cache.</summary>
public sealed class CallerCache(TimeProvider clock, int limit = 10_000)
{
    private readonly ConcurrentDictionary<string, (Task<Caller?> Answer, DateTimeOffset Until)> _entries = new();

    /// <summary>The caller of <paramref name="token"/>, if it was checked and is still trusted.</summary>
    public bool TryGet(string token, out Task<Caller?> answer)
    {
        if (_entries.TryGetValue(token, out var entry) && entry.Until > clock.GetUtcNow())
        {
            answer = entry.Answer;
            return true;
        }
        answer = null!;
        return false;
    }

    /// <summary>Remembers <paramref name="caller"/> until <paramref name="until"/>; a null caller (a token found not
    /// valid) forgets the token.</summary>
    public Task<Caller?> Remember(string token, Caller? caller, DateTimeOffset until)
    {
        var answer = Task.FromResult(caller);
        var now = clock.GetUtcNow();
        if (caller is null || until <= now)
        {
            _entries.TryRemove(token, out _);
            return answer;
        }
        if (_entries.Count >= limit)
            foreach (var (key, entry) in _entries)
                if (entry.Until <= now)
                    _entries.TryRemove(key, out _);
        if (_entries.Count < limit)
            _entries[token] = (answer, until);
        return answer;
    }
}

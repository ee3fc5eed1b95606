namespace Trove.Guest.Datastores;

/// <summary>The end of an engine's own log: an engine that did not start says why there, so its error carries it.</summary>
public static class EngineLog
{
    /// <summary>How far back a line repeated at the end still counts once: an engine that logs one warning at every try
    /// would otherwise fill the tail with it and push out the reason.</summary>
    private const int Window = 200;

    /// <summary>The last <paramref name="lines"/> different lines, in the order of their last appearance; a line that
    /// appeared more than once says how often.</summary>
    public static string Tail(string file, int lines = 10)
    {
        try
        {
            if (!File.Exists(file))
                return $"({file} is missing)";
            var recent = File.ReadLines(file).TakeLast(Window).ToList();
            var distinct = recent
                .Select((line, at) => (line, at))
                .GroupBy(x => x.line)
                .Select(g => (Line: g.Key, Last: g.Max(x => x.at), Count: g.Count()))
                .OrderBy(x => x.Last)
                .TakeLast(lines)
                .Select(x => x.Count > 1 ? $"{x.Line} ({x.Count} times)" : x.Line);
            return string.Join(" | ", distinct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"({file} could not be read: {e.Message})";
        }
    }
}

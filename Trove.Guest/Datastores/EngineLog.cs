namespace Trove.Guest.Datastores;

/// <summary>The end of an engine's own log: an engine that did not start says why there, so its error carries it.</summary>
public static class EngineLog
{
    public static string Tail(string file, int lines = 10)
    {
        try
        {
            return File.Exists(file) ? string.Join(" | ", File.ReadLines(file).TakeLast(lines)) : $"({file} is missing)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"({file} could not be read: {e.Message})";
        }
    }
}

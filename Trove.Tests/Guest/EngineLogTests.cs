using Trove.Guest.Datastores;

namespace Trove.Tests.Guest;

/// <summary>The tail of an engine's log that a failed start carries keeps the reason even when a warning repeats.</summary>
public sealed class EngineLogTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"engine-log-{Guid.NewGuid():N}.log");

    [Fact]
    public void A_repeated_line_is_shown_once_with_its_count_and_the_reason_before_it_stays()
    {
        File.WriteAllLines(_file, [
            "LOG:  starting PostgreSQL 15",
            "FATAL:  invalid value for parameter \"shared_buffers\": \"-1\"",
            .. Enumerable.Repeat("LOG:  skipping missing configuration file \"trove-overrides.conf\"", 12),
            "LOG:  database system is shut down",
        ]);

        var tail = EngineLog.Tail(_file, lines: 3);

        Assert.Equal("FATAL:  invalid value for parameter \"shared_buffers\": \"-1\" | "
            + "LOG:  skipping missing configuration file \"trove-overrides.conf\" (12 times) | LOG:  database system is shut down", tail);
    }

    [Fact]
    public void A_missing_log_says_so() => Assert.Equal($"({_file} is missing)", EngineLog.Tail(_file));

    public void Dispose() => File.Delete(_file);
}

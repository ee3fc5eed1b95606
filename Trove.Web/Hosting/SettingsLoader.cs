using Trove.Actors.Hosting;

namespace Trove.Web.Hosting;

public static class SettingsLoader
{
    /// <summary>The <c>Trove</c> configuration section, with the operator's short environment variables on top.</summary>
    public static TroveSettings LoadTroveSettings(this IConfiguration configuration)
    {
        var settings = configuration.GetSection("Trove").Get<TroveSettings>() ?? new TroveSettings();
        if (configuration["TROVE_DATA_DIR"] is { Length: > 0 } dataDir)
            settings = settings with { DataDir = dataDir };
        if (int.TryParse(configuration["TROVE_HTTP_PORT"], out var port))
            settings = settings with { HttpPort = port };
        if (configuration["TROVE_AMQP_URI"] is { Length: > 0 } amqp)
            settings = settings with { Amqp = settings.Amqp with { Uri = amqp } };
        return settings;
    }
}

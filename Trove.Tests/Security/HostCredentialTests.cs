using Trove.Actors.Broker;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Trove.Tests.Support;

namespace Trove.Tests.Security;

/// <summary>
/// What a local server's engine could reach on loopback with a well-known password: RabbitMQ's guest user (the broker's
/// administrator from loopback) and the journal's PostgreSQL role. scripts/bootstrap replaces both with users whose
/// passwords only root reads, and the journal's role is no superuser (a superuser runs programs as the postgres OS user).
/// </summary>
public sealed class HostCredentialTests
{
    [Fact]
    public async Task The_broker_refuses_its_well_known_guest_user_and_takes_the_nodes_own()
    {
        await using (await new ConnectionFactory { Uri = new Uri(NodeBrokerUri.Value) }.CreateConnectionAsync()) { }
        var refused = await Assert.ThrowsAsync<BrokerUnreachableException>(async () =>
            await new ConnectionFactory { Uri = new Uri("amqp://guest:guest@127.0.0.1:5672/") }.CreateConnectionAsync());
        Assert.IsType<AuthenticationFailureException>(refused.InnerException);
    }

    [Fact]
    public async Task The_journal_role_has_no_well_known_password_and_is_no_superuser()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using (var node = new NpgsqlConnection(database.ConnectionString))
        {
            await node.OpenAsync();
            Assert.False((bool)(await new NpgsqlCommand("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", node).ExecuteScalarAsync())!);
        }
        var guessed = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port=5432;Username=trove;Password=trove;Database={database.Name}");
            await connection.OpenAsync();
        });
        Assert.Equal(PostgresErrorCodes.InvalidPassword, guessed.SqlState);
    }

    [Theory]
    [InlineData(NodeBrokerUri.FilePath)]
    [InlineData(TestDatabase.ServerFile)]
    public void The_credential_files_are_roots_alone(string path) =>
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
}

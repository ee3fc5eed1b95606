using Trove.Actors.Catalog;
using Trove.Contracts.Datastores;
using Trove.Guest.Agent;
using Trove.Web.Validation;
using Trove.Contracts.Guests;

namespace Trove.Tests.Catalog;

/// <summary>Every datastore the catalog serves has a profile and a guest manager, and what a profile lacks is refused
/// at the API before anything reaches a guest.</summary>
public sealed class DatastoreProfileTests
{
    [Fact]
    public void Every_datastore_of_the_catalog_has_a_profile_and_every_profile_a_guest_manager()
    {
        var catalog = new CatalogSettings();
        Assert.NotEmpty(catalog.Datastores);
        foreach (var datastore in catalog.Datastores)
            Assert.True(DatastoreProfiles.TryFind(datastore.Type, out _), $"catalog datastore '{datastore.Type}' has no profile");
        Assert.NotNull(DatastoreProfiles.Find(catalog.DefaultDatastore));
        foreach (var profile in DatastoreProfiles.All)
            Assert.True(DatastoreRegistration.Managers.ContainsKey(profile), $"profile '{profile.Name}' has no guest manager");
        Assert.Equal(DatastoreProfiles.All.Count, DatastoreProfiles.All.Select(p => p.Name).Distinct().Count());
    }

    [Fact]
    public void The_profiles_say_what_each_datastore_can_do()
    {
        Assert.True(DatastoreProfiles.MariaDb.Supports(DatastoreCapability.IncrementalBackups));
        Assert.True(DatastoreProfiles.MariaDb.Supports(DatastoreCapability.ReadOnlyMode));
        Assert.False(DatastoreProfiles.Postgres.Supports(DatastoreCapability.IncrementalBackups));
        Assert.All(DatastoreProfiles.All, p => Assert.True(p.Supports(DatastoreCapability.Backups)));
        Assert.All(DatastoreProfiles.All, p => Assert.True(p.Supports(DatastoreCapability.ReadOnlyMode)));
        Assert.Null(DatastoreProfiles.Find("mysql")); // MariaDB's manager is 'mariadb'; no alias is guessed
    }

    [Theory]
    [InlineData("postgresql", "app_1", true)]
    [InlineData("postgresql", "a$b", false)]
    [InlineData("mariadb", "a$b", true)]
    [InlineData("mariadb", "1abc", false)]
    [InlineData("postgresql", "", false)]
    public void Database_names_follow_the_profile(string datastore, string name, bool valid) =>
        Assert.Equal(valid, DatastoreProfiles.Of(datastore).Names.IsValidDatabase(name));

    [Fact]
    public void Reserved_names_and_users_are_the_profiles()
    {
        Assert.True(DatastoreProfiles.Postgres.Names.IsReservedDatabase("template1"));
        Assert.True(DatastoreProfiles.MariaDb.Names.IsReservedDatabase("information_schema"));
        Assert.True(DatastoreProfiles.Postgres.ReservedUsers.Contains("pg_monitor"));
        Assert.True(DatastoreProfiles.MariaDb.ReservedUsers.Contains("Root"));
        Assert.Equal("User name 'mariadb.sys' is reserved.", DatastoreProfiles.MariaDb.RefusesUser("mariadb.sys"));
        Assert.Equal("Database name 'template1' is reserved.", DatastoreProfiles.Postgres.RefusesDatabase("template1"));
    }

    [Fact]
    public void An_incremental_backup_of_a_datastore_without_them_is_a_400_that_says_so()
    {
        var error = Assert.Throws<RequestError>(() => CapabilityRules.Require("postgresql", DatastoreCapability.IncrementalBackups));
        Assert.Equal(400, error.Code);
        Assert.Contains("Incremental backups are not supported for postgresql", error.Message);
        CapabilityRules.Require("mariadb", DatastoreCapability.IncrementalBackups);
    }

    [Fact]
    public void A_datastore_without_backups_or_without_a_profile_refuses_them_as_not_implemented()
    {
        var noBackups = DatastoreProfiles.Postgres with { Capabilities = DatastoreProfiles.Postgres.Capabilities with { Backups = false } };
        var error = Assert.Throws<RequestError>(() => CapabilityRules.Require(noBackups, DatastoreCapability.Backups));
        Assert.Equal(501, error.Code);
        Assert.Contains("Backups of postgresql are not supported", error.Message);
        Assert.Equal(501, Assert.Throws<RequestError>(() => CapabilityRules.Require("redis", DatastoreCapability.Backups)).Code);
    }
}

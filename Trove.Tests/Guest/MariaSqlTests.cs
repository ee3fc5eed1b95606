using Trove.Guest.Datastores.MariaDb;

namespace Trove.Tests.Guest;

/// <summary>The one identifier quoting of MariaDB statements, and the escaping of a database name in a grant.</summary>
public sealed class MariaSqlTests
{
    [Theory]
    [InlineData("appdb", "`appdb`")]
    [InlineData("a`b", "`a``b`")]
    [InlineData("``", "``````")]
    [InlineData("x`; DROP DATABASE y; -- ", "`x``; DROP DATABASE y; -- `")]
    [InlineData("it's \"q\" \\", "`it's \"q\" \\`")]
    [InlineData("ünï名", "`ünï名`")]
    public void An_identifier_is_backtick_quoted_with_backticks_doubled(string name, string quoted) =>
        Assert.Equal(quoted, MariaSql.Identifier(name));

    [Fact]
    public void An_identifier_with_NUL_is_refused() =>
        Assert.Throws<ArgumentException>(() => MariaSql.Identifier("a\0b"));

    [Theory]
    [InlineData("a_b", @"a\_b")]
    [InlineData("100%", @"100\%")]
    [InlineData(@"back\slash", @"back\\slash")]
    [InlineData("tick`_%", @"tick`\_\%")]
    public void A_grant_escapes_the_wildcards_of_its_database_and_the_listing_reads_the_name_back(string database, string pattern)
    {
        Assert.Equal(pattern, MariaSql.GrantPattern(database));
        Assert.Equal(database, MariaSql.UnescapeGrant(pattern));
        Assert.Equal(MariaSql.Identifier(pattern) + ".*", MariaSql.GrantTarget(database));
    }
}

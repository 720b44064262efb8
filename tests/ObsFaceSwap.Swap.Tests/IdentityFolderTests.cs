using ObsFaceSwap.Swap;

namespace ObsFaceSwap.Swap.Tests;

public sealed class IdentityFolderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ofs-identities-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void Touch(params string[] relative)
    {
        foreach (var r in relative)
        {
            var path = Path.Combine(_folder, r);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [0]);
        }
    }

    [Fact]
    public void Files_and_sub_folders_are_identities_ordered_by_name_and_other_files_are_ignored()
    {
        Touch("zoe.png", "Bob.JPG", "notes.txt", "alice/1.png", "alice/2.webp", "alice/readme.md", "empty/x.txt");
        var identities = IdentityFolder.Scan(_folder);
        Assert.Equal(["alice", "Bob", "zoe"], identities.Select(i => i.Name));
        Assert.Equal([Path.Combine(_folder, "alice", "1.png"), Path.Combine(_folder, "alice", "2.webp")], identities[0].ImagePaths);
        Assert.Single(identities[1].ImagePaths);
    }

    [Fact]
    public void Resolve_takes_a_name_in_any_case_or_a_1_based_index()
    {
        Touch("zoe.png", "bob.png", "alice.png");
        var identities = IdentityFolder.Scan(_folder);
        Assert.Equal("bob", IdentityFolder.Resolve(identities, "BOB").Name);
        Assert.Equal("alice", IdentityFolder.Resolve(identities, "#1").Name);
        Assert.Equal("zoe", IdentityFolder.Resolve(identities, " #3 ").Name);
    }

    [Theory]
    [InlineData("#0")]
    [InlineData("#4")]
    [InlineData("#x")]
    [InlineData("carol")]
    public void An_unknown_identity_is_an_error_listing_what_exists(string identity)
    {
        Touch("zoe.png", "bob.png", "alice.png");
        var e = Assert.Throws<IdentityNotFoundException>(() => IdentityFolder.Resolve(IdentityFolder.Scan(_folder), identity));
        Assert.Contains("alice, bob, zoe", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_empty_folder_is_an_error_naming_it()
    {
        var missing = Path.Combine(_folder, "nope");
        Assert.Contains(missing, Assert.Throws<IdentityNotFoundException>(() => IdentityFolder.Scan(missing)).Message, StringComparison.Ordinal);
        Assert.Contains("holds no identity", Assert.Throws<IdentityNotFoundException>(() => IdentityFolder.Scan(_folder)).Message, StringComparison.Ordinal);
    }
}

namespace ObsFaceSwap.Models.Tests;

public sealed class ModelStoreTests
{
    private static readonly byte[] Content = TestModels.RandomBytes(300_000, seed: 1);

    [Fact]
    public async Task A_missing_file_is_reported_and_Resolve_names_id_path_and_how_to_fetch()
    {
        using var dir = new TempDir();
        using var store = new ModelStore(TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", Content)), dir.Combine("cache"));
        var status = await store.CheckAsync("m1");
        Assert.Equal(ModelState.Missing, status.State);
        Assert.Equal("missing", status.Label);

        var e = Assert.Throws<ModelMissingException>(() => store.Resolve("m1"));
        Assert.Equal("m1", e.Id);
        Assert.Equal(dir.Combine("cache", "m1.onnx"), e.ExpectedPath);
        Assert.Contains("model 'm1'", e.Message, StringComparison.Ordinal);
        Assert.Contains(dir.Combine("cache", "m1.onnx"), e.Message, StringComparison.Ordinal);
        Assert.Contains("test hint: copy it by hand", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ModelMissingException>(() => store.ResolveAsync("m1"));
    }

    [Fact]
    public async Task A_matching_file_verifies_and_resolves()
    {
        using var dir = new TempDir();
        dir.Write("cache/m1.onnx", Content);
        using var store = new ModelStore(TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", Content)), dir.Combine("cache"));
        var status = await store.CheckAsync("m1");
        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal(TestModels.Sha256(Content), status.ActualSha256);
        Assert.Equal(dir.Combine("cache", "m1.onnx"), store.Resolve("m1"));
        Assert.Equal(dir.Combine("cache", "m1.onnx"), await store.ResolveAsync("m1"));
    }

    [Fact]
    public async Task A_file_with_other_content_is_a_hash_mismatch_naming_expected_and_actual()
    {
        using var dir = new TempDir();
        var other = TestModels.RandomBytes(Content.Length, seed: 2);
        dir.Write("cache/m1.onnx", other);
        using var store = new ModelStore(TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", Content)), dir.Combine("cache"));
        var status = await store.CheckAsync("m1");
        Assert.Equal(ModelState.HashMismatch, status.State);
        Assert.Equal("hash mismatch", status.Label);

        var e = Assert.Throws<ModelHashMismatchException>(() => store.Resolve("m1"));
        Assert.Equal(TestModels.Sha256(Content), e.Expected);
        Assert.Equal(TestModels.Sha256(other), e.Actual);
        Assert.Contains($"expected {TestModels.Sha256(Content)}, actual {TestModels.Sha256(other)}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_of_another_size_is_a_mismatch_without_hashing()
    {
        using var dir = new TempDir();
        dir.Write("cache/m1.onnx", Content.AsSpan(0, 1000).ToArray());
        using var store = new ModelStore(TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", Content)), dir.Combine("cache"));
        var status = await store.CheckAsync("m1");
        Assert.Equal(ModelState.HashMismatch, status.State);
        Assert.Equal("size mismatch", status.Label);
        Assert.Null(status.ActualSha256);
        var e = Assert.Throws<ModelHashMismatchException>(() => store.Resolve("m1"));
        Assert.Contains("size mismatch", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected 300000 bytes, actual 1000 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_changed_after_verification_is_hashed_again()
    {
        using var dir = new TempDir();
        var path = dir.Write("cache/m1.onnx", Content);
        using var store = new ModelStore(TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", Content)), dir.Combine("cache"));
        Assert.Equal(path, store.Resolve("m1"));

        var corrupted = (byte[])Content.Clone();
        corrupted[^1] ^= 0xFF;
        File.WriteAllBytes(path, corrupted);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        Assert.Throws<ModelHashMismatchException>(() => store.Resolve("m1"));
        Assert.Equal(ModelState.HashMismatch, (await store.CheckAsync("m1")).State);
    }

    [Fact]
    public async Task An_unpinned_model_is_reported_and_not_resolved()
    {
        using var dir = new TempDir();
        dir.Write("cache/m1.onnx", Content);
        using var store = new ModelStore(TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", content: null)), dir.Combine("cache"));
        Assert.Equal(ModelState.Unpinned, (await store.CheckAsync("m1")).State);
        Assert.Throws<ModelNotPinnedException>(() => store.Resolve("m1"));
        await Assert.ThrowsAsync<ModelNotPinnedException>(() => store.ImportAsync("m1", dir.Combine("cache", "m1.onnx")));
    }

    [Fact]
    public async Task Import_of_a_file_copies_verifies_and_reports_progress()
    {
        using var dir = new TempDir();
        var source = dir.Write("src/download.bin", Content);
        using var store = new ModelStore(TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", Content)), dir.Combine("cache"));
        var progress = new ProgressLog();
        var status = await store.ImportAsync("m1", source, progress);
        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal(Content, File.ReadAllBytes(dir.Combine("cache", "m1.onnx")));
        Assert.False(File.Exists(dir.Combine("cache", "m1.onnx.part")));
        Assert.Equal(Content.Length, progress.Items[^1].BytesDone);
        Assert.Equal(1.0, progress.Items[^1].Fraction);
        Assert.Equal(dir.Combine("cache", "m1.onnx"), store.Resolve("m1"));
    }

    [Fact]
    public async Task Import_of_a_wrong_file_places_nothing_and_names_both_hashes()
    {
        using var dir = new TempDir();
        var wrong = TestModels.RandomBytes(Content.Length, seed: 3);
        var source = dir.Write("src/m1.onnx", wrong);
        using var store = new ModelStore(TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", Content)), dir.Combine("cache"));
        var e = await Assert.ThrowsAsync<ModelHashMismatchException>(() => store.ImportAsync("m1", source));
        Assert.Equal(TestModels.Sha256(wrong), e.Actual);
        Assert.Equal(source, e.Path);
        Assert.False(File.Exists(dir.Combine("cache", "m1.onnx")));
        Assert.False(File.Exists(dir.Combine("cache", "m1.onnx.part")));
    }

    [Fact]
    public async Task Import_of_a_folder_takes_every_manifest_file_it_holds()
    {
        using var dir = new TempDir();
        var other = TestModels.RandomBytes(5000, seed: 4);
        dir.Write("deps/a.onnx", Content);
        dir.Write("deps/b.onnx", other);
        dir.Write("deps/LICENSE", [1, 2, 3]);
        var manifest = TestModels.Manifest(
            TestModels.Entry("a", "a.onnx", Content),
            TestModels.Entry("b", "b.onnx", other),
            TestModels.Entry("c", "c.onnx", TestModels.RandomBytes(10, 5)));
        using var store = new ModelStore(manifest, dir.Combine("cache"));
        var statuses = await store.ImportFolderAsync(dir.Combine("deps"));
        Assert.Equal(["a", "b"], statuses.Select(s => s.Entry.Id));
        Assert.All(statuses, s => Assert.Equal(ModelState.Verified, s.State));
        Assert.Equal(ModelState.Missing, (await store.CheckAsync("c")).State);

        // Importing again copies nothing and still succeeds.
        var again = await store.ImportFolderAsync(dir.Combine("deps"));
        Assert.Equal(2, again.Count);

        await Assert.ThrowsAsync<ModelStoreException>(() => store.ImportFolderAsync(dir.Combine("cache-none")));
        Directory.CreateDirectory(dir.Combine("empty"));
        var none = await Assert.ThrowsAsync<ModelStoreException>(() => store.ImportFolderAsync(dir.Combine("empty")));
        Assert.Contains("no model file of the manifest", none.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<ModelStoreException>(() => store.ImportAsync("c", dir.Combine("deps")));
        Assert.Contains("cannot import model 'c'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_BlazeFace_files_import_when_fetch_deps_has_placed_them()
    {
        var folder = Path.Combine(TestModels.RepoRoot(), ".deps", "models", "blazeface");
        if (!File.Exists(Path.Combine(folder, "face_detection_front_128x128_barracuda.onnx")))
        {
            return; // scripts/fetch-deps.sh has not run on this machine; the manifest tests still pin the hashes.
        }

        using var dir = new TempDir();
        using var store = new ModelStore(ModelManifest.LoadEmbedded(), dir.Combine("cache"));
        var statuses = await store.ImportFolderAsync(folder);
        Assert.Equal(["blazeface-front-128", "blazeface-back-256"], statuses.Select(s => s.Entry.Id));
        Assert.All(statuses, s => Assert.Equal(ModelState.Verified, s.State));
        Assert.EndsWith("face_detection_back_256x256_barracuda.onnx", store.Resolve("blazeface-back-256"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAll_reports_every_model_in_manifest_order()
    {
        using var dir = new TempDir();
        dir.Write("cache/b.onnx", Content);
        var manifest = TestModels.Manifest(TestModels.Entry("a", "a.onnx", Content), TestModels.Entry("b", "b.onnx", Content));
        using var store = new ModelStore(manifest, dir.Combine("cache"));
        var all = await store.CheckAllAsync();
        Assert.Equal([ModelState.Missing, ModelState.Verified], all.Select(s => s.State));
    }
}

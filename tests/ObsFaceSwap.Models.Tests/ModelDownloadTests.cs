using System.Net;

namespace ObsFaceSwap.Models.Tests;

public sealed class ModelDownloadTests
{
    private static readonly byte[] Content = TestModels.RandomBytes(1_500_000, seed: 11);

    private static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static ModelStore Store(TempDir dir, LoopbackHttpServer server, byte[]? expected = null, string? notice = null, bool pinSize = true)
        => new(TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", expected ?? Content, [server.Url("m1.onnx")], notice, pinSize)), dir.Combine("cache"))
        {
            AllowHttpLoopback = true,
            StallTimeout = TimeSpan.FromSeconds(10),
        };

    [Fact]
    public async Task A_download_lands_verified_with_progress_up_to_the_size()
    {
        await using var server = new LoopbackHttpServer();
        server.Serve("m1.onnx", Content);
        using var dir = new TempDir();
        using var store = Store(dir, server);
        var progress = new ProgressLog();

        var status = await store.DownloadAsync("m1", acceptLicence: false, progress, Bounded());

        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal(Content, File.ReadAllBytes(dir.Combine("cache", "m1.onnx")));
        Assert.False(File.Exists(dir.Combine("cache", "m1.onnx.part")));
        Assert.Equal(["GET /m1.onnx"], server.Requests);
        var items = progress.Items;
        Assert.True(items.Count >= 3, $"{items.Count} progress reports");
        Assert.Equal(items.Select(p => p.BytesDone).Order(), items.Select(p => p.BytesDone));
        Assert.Equal(Content.Length, items[^1].BytesDone);
        Assert.All(items, p => Assert.Equal(Content.Length, p.TotalBytes));
        Assert.All(items, p => Assert.False(p.Resumed));

        // Verified already: no second request.
        await store.DownloadAsync("m1", acceptLicence: false, null, Bounded());
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_cut_download_keeps_its_part_file_and_the_next_fetch_resumes_with_a_range_request()
    {
        await using var server = new LoopbackHttpServer();
        server.Serve("m1.onnx", Content);
        server.CutNext(1, afterBytes: 400_000);
        using var dir = new TempDir();
        using var store = Store(dir, server);

        var failed = await Assert.ThrowsAsync<ModelDownloadException>(() => store.DownloadAsync("m1", false, null, Bounded()));
        Assert.Contains("could not download model 'm1'", failed.Message, StringComparison.Ordinal);
        Assert.Contains("fetching again resumes it", failed.Message, StringComparison.Ordinal);
        var part = dir.Combine("cache", "m1.onnx.part");
        var partial = new FileInfo(part).Length;
        Assert.InRange(partial, 1, 400_000);
        Assert.False(File.Exists(dir.Combine("cache", "m1.onnx")));

        var progress = new ProgressLog();
        var status = await store.DownloadAsync("m1", false, progress, Bounded());

        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal(Content, File.ReadAllBytes(dir.Combine("cache", "m1.onnx")));
        Assert.Equal(["GET /m1.onnx", $"GET /m1.onnx bytes={partial}-"], server.Requests);
        Assert.True(progress.Items[0].Resumed);
        Assert.Equal(partial, progress.Items[0].BytesDone);
        Assert.Equal(Content.Length, progress.Items[^1].BytesDone);
        Assert.False(File.Exists(part));
    }

    [Fact]
    public async Task A_server_that_ignores_the_range_restarts_the_file_from_zero()
    {
        await using var server = new LoopbackHttpServer();
        server.Serve("m1.onnx", Content);
        using var dir = new TempDir();
        dir.Write("cache/m1.onnx.part", Content.AsSpan(0, 1000).ToArray());
        server.IgnoreRange = true;
        using var store = Store(dir, server);

        var status = await store.DownloadAsync("m1", false, null, Bounded());
        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal(["GET /m1.onnx bytes=1000-"], server.Requests);
        Assert.Equal(Content, File.ReadAllBytes(dir.Combine("cache", "m1.onnx")));
    }

    [Fact]
    public async Task A_download_with_the_wrong_content_is_deleted_and_names_both_hashes()
    {
        var wrong = TestModels.RandomBytes(Content.Length, seed: 12);
        await using var server = new LoopbackHttpServer();
        server.Serve("m1.onnx", wrong);
        using var dir = new TempDir();
        using var store = Store(dir, server);

        var e = await Assert.ThrowsAsync<ModelHashMismatchException>(() => store.DownloadAsync("m1", false, null, Bounded()));
        Assert.Equal(TestModels.Sha256(Content), e.Expected);
        Assert.Equal(TestModels.Sha256(wrong), e.Actual);
        Assert.False(File.Exists(dir.Combine("cache", "m1.onnx")));
        Assert.False(File.Exists(dir.Combine("cache", "m1.onnx.part")));
    }

    [Fact]
    public async Task A_server_sending_more_than_the_manifest_size_is_stopped()
    {
        var bigger = TestModels.RandomBytes(Content.Length + 10, seed: 13);
        await using var server = new LoopbackHttpServer();
        server.Serve("m1.onnx", bigger);
        using var dir = new TempDir();
        using var store = Store(dir, server);
        var e = await Assert.ThrowsAsync<ModelDownloadException>(() => store.DownloadAsync("m1", false, null, Bounded()));
        Assert.Contains($"announces {bigger.Length} bytes, the manifest expects {Content.Length}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_licence_notice_must_be_accepted_before_any_request()
    {
        await using var server = new LoopbackHttpServer();
        server.Serve("m1.onnx", Content);
        using var dir = new TempDir();
        using var store = Store(dir, server, notice: "Research use only.");

        var e = await Assert.ThrowsAsync<LicenceNotAcceptedException>(() => store.DownloadAsync("m1", acceptLicence: false, null, Bounded()));
        Assert.Contains("Research use only.", e.Message, StringComparison.Ordinal);
        Assert.Contains("--accept-licence", e.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);

        var status = await store.DownloadAsync("m1", acceptLicence: true, null, Bounded());
        Assert.Equal(ModelState.Verified, status.State);
    }

    [Fact]
    public async Task HTTP_errors_and_plain_http_are_clear_failures()
    {
        await using var server = new LoopbackHttpServer();
        server.ForcedStatus = HttpStatusCode.NotFound;
        using var dir = new TempDir();
        using (var store = Store(dir, server))
        {
            var e = await Assert.ThrowsAsync<ModelDownloadException>(() => store.DownloadAsync("m1", false, null, Bounded()));
            Assert.Contains("HTTP 404", e.Message, StringComparison.Ordinal);
            Assert.Contains(server.Url("m1.onnx"), e.Message, StringComparison.Ordinal);
        }

        var manifest = TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", Content, [server.Url("m1.onnx")]));
        using var strict = new ModelStore(manifest, dir.Combine("cache"));
        var https = await Assert.ThrowsAsync<ModelDownloadException>(() => strict.DownloadAsync("m1", false, null, Bounded()));
        Assert.Contains("only https:// URLs are downloaded", https.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_model_without_urls_says_how_to_get_it()
    {
        using var dir = new TempDir();
        using var store = new ModelStore(TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", Content)), dir.Combine("cache"));
        var e = await Assert.ThrowsAsync<ModelDownloadException>(() => store.DownloadAsync("m1", false, null, Bounded()));
        Assert.Contains("has no download URL", e.Message, StringComparison.Ordinal);
        Assert.Contains("test hint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_url_is_tried_when_the_first_fails()
    {
        await using var server = new LoopbackHttpServer();
        server.Serve("good.onnx", Content);
        using var dir = new TempDir();
        var manifest = TestModels.Manifest(TestModels.Entry("m1", "m1.onnx", Content, [server.Url("missing.onnx"), server.Url("good.onnx")]));
        using var store = new ModelStore(manifest, dir.Combine("cache")) { AllowHttpLoopback = true };
        var status = await store.DownloadAsync("m1", false, null, Bounded());
        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal(["GET /missing.onnx", "GET /good.onnx"], server.Requests);
    }
}

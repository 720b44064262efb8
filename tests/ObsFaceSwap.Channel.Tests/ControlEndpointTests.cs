namespace ObsFaceSwap.Channel.Tests;

/// <summary>The endpoint path rule. These tests change process environment variables, so they run in one class (sequentially).</summary>
public sealed class ControlEndpointTests : IDisposable
{
    private readonly string? _savedEndpoint = Environment.GetEnvironmentVariable(ControlEndpoint.EnvironmentVariable);
    private readonly string? _savedXdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("ofs-endpoint-");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ControlEndpoint.EnvironmentVariable, _savedEndpoint);
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", _savedXdg);
        _temp.Delete(recursive: true);
    }

    [Fact]
    public void The_option_beats_the_environment_variable()
    {
        Environment.SetEnvironmentVariable(ControlEndpoint.EnvironmentVariable, "/tmp/from-env.sock");
        var e = ControlEndpoint.Resolve("/tmp/from-option.sock");
        Assert.Equal("/tmp/from-option.sock", e.Address);
        Assert.False(e.IsNamedPipe);
        Assert.False(e.OwnsDirectory);
    }

    [Fact]
    public void OBS_FACESWAP_ENDPOINT_beats_the_defaults()
    {
        Environment.SetEnvironmentVariable(ControlEndpoint.EnvironmentVariable, "/tmp/from-env.sock");
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", _temp.FullName);
        var e = ControlEndpoint.Resolve();
        Assert.Equal("/tmp/from-env.sock", e.Address);
        Assert.False(e.OwnsDirectory);
    }

    [Fact]
    public void XDG_RUNTIME_DIR_is_used_next()
    {
        Environment.SetEnvironmentVariable(ControlEndpoint.EnvironmentVariable, null);
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", _temp.FullName);
        var e = ControlEndpoint.Resolve();
        Assert.Equal(Path.Combine(_temp.FullName, "obs-faceswap", "control.sock"), e.Address);
        Assert.True(e.OwnsDirectory);
    }

    [Fact]
    public void Without_either_the_socket_lives_in_a_per_uid_directory_under_tmp()
    {
        Environment.SetEnvironmentVariable(ControlEndpoint.EnvironmentVariable, null);
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", null);
        var e = ControlEndpoint.Resolve();
        Assert.Equal($"/tmp/obs-faceswap-{ControlEndpoint.GetUid()}/control.sock", e.Address);
        Assert.True(e.OwnsDirectory);
        Assert.Equal(e.Address, e.ToString());
    }

    [Fact]
    public void The_default_directory_is_made_private_even_when_it_already_exists()
    {
        Environment.SetEnvironmentVariable(ControlEndpoint.EnvironmentVariable, null);
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", _temp.FullName);
        var dir = Path.Combine(_temp.FullName, "obs-faceswap");
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        ControlEndpoint.Resolve().EnsureDirectory();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
    }

    [Fact]
    public void A_missing_directory_of_an_explicit_endpoint_is_created_0700()
    {
        var path = Path.Combine(_temp.FullName, "a", "b", "c.sock");
        ControlEndpoint.Resolve(path).EnsureDirectory();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task Connecting_where_nothing_listens_fails_with_a_clear_IOException()
    {
        var e = ControlEndpoint.Resolve(Path.Combine(_temp.FullName, "nobody.sock"));
        var error = await Assert.ThrowsAsync<IOException>(() => e.ConnectAsync(TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.Contains("nobody.sock", error.Message, StringComparison.Ordinal);
        Assert.Contains("no socket exists", error.Message, StringComparison.Ordinal);
    }
}

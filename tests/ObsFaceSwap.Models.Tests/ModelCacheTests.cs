namespace ObsFaceSwap.Models.Tests;

public sealed class ModelCacheTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values)
        => key => values.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void Linux_uses_XDG_CACHE_HOME_then_HOME()
    {
        Assert.Equal("/x/cache/obs-faceswap/models", ModelCache.DefaultDirectory(Env(("XDG_CACHE_HOME", "/x/cache"), ("HOME", "/home/u")), windows: false));
        Assert.Equal("/home/u/.cache/obs-faceswap/models", ModelCache.DefaultDirectory(Env(("HOME", "/home/u")), windows: false));
        Assert.Equal("/home/u/.cache/obs-faceswap/models", ModelCache.DefaultDirectory(Env(("XDG_CACHE_HOME", "relative"), ("HOME", "/home/u")), windows: false));
    }

    [Fact]
    public void Windows_uses_LOCALAPPDATA()
    {
        var dir = ModelCache.DefaultDirectory(Env(("LOCALAPPDATA", "/appdata")), windows: true);
        Assert.Equal(Path.Combine("/appdata", "obs-faceswap", "models"), dir);
    }

    [Fact]
    public void The_environment_override_wins()
    {
        Assert.Equal("/elsewhere", ModelCache.DefaultDirectory(Env((ModelCache.EnvironmentVariable, "/elsewhere"), ("HOME", "/home/u")), windows: false));
    }
}

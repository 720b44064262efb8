namespace ObsFaceSwap.Models;

/// <summary>Where downloaded models live by default.</summary>
public static class ModelCache
{
    /// <summary>Environment variable that overrides the default cache folder.</summary>
    public const string EnvironmentVariable = "OBS_FACESWAP_MODEL_CACHE";

    /// <summary>
    /// The default cache folder: <c>$OBS_FACESWAP_MODEL_CACHE</c> if set; on Windows
    /// <c>%LOCALAPPDATA%\obs-faceswap\models</c>; elsewhere <c>$XDG_CACHE_HOME/obs-faceswap/models</c>,
    /// else <c>~/.cache/obs-faceswap/models</c>.
    /// </summary>
    public static string DefaultDirectory() => DefaultDirectory(Environment.GetEnvironmentVariable, OperatingSystem.IsWindows());

    /// <summary>The default folder computed from the given environment (for tests).</summary>
    public static string DefaultDirectory(Func<string, string?> environment, bool windows)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var overridden = environment(EnvironmentVariable);
        if (!string.IsNullOrEmpty(overridden))
        {
            return Path.GetFullPath(overridden);
        }

        if (windows)
        {
            var local = environment("LOCALAPPDATA");
            if (string.IsNullOrEmpty(local))
            {
                local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            }

            return Path.Combine(local, "obs-faceswap", "models");
        }

        var xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "obs-faceswap", "models");
        }

        var home = environment("HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        return Path.Combine(home, ".cache", "obs-faceswap", "models");
    }
}

namespace ObsFaceSwap.Testing;

/// <summary>
/// The build outputs the end-to-end tests load into OBS, located by environment variables with
/// repository defaults: <c>OBS_FACESWAP_MODULE_DIR</c>, <c>OBS_FACESWAP_DATA_DIR</c>, <c>OBS_FACESWAP_HOST</c>.
/// </summary>
public static class BuildOutputs
{
    /// <summary>The module's file name.</summary>
    public const string ModuleFileName = "obs-faceswap.so";

    /// <summary>The module name (the data folder under <see cref="DataDirectory"/> and the vendor name).</summary>
    public const string ModuleName = "obs-faceswap";

    /// <summary>The folder holding obs-faceswap.so (OBS_PLUGINS_PATH); default build/native/bin.</summary>
    public static string ModuleDirectory =>
        FromEnvironment("OBS_FACESWAP_MODULE_DIR") ?? Path.Combine(RepositoryLayout.Root, "build", "native", "bin");

    /// <summary>The folder holding obs-faceswap/ data (OBS_PLUGINS_DATA_PATH); default build/native/data.</summary>
    public static string DataDirectory =>
        FromEnvironment("OBS_FACESWAP_DATA_DIR") ?? Path.Combine(RepositoryLayout.Root, "build", "native", "data");

    /// <summary>The host executable; default src/ObsFaceSwap.Host/bin/Release/net10.0/obs-faceswap-host.</summary>
    public static string HostPath =>
        FromEnvironment("OBS_FACESWAP_HOST")
        ?? Path.Combine(RepositoryLayout.Root, "src", "ObsFaceSwap.Host", "bin", "Release", "net10.0", "obs-faceswap-host");

    /// <summary>
    /// The model cache the host reads (passed to OBS, and so to the host, as OBS_FACESWAP_MODEL_CACHE,
    /// because OBS runs with its own HOME): <c>$OBS_FACESWAP_MODEL_CACHE</c>, else
    /// <c>$XDG_CACHE_HOME/obs-faceswap/models</c>, else <c>~/.cache/obs-faceswap/models</c>
    /// of the test process (the rule of ObsFaceSwap.Models.ModelCache).
    /// </summary>
    public static string ModelCacheDirectory =>
        FromEnvironment("OBS_FACESWAP_MODEL_CACHE")
        ?? (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? Path.Combine(xdg, "obs-faceswap", "models")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "obs-faceswap", "models"));

    /// <summary>The module file.</summary>
    public static string ModulePath => Path.Combine(ModuleDirectory, ModuleFileName);

    /// <summary>Throws <see cref="FileNotFoundException"/> with build instructions unless the module and its data exist.</summary>
    public static void EnsureModuleBuilt()
    {
        if (!File.Exists(ModulePath))
        {
            throw new FileNotFoundException(
                $"The OBS module {ModulePath} does not exist. Build it first (bash scripts/build.sh, or "
                + "cmake -S native-shim -B build/native && cmake --build build/native), or set OBS_FACESWAP_MODULE_DIR.",
                ModulePath);
        }

        var data = Path.Combine(DataDirectory, ModuleName);
        if (!Directory.Exists(data))
        {
            throw new DirectoryNotFoundException(
                $"The module's data folder {data} does not exist. Build the module first (bash scripts/build.sh), "
                + "or set OBS_FACESWAP_DATA_DIR to the folder that holds obs-faceswap/.");
        }
    }

    /// <summary>Throws <see cref="FileNotFoundException"/> with build instructions unless the host executable exists.</summary>
    public static void EnsureHostBuilt()
    {
        if (!File.Exists(HostPath))
        {
            throw new FileNotFoundException(
                $"The host {HostPath} does not exist. Build it first (bash scripts/build.sh, or "
                + "dotnet build -c Release src/ObsFaceSwap.Host), or set OBS_FACESWAP_HOST.",
                HostPath);
        }
    }

    private static string? FromEnvironment(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? Path.GetFullPath(value) : null;
}

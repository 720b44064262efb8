using System.ComponentModel;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace ObsFaceSwap.Inference;

/// <summary>
/// What the running ONNX Runtime offers: the providers it lists, the folder of its core library
/// (where the CUDA and TensorRT provider libraries must lie), and the operating system. Read once
/// per process (<see cref="Current"/>); tests build their own.
/// </summary>
/// <param name="Available">ONNX Runtime's provider names, e.g. <c>CUDAExecutionProvider</c>.</param>
/// <param name="CoreLibraryDirectory">Folder of libonnxruntime.so / onnxruntime.dll / libonnxruntime.dylib; null when not found.</param>
/// <param name="Os">The operating system, which names the provider libraries and rules out DirectML and CoreML.</param>
internal sealed record OrtProviderEnvironment(IReadOnlyCollection<string> Available, string? CoreLibraryDirectory, OrtOs Os)
{
    private static readonly Lazy<OrtProviderEnvironment> Lazy = new(Read);

    /// <summary>The environment of this process (loads ONNX Runtime on first use).</summary>
    public static OrtProviderEnvironment Current => Lazy.Value;

    /// <summary>The file name of provider library <paramref name="stem"/> on <see cref="Os"/>, e.g. <c>libonnxruntime_providers_cuda.so</c>.</summary>
    public string LibraryFileName(string stem) => Os switch
    {
        OrtOs.Windows => stem + ".dll",
        OrtOs.MacOS => "lib" + stem + ".dylib",
        _ => "lib" + stem + ".so",
    };

    /// <summary>Null when provider library <paramref name="stem"/> lies beside the core library, else why not.</summary>
    public string? MissingLibrary(string stem)
    {
        var file = LibraryFileName(stem);
        if (CoreLibraryDirectory is null)
        {
            return $"the ONNX Runtime library's folder was not found, so {file} cannot be checked";
        }

        return File.Exists(Path.Combine(CoreLibraryDirectory, file))
            ? null
            : $"its provider library {file} is not in {CoreLibraryDirectory}";
    }

    private static OrtProviderEnvironment Read()
    {
        var os = OperatingSystem.IsWindows() ? OrtOs.Windows : OperatingSystem.IsMacOS() ? OrtOs.MacOS : OrtOs.Linux;
        var available = OrtEnv.Instance().GetAvailableProviders();
        return new OrtProviderEnvironment(available, FindCoreLibraryDirectory(os), os);
    }

    /// <summary>
    /// The folder of the loaded core library (from the process's module list), else the first of
    /// the runtime's native search folders (NuGet's runtimes/RID/native included) and the
    /// application folder that holds it.
    /// </summary>
    private static string? FindCoreLibraryDirectory(OrtOs os)
    {
        try
        {
            using var process = Process.GetCurrentProcess();
            foreach (ProcessModule module in process.Modules)
            {
                var path = module.FileName;
                if (!string.IsNullOrEmpty(path) && IsCoreLibrary(Path.GetFileName(path), os))
                {
                    return Path.GetDirectoryName(path);
                }
            }
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or NotSupportedException or PlatformNotSupportedException)
        {
            // The module list is not readable here; search the folders instead.
        }

        var folders = (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Append(AppContext.BaseDirectory);
        foreach (var folder in folders)
        {
            if (Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(f => IsCoreLibrary(Path.GetFileName(f), os)))
            {
                return Path.GetFullPath(folder);
            }
        }

        return null;
    }

    private static bool IsCoreLibrary(string name, OrtOs os) => os switch
    {
        OrtOs.Windows => name.Equals("onnxruntime.dll", StringComparison.OrdinalIgnoreCase),
        OrtOs.MacOS => name.StartsWith("libonnxruntime.", StringComparison.Ordinal) && name.EndsWith(".dylib", StringComparison.Ordinal),
        _ => name.Equals("libonnxruntime.so", StringComparison.Ordinal) || name.StartsWith("libonnxruntime.so.", StringComparison.Ordinal),
    };
}

/// <summary>The operating systems ONNX Runtime's providers care about.</summary>
internal enum OrtOs
{
    /// <summary>Linux (and anything that is not Windows or macOS).</summary>
    Linux,

    /// <summary>Windows: DirectML; .dll names.</summary>
    Windows,

    /// <summary>macOS: CoreML; .dylib names.</summary>
    MacOS,
}

/// <summary>
/// Which providers a request tries, in order, whether each can run here, and how each is added
/// to a <see cref="SessionOptions"/>. <see cref="SessionLoader"/> falls back to the CPU when none does.
/// </summary>
internal static class ProviderSelection
{
    private const string CudaName = "CUDAExecutionProvider";
    private const string TensorRtName = "TensorrtExecutionProvider";
    private const string DirectMlName = "DmlExecutionProvider";
    private const string CoreMlName = "CoreMLExecutionProvider";
    private const string CudaLibrary = "onnxruntime_providers_cuda";
    private const string TensorRtLibrary = "onnxruntime_providers_tensorrt";

    /// <summary>
    /// The GPU providers <paramref name="requested"/> tries, best first: for
    /// <see cref="ExecutionProvider.Auto"/> CUDA, then DirectML on Windows, then CoreML on macOS;
    /// for an explicit provider just that one; none for the CPU.
    /// </summary>
    public static IReadOnlyList<ExecutionProvider> Candidates(ExecutionProvider requested, OrtOs os) => requested switch
    {
        ExecutionProvider.Cpu => [],
        ExecutionProvider.Auto => os switch
        {
            OrtOs.Windows => [ExecutionProvider.Cuda, ExecutionProvider.DirectML],
            OrtOs.MacOS => [ExecutionProvider.Cuda, ExecutionProvider.CoreML],
            _ => [ExecutionProvider.Cuda],
        },
        _ => [requested],
    };

    /// <summary>Null when <paramref name="provider"/> is worth trying here, else why it is not (one clause, no trailing period).</summary>
    public static string? Unavailable(ExecutionProvider provider, OrtProviderEnvironment env) => provider switch
    {
        ExecutionProvider.Cuda => NotListed(env, CudaName, "CUDA") ?? env.MissingLibrary(CudaLibrary),
        ExecutionProvider.TensorRT => NotListed(env, TensorRtName, "TensorRT") ?? env.MissingLibrary(TensorRtLibrary),
        ExecutionProvider.DirectML => env.Os != OrtOs.Windows ? "DirectML runs only on Windows" : NotListed(env, DirectMlName, "DirectML"),
        ExecutionProvider.CoreML => env.Os != OrtOs.MacOS ? "CoreML runs only on macOS" : NotListed(env, CoreMlName, "CoreML"),
        _ => null,
    };

    /// <summary>
    /// Adds <paramref name="provider"/> to <paramref name="options"/> through the managed API.
    /// Returns a note for the log line (empty when there is nothing to add).
    /// </summary>
    /// <exception cref="OnnxRuntimeException">The provider did not load (see <see cref="IsLoadFailure"/> for the others).</exception>
    public static string Append(SessionOptions options, ExecutionProvider provider, int deviceId, OrtProviderEnvironment env)
    {
        switch (provider)
        {
            case ExecutionProvider.Cuda:
                options.AppendExecutionProvider_CUDA(deviceId);
                return $"device {deviceId}";
            case ExecutionProvider.TensorRT:
                options.AppendExecutionProvider_Tensorrt(deviceId);
                if (Unavailable(ExecutionProvider.Cuda, env) is { } noCuda)
                {
                    return $"device {deviceId}, without CUDA behind it: {noCuda}";
                }

                try
                {
                    options.AppendExecutionProvider_CUDA(deviceId);
                    return $"device {deviceId}, CUDA behind it";
                }
                catch (Exception e) when (IsLoadFailure(e))
                {
                    return $"device {deviceId}, without CUDA behind it: {FirstLine(e.Message)}";
                }

            case ExecutionProvider.DirectML:
                // DirectML needs sequential execution and no memory pattern (ONNX Runtime's DirectML documentation).
                options.AppendExecutionProvider_DML(deviceId);
                options.EnableMemoryPattern = false;
                options.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
                return $"adapter {deviceId}";
            case ExecutionProvider.CoreML:
                // By name: the managed AppendExecutionProvider_CoreML is compiled only where
                // __ENABLE_COREML__ is defined (not in the sources built here); the generic call
                // reaches the same provider in every build.
                options.AppendExecutionProvider("CoreML");
                return string.Empty;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "not a GPU provider");
        }
    }

    /// <summary>The exceptions a provider that cannot load raises through the managed API.</summary>
    public static bool IsLoadFailure(Exception e) =>
        e is OnnxRuntimeException or NotSupportedException or EntryPointNotFoundException or DllNotFoundException;

    /// <summary>The first line of an ONNX Runtime message (they can run to many lines).</summary>
    public static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        var newline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? trimmed : trimmed[..newline].TrimEnd();
    }

    private static string? NotListed(OrtProviderEnvironment env, string ortName, string display) => env.Available.Contains(ortName)
        ? null
        : $"this ONNX Runtime build has no {display} provider (it lists {string.Join(", ", env.Available)})";
}

using System.Reflection;

namespace ObsFaceSwap.Host;

/// <summary>Process exit codes of obs-faceswap-host.</summary>
internal static class ExitCodes
{
    /// <summary>Success (for <c>run</c>: stopped by a signal or after the idle time).</summary>
    public const int Ok = 0;

    /// <summary>Unexpected failure, or the host answered a stats request with an error.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line.</summary>
    public const int Usage = 2;

    /// <summary><c>run</c>: another host already listens on the endpoint.</summary>
    public const int EndpointInUse = 3;

    /// <summary><c>stats</c>: no host answered at the endpoint.</summary>
    public const int NoHost = 4;
}

/// <summary>Facts about this build.</summary>
internal static class HostInfo
{
    /// <summary>The version from buildspec.json (via Directory.Build.props).</summary>
    public static string Version { get; } =
        typeof(HostInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}

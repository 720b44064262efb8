using System.Net;
using System.Net.Sockets;

namespace ObsFaceSwap.Testing;

/// <summary>
/// Guards against running OBS on a real network: OBS looks up hosts on the internet at start
/// and obs-websocket listens on every interface. The harness runs only in a private network
/// namespace (<c>unshare -n</c>) whose sole interface is a loopback that is up.
/// </summary>
public static class NetworkNamespace
{
    /// <summary>How to run the end-to-end tests correctly.</summary>
    public const string HowToRun =
        "Run inside a private network namespace with loopback up, e.g. "
        + "unshare -n bash -c 'ip link set lo up && dotnet test tests/ObsFaceSwap.EndToEnd.Tests -c Release' "
        + "(or bash scripts/test.sh, which does that).";

    /// <summary>The network interfaces of this process's namespace (from /proc/net/dev).</summary>
    /// <returns>Interface names.</returns>
    public static IReadOnlyList<string> InterfaceNames()
    {
        // /proc/net is per network namespace (unlike /sys/class/net, which shows the namespace
        // that mounted sysfs). Lines after the two headers are "  name: counters...".
        return File.ReadLines("/proc/net/dev")
            .Skip(2)
            .Select(line => line.Split(':', 2)[0].Trim())
            .Where(name => name.Length > 0)
            .ToList();
    }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> unless this process is in a network
    /// namespace whose only interface is loopback, and loopback is up.
    /// </summary>
    public static void EnsurePrivate()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The end-to-end harness runs on Linux only.");
        }

        var others = InterfaceNames().Where(name => name != "lo").ToList();
        if (others.Count > 0)
        {
            throw new InvalidOperationException(
                $"Refusing to start OBS: this process can reach network interfaces other than loopback ({string.Join(", ", others)}). "
                + HowToRun);
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException(
                $"Loopback is down in this network namespace ({ex.SocketErrorCode}): run `ip link set lo up` first. " + HowToRun, ex);
        }
    }
}

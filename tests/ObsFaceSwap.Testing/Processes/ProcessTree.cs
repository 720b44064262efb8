using System.Globalization;

namespace ObsFaceSwap.Testing.Processes;

/// <summary>One process as /proc describes it; the start time tells a reused PID apart.</summary>
/// <param name="Pid">The process id.</param>
/// <param name="ParentPid">The parent's process id.</param>
/// <param name="StartTicks">Start time in clock ticks after boot (field 22 of /proc/PID/stat).</param>
/// <param name="Command">The command name (comm).</param>
public readonly record struct ProcessIdentity(int Pid, int ParentPid, ulong StartTicks, string Command)
{
    /// <summary>Whether this same process (PID and start time) is still alive and not a zombie.</summary>
    public bool IsAlive => ProcessTree.Read(Pid) is { } now && now.StartTicks == StartTicks && !ProcessTree.IsZombie(Pid);
}

/// <summary>Reads process relationships from /proc (Linux).</summary>
public static class ProcessTree
{
    /// <summary>Reads /proc/PID/stat.</summary>
    /// <param name="pid">The process id.</param>
    /// <returns>The identity, or null if the process does not exist.</returns>
    public static ProcessIdentity? Read(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ..." where comm may contain spaces and parentheses.
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ');
        // fields[0] is the state (field 3); ppid is field 4; starttime is field 22.
        return new ProcessIdentity(
            pid,
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            ulong.Parse(fields[19], CultureInfo.InvariantCulture),
            stat[(open + 1)..close]);
    }

    /// <summary>Whether the process is a zombie (exited, not yet reaped).</summary>
    /// <param name="pid">The process id.</param>
    /// <returns>True for a zombie.</returns>
    public static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>All live descendants of a process, children first.</summary>
    /// <param name="pid">The ancestor.</param>
    /// <returns>The descendants.</returns>
    public static IReadOnlyList<ProcessIdentity> Descendants(int pid)
    {
        var all = Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is not null && name.All(char.IsAsciiDigit))
            .Select(name => Read(int.Parse(name!, CultureInfo.InvariantCulture)))
            .OfType<ProcessIdentity>()
            .ToList();
        var result = new List<ProcessIdentity>();
        var frontier = new Queue<int>([pid]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var child in all.Where(p => p.ParentPid == parent))
            {
                result.Add(child);
                frontier.Enqueue(child.Pid);
            }
        }

        return result;
    }

    /// <summary>Live processes whose environment holds <c>NAME=VALUE</c> (readable for our own processes).</summary>
    /// <param name="name">The variable name.</param>
    /// <param name="value">Its exact value.</param>
    /// <returns>The processes.</returns>
    public static IReadOnlyList<ProcessIdentity> FindByEnvironment(string name, string value)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(name + "=" + value);
        var result = new List<ProcessIdentity>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var file = Path.GetFileName(dir);
            if (!file.All(char.IsAsciiDigit))
            {
                continue;
            }

            byte[] environ;
            try
            {
                environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // Entries are NUL-terminated "NAME=VALUE" strings.
            foreach (var entry in new ReadOnlySpan<byte>(environ).Split((byte)0))
            {
                if (environ.AsSpan(entry).SequenceEqual(needle))
                {
                    if (Read(int.Parse(file, CultureInfo.InvariantCulture)) is { } identity && !IsZombie(identity.Pid))
                    {
                        result.Add(identity);
                    }

                    break;
                }
            }
        }

        return result;
    }
}

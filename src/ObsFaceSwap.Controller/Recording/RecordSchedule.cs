using System.Globalization;
using System.Text.RegularExpressions;

namespace ObsFaceSwap.Controller.Recording;

/// <summary>When a scheduled recording starts and stops.</summary>
/// <param name="Start">Start time.</param>
/// <param name="Stop">Stop time (after <paramref name="Start"/>).</param>
public sealed partial record RecordSchedule(DateTimeOffset Start, DateTimeOffset Stop)
{
    /// <summary>The longest schedule accepted (a typo guard).</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    /// <summary>
    /// Parses <c>--start</c> and <c>--stop</c>. Each is <c>now</c>, a relative time (<c>+90s</c>, <c>+15m</c>,
    /// <c>+2h</c>; for the stop, relative to the start), a time of day (<c>HH:mm</c> or <c>HH:mm:ss</c>, local;
    /// the next such moment: today, or tomorrow when it has passed, for the stop the next after the start),
    /// or an ISO 8601 date and time (<c>2026-11-21T20:00</c>, local unless it has an offset).
    /// </summary>
    /// <exception cref="FormatException">A time is malformed, the stop is not after the start, the start is in the past, or the schedule is longer than 24 h.</exception>
    public static RecordSchedule Parse(string start, string stop, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(stop);
        var s = ParseTime(start, now, "--start");
        var e = ParseTime(stop, s, "--stop");
        if (s < now - TimeSpan.FromSeconds(1))
        {
            throw new FormatException($"--start {start} is in the past ({s:yyyy-MM-dd HH:mm:ss})");
        }

        if (e <= s)
        {
            throw new FormatException($"--stop {stop} ({e:yyyy-MM-dd HH:mm:ss}) is not after --start ({s:yyyy-MM-dd HH:mm:ss})");
        }

        if (e - s > MaxDuration)
        {
            throw new FormatException($"the schedule is {(e - s).TotalHours:0.#} h long; at most {MaxDuration.TotalHours:0} h");
        }

        return new RecordSchedule(s, e);
    }

    private static DateTimeOffset ParseTime(string text, DateTimeOffset reference, string what)
    {
        text = text.Trim();
        if (text == "now")
        {
            return reference;
        }

        var relative = RelativePattern().Match(text);
        if (relative.Success)
        {
            var n = double.Parse(relative.Groups[1].Value, CultureInfo.InvariantCulture);
            return reference + (relative.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromHours(n),
            });
        }

        if (TimeOnly.TryParseExact(text, ["HH:mm", "HH:mm:ss", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            var candidate = new DateTimeOffset(reference.Date + time.ToTimeSpan(), reference.Offset);
            return candidate <= reference ? candidate.AddDays(1) : candidate;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var absolute) && text.Contains('T', StringComparison.Ordinal))
        {
            return absolute;
        }

        throw new FormatException($"{what} '{text}' is not now, +N[s|m|h], HH:mm[:ss] or an ISO 8601 date and time");
    }

    [GeneratedRegex(@"^\+(\d+(?:\.\d+)?)([smh])$")]
    private static partial Regex RelativePattern();
}

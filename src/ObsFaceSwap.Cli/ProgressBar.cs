using System.Globalization;
using ObsFaceSwap.Models;

namespace ObsFaceSwap.Cli;

/// <summary>
/// Transfer progress on stderr: on a terminal one line redrawn in place (<c>[#####.....]  50%  8.0 / 16.1 MiB</c>);
/// otherwise one line per 10 %. Synchronous (reports arrive on the transfer's thread), so it never lags behind.
/// </summary>
/// <remarks><paramref name="formatAmount"/> formats the amounts (default: sizes in KiB/MiB); <c>process</c> passes a frame counter.</remarks>
internal sealed class ProgressBar(TextWriter error, bool interactive, Func<long?, string>? formatAmount = null) : IProgress<TransferProgress>
{
    private const int Width = 30;
    private int _lastStep = -1;
    private bool _drawn;
    private bool _resumeNoted;
    private readonly Func<long?, string> _format = formatAmount ?? ModelsCommands.FormatSize;

    /// <inheritdoc />
    public void Report(TransferProgress value)
    {
        if (value.Resumed && !_resumeNoted)
        {
            _resumeNoted = true;
            NewLineIfDrawn();
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{value.Id}: resuming at {_format(value.BytesDone)}"));
        }

        var fraction = value.Fraction;
        var text = fraction is { } f
            ? string.Create(CultureInfo.InvariantCulture, $"{value.Id} [{new string('#', (int)(f * Width)).PadRight(Width, '.')}] {f * 100,3:0}%  {_format(value.BytesDone)} / {_format(value.TotalBytes)}")
            : $"{value.Id} {_format(value.BytesDone)}";
        if (interactive)
        {
            error.Write("\r" + text);
            _drawn = true;
            return;
        }

        var step = fraction is { } g ? (int)(g * 10) : (int)(value.BytesDone / (16L * 1024 * 1024));
        if (step != _lastStep)
        {
            _lastStep = step;
            error.WriteLine(text);
        }
    }

    /// <summary>Ends the redrawn line, if any.</summary>
    public void Finish() => NewLineIfDrawn();

    private void NewLineIfDrawn()
    {
        if (_drawn)
        {
            error.WriteLine();
            _drawn = false;
        }
    }
}

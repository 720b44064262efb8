namespace ObsFaceSwap.Channel;

/// <summary>
/// Reads control messages from a byte stream (Unix socket or named pipe). One reusable buffer:
/// a returned <see cref="ControlMessage.Payload"/> is valid until the next read.
/// </summary>
public sealed class ControlStreamReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[Wire.ControlHeaderSize + Wire.ControlMaxPayload];

    /// <summary>Creates a reader over <paramref name="stream"/> (not owned).</summary>
    public ControlStreamReader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>
    /// Reads one message. Returns null when the peer closed the stream between messages.
    /// </summary>
    /// <exception cref="ControlProtocolException">The header is invalid; the connection must be closed.</exception>
    /// <exception cref="EndOfStreamException">The stream ended inside a message.</exception>
    public async ValueTask<ControlMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        var got = await ReadAtLeastAsync(_buffer.AsMemory(0, Wire.ControlHeaderSize), cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        if (got < Wire.ControlHeaderSize)
        {
            throw new EndOfStreamException($"the control stream ended inside a header ({got} of {Wire.ControlHeaderSize} bytes)");
        }

        var header = ControlCodec.ParseHeader(_buffer.AsSpan(0, Wire.ControlHeaderSize));
        var payload = _buffer.AsMemory(Wire.ControlHeaderSize, (int)header.Length);
        if (payload.Length > 0)
        {
            got = await ReadAtLeastAsync(payload, cancellationToken).ConfigureAwait(false);
            if (got < payload.Length)
            {
                throw new EndOfStreamException($"the control stream ended inside a payload ({got} of {payload.Length} bytes)");
            }
        }

        return new ControlMessage((ControlMessageType)header.Type, header.RequestId, payload);
    }

    private async ValueTask<int> ReadAtLeastAsync(Memory<byte> destination, CancellationToken cancellationToken)
        => await _stream.ReadAtLeastAsync(destination, destination.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace ObsFaceSwap.Channel;

/// <summary>
/// A control message that failed validation. <see cref="Code"/> is the spec's error code to
/// answer with; <see cref="ClosesConnection"/> tells whether the connection must be closed.
/// </summary>
public sealed class ControlProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ControlProtocolException(ControlErrorCode code, string message, bool closesConnection = true)
        : base(message)
    {
        Code = code;
        ClosesConnection = closesConnection;
    }

    /// <summary>Creates the exception with the failure that caused it.</summary>
    public ControlProtocolException(ControlErrorCode code, string message, Exception innerException)
        : base(message, innerException)
    {
        Code = code;
        ClosesConnection = true;
    }

    /// <summary>Creates the exception (code <see cref="ControlErrorCode.Malformed"/>).</summary>
    public ControlProtocolException()
        : this(ControlErrorCode.Malformed, "malformed control message")
    {
    }

    /// <summary>Creates the exception (code <see cref="ControlErrorCode.Malformed"/>).</summary>
    public ControlProtocolException(string message)
        : this(ControlErrorCode.Malformed, message)
    {
    }

    /// <summary>Creates the exception (code <see cref="ControlErrorCode.Malformed"/>).</summary>
    public ControlProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ControlErrorCode.Malformed;
        ClosesConnection = true;
    }

    /// <summary>The error code of the spec.</summary>
    public ControlErrorCode Code { get; }

    /// <summary>True when the connection cannot continue.</summary>
    public bool ClosesConnection { get; }
}

/// <summary>One decoded control message: header fields and the payload bytes.</summary>
/// <param name="Type">The message type.</param>
/// <param name="RequestId">Echoed in the answer; 0 for notifications.</param>
/// <param name="Payload">The payload (<c>length</c> bytes).</param>
public readonly record struct ControlMessage(ControlMessageType Type, uint RequestId, ReadOnlyMemory<byte> Payload);

/// <summary>The payload of <c>OPEN_CHANNEL</c>.</summary>
/// <param name="ChannelId">The channel's id.</param>
/// <param name="Size">Bytes to map.</param>
/// <param name="ShmName">shm_open / file-mapping name.</param>
/// <param name="WakeName">Windows wake event name; empty on Linux.</param>
public sealed record OpenChannelRequest(ulong ChannelId, ulong Size, string ShmName, string WakeName);

/// <summary>The payload of <c>ERROR</c>.</summary>
/// <param name="Code">The error code.</param>
/// <param name="Text">The UTF-8 text.</param>
public sealed record ControlError(ControlErrorCode Code, string Text);

/// <summary>
/// Encoder and strict decoder of the control protocol (wire.h "Control endpoint"): a 16-byte
/// <see cref="OfsControlHeader"/> then at most <see cref="Wire.ControlMaxPayload"/> payload
/// bytes whose size must suit the type.
/// </summary>
public static class ControlCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Parses and validates a header: magic, version, known type, payload length within the
    /// limit and suitable for the type.
    /// </summary>
    /// <exception cref="ControlProtocolException">The header is invalid (the connection must close).</exception>
    public static OfsControlHeader ParseHeader(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Wire.ControlHeaderSize)
        {
            throw new ControlProtocolException(ControlErrorCode.BadLength, $"control header needs {Wire.ControlHeaderSize} bytes, got {bytes.Length}");
        }

        var header = new OfsControlHeader
        {
            Magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            Version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]),
            Type = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]),
            Length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
            RequestId = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]),
        };

        if (header.Magic != Wire.ControlMagic)
        {
            throw new ControlProtocolException(ControlErrorCode.Malformed, $"control field 'magic' is 0x{header.Magic:X8}, expected 0x{Wire.ControlMagic:X8}");
        }

        if (header.Version != Wire.ControlVersion)
        {
            throw new ControlProtocolException(ControlErrorCode.VersionMismatch, $"control field 'version' is {header.Version}, expected {Wire.ControlVersion}");
        }

        if (header.Type is < (ushort)ControlMessageType.Hello or > (ushort)ControlMessageType.ChannelOpened)
        {
            throw new ControlProtocolException(ControlErrorCode.UnknownType, $"control field 'type' is {header.Type}, not a known message type");
        }

        if (header.Length > Wire.ControlMaxPayload)
        {
            throw new ControlProtocolException(ControlErrorCode.BadLength, $"control field 'length' is {header.Length}, expected <= {Wire.ControlMaxPayload}");
        }

        ValidatePayloadLength((ControlMessageType)header.Type, header.Length);
        return header;
    }

    /// <summary>Checks a payload length against what the type carries.</summary>
    /// <exception cref="ControlProtocolException">Wrong length (<see cref="ControlErrorCode.BadLength"/>).</exception>
    public static void ValidatePayloadLength(ControlMessageType type, uint length)
    {
        var (min, max) = PayloadBounds(type);
        if (length < min || length > max)
        {
            var expected = min == max ? $"{min}" : $"{min}..{max}";
            throw new ControlProtocolException(ControlErrorCode.BadLength, $"control field 'length' is {length} for {type}, expected {expected}");
        }
    }

    /// <summary>Smallest and largest payload of a type.</summary>
    public static (uint Min, uint Max) PayloadBounds(ControlMessageType type) => type switch
    {
        ControlMessageType.Hello or ControlMessageType.HelloAck => (8, 8),
        ControlMessageType.OpenChannel => (272, 272),
        ControlMessageType.CloseChannel or ControlMessageType.ChannelOpened or ControlMessageType.StatsRequest => (8, 8),
        ControlMessageType.Settings or ControlMessageType.Error => (8, Wire.ControlMaxPayload),
        ControlMessageType.StatsReply => (0, Wire.ControlMaxPayload),
        _ => throw new ControlProtocolException(ControlErrorCode.UnknownType, $"control field 'type' is {(ushort)type}, not a known message type"),
    };

    /// <summary>Encodes one message: header then <paramref name="payload"/>.</summary>
    /// <exception cref="ControlProtocolException">The payload does not suit the type.</exception>
    public static byte[] Encode(ControlMessageType type, uint requestId, ReadOnlySpan<byte> payload)
    {
        ValidatePayloadLength(type, (uint)payload.Length);
        var message = new byte[Wire.ControlHeaderSize + payload.Length];
        WriteHeader(message, type, requestId, (uint)payload.Length);
        payload.CopyTo(message.AsSpan(Wire.ControlHeaderSize));
        return message;
    }

    /// <summary>Writes a header (no validation: tests use it to build bad messages).</summary>
    public static void WriteHeader(Span<byte> destination, ControlMessageType type, uint requestId, uint length, uint magic = Wire.ControlMagic, ushort version = (ushort)Wire.ControlVersion)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], (ushort)type);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], requestId);
    }

    /// <summary><c>HELLO</c> or <c>HELLO_ACK</c> with <see cref="OfsMsgHello"/>.</summary>
    public static byte[] EncodeHello(ControlMessageType type, uint requestId, uint pid, uint wireVersion = Wire.WireVersion)
    {
        if (type is not (ControlMessageType.Hello or ControlMessageType.HelloAck))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "HELLO or HELLO_ACK");
        }

        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, pid);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[4..], wireVersion);
        return Encode(type, requestId, payload);
    }

    /// <summary><c>OPEN_CHANNEL</c>.</summary>
    /// <exception cref="ArgumentException">A name does not fit in 127 bytes of UTF-8.</exception>
    public static byte[] EncodeOpenChannel(uint requestId, OpenChannelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Span<byte> payload = stackalloc byte[272];
        payload.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(payload, request.ChannelId);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[8..], request.Size);
        WriteName(payload.Slice(16, (int)Wire.ShmNameMax), request.ShmName, nameof(request.ShmName));
        WriteName(payload.Slice(16 + (int)Wire.ShmNameMax, (int)Wire.ShmNameMax), request.WakeName, nameof(request.WakeName));
        return Encode(ControlMessageType.OpenChannel, requestId, payload);
    }

    /// <summary><c>CLOSE_CHANNEL</c>, <c>CHANNEL_OPENED</c> or <c>STATS_REQUEST</c> with <see cref="OfsMsgChannelRef"/>.</summary>
    public static byte[] EncodeChannelRef(ControlMessageType type, uint requestId, ulong channelId)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, channelId);
        return Encode(type, requestId, payload);
    }

    /// <summary><c>SETTINGS</c>: channel ref then UTF-8 JSON.</summary>
    public static byte[] EncodeSettings(uint requestId, ulong channelId, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var text = Encoding.UTF8.GetBytes(json);
        var payload = new byte[8 + text.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, channelId);
        text.CopyTo(payload, 8);
        return Encode(ControlMessageType.Settings, requestId, payload);
    }

    /// <summary><c>STATS_REPLY</c>: UTF-8 JSON.</summary>
    public static byte[] EncodeStatsReply(uint requestId, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Encode(ControlMessageType.StatsReply, requestId, Encoding.UTF8.GetBytes(json));
    }

    /// <summary><c>ERROR</c>: code then UTF-8 text (cut to fit the payload limit).</summary>
    public static byte[] EncodeError(uint requestId, ControlErrorCode code, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var length = Math.Min(bytes.Length, (int)Wire.ControlMaxPayload - 8);
        var payload = new byte[8 + length];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)code);
        bytes.AsSpan(0, length).CopyTo(payload.AsSpan(8));
        return Encode(ControlMessageType.Error, requestId, payload);
    }

    /// <summary>Decodes <see cref="OfsMsgHello"/>.</summary>
    public static OfsMsgHello DecodeHello(ReadOnlySpan<byte> payload)
    {
        RequireLength(payload, 8, "hello");
        return new OfsMsgHello
        {
            Pid = BinaryPrimitives.ReadUInt32LittleEndian(payload),
            WireVersion = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]),
        };
    }

    /// <summary>Decodes the channel id of <see cref="OfsMsgChannelRef"/> (also the prefix of <c>SETTINGS</c>).</summary>
    public static ulong DecodeChannelRef(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8)
        {
            throw new ControlProtocolException(ControlErrorCode.BadLength, $"channel ref needs 8 bytes, got {payload.Length}");
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(payload);
    }

    /// <summary>The JSON bytes of <c>SETTINGS</c> (after the channel ref).</summary>
    public static ReadOnlySpan<byte> SettingsJson(ReadOnlySpan<byte> payload)
    {
        _ = DecodeChannelRef(payload);
        return payload[8..];
    }

    /// <summary>Decodes <see cref="OfsMsgOpenChannel"/>: names must be NUL-terminated UTF-8.</summary>
    /// <exception cref="ControlProtocolException">Wrong size or a malformed name.</exception>
    public static OpenChannelRequest DecodeOpenChannel(ReadOnlySpan<byte> payload)
    {
        RequireLength(payload, Marshal.SizeOf<OfsMsgOpenChannel>(), "open_channel");
        var id = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]);
        var shm = ReadName(payload.Slice(16, (int)Wire.ShmNameMax), "shm_name");
        var wake = ReadName(payload.Slice(16 + (int)Wire.ShmNameMax, (int)Wire.ShmNameMax), "wake_name");
        if (shm.Length == 0)
        {
            throw new ControlProtocolException(ControlErrorCode.Malformed, "open_channel field 'shm_name' is empty");
        }

        return new OpenChannelRequest(id, size, shm, wake);
    }

    /// <summary>Decodes <c>ERROR</c>.</summary>
    public static ControlError DecodeError(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8)
        {
            throw new ControlProtocolException(ControlErrorCode.BadLength, $"error needs at least 8 bytes, got {payload.Length}");
        }

        var code = (ControlErrorCode)BinaryPrimitives.ReadUInt32LittleEndian(payload);
        return new ControlError(code, Encoding.UTF8.GetString(payload[8..]));
    }

    /// <summary>Decodes strict UTF-8 text (JSON payloads).</summary>
    /// <exception cref="ControlProtocolException">The bytes are not valid UTF-8.</exception>
    public static string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ControlProtocolException(ControlErrorCode.Malformed, "payload is not valid UTF-8", e);
        }
    }

    private static void RequireLength(ReadOnlySpan<byte> payload, int length, string what)
    {
        if (payload.Length != length)
        {
            throw new ControlProtocolException(ControlErrorCode.BadLength, $"{what} needs {length} bytes, got {payload.Length}");
        }
    }

    private static string ReadName(ReadOnlySpan<byte> field, string name)
    {
        var end = field.IndexOf((byte)0);
        if (end < 0)
        {
            throw new ControlProtocolException(ControlErrorCode.Malformed, $"open_channel field '{name}' is not NUL-terminated within {field.Length} bytes");
        }

        try
        {
            return StrictUtf8.GetString(field[..end]);
        }
        catch (DecoderFallbackException e)
        {
            throw new ControlProtocolException($"open_channel field '{name}' is not valid UTF-8", e);
        }
    }

    private static void WriteName(Span<byte> field, string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        var count = Encoding.UTF8.GetByteCount(value);
        if (count >= field.Length)
        {
            throw new ArgumentException($"{paramName} needs {count} bytes of UTF-8; at most {field.Length - 1} fit", paramName);
        }

        Encoding.UTF8.GetBytes(value, field);
        field[count] = 0;
    }
}

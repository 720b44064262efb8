using System.Buffers.Binary;
using System.Text;

namespace ObsFaceSwap.Channel.Tests;

public sealed class ControlCodecTests
{
    [Fact]
    public async Task Every_message_round_trips_through_a_stream()
    {
        var open = new OpenChannelRequest(99, 123456, "/obs-faceswap-1-99", "Local\\obs-faceswap-1-99-wake");
        using var stream = new MemoryStream();
        stream.Write(ControlCodec.EncodeHello(ControlMessageType.Hello, 1, 4242));
        stream.Write(ControlCodec.EncodeHello(ControlMessageType.HelloAck, 1, 77));
        stream.Write(ControlCodec.EncodeOpenChannel(2, open));
        stream.Write(ControlCodec.EncodeChannelRef(ControlMessageType.ChannelOpened, 2, 99));
        stream.Write(ControlCodec.EncodeSettings(3, 99, "{\"mode\":\"off\"}"));
        stream.Write(ControlCodec.EncodeChannelRef(ControlMessageType.StatsRequest, 4, 0));
        stream.Write(ControlCodec.EncodeStatsReply(4, "{\"hostPid\":1}"));
        stream.Write(ControlCodec.EncodeError(5, ControlErrorCode.UnknownChannel, "no channel 5"));
        stream.Write(ControlCodec.EncodeChannelRef(ControlMessageType.CloseChannel, 0, 99));
        stream.Position = 0;

        var reader = new ControlStreamReader(stream);
        var m = await Next(reader, ControlMessageType.Hello, 1);
        var hello = ControlCodec.DecodeHello(m.Payload.Span);
        Assert.Equal(4242u, hello.Pid);
        Assert.Equal(Wire.WireVersion, hello.WireVersion);

        m = await Next(reader, ControlMessageType.HelloAck, 1);
        Assert.Equal(77u, ControlCodec.DecodeHello(m.Payload.Span).Pid);

        m = await Next(reader, ControlMessageType.OpenChannel, 2);
        Assert.Equal(272, m.Payload.Length);
        Assert.Equal(open, ControlCodec.DecodeOpenChannel(m.Payload.Span));

        m = await Next(reader, ControlMessageType.ChannelOpened, 2);
        Assert.Equal(99UL, ControlCodec.DecodeChannelRef(m.Payload.Span));

        m = await Next(reader, ControlMessageType.Settings, 3);
        Assert.Equal(99UL, ControlCodec.DecodeChannelRef(m.Payload.Span));
        Assert.Equal("{\"mode\":\"off\"}", Encoding.UTF8.GetString(ControlCodec.SettingsJson(m.Payload.Span)));

        m = await Next(reader, ControlMessageType.StatsRequest, 4);
        Assert.Equal(0UL, ControlCodec.DecodeChannelRef(m.Payload.Span));

        m = await Next(reader, ControlMessageType.StatsReply, 4);
        Assert.Equal("{\"hostPid\":1}", ControlCodec.DecodeUtf8(m.Payload.Span));

        m = await Next(reader, ControlMessageType.Error, 5);
        Assert.Equal(new ControlError(ControlErrorCode.UnknownChannel, "no channel 5"), ControlCodec.DecodeError(m.Payload.Span));

        m = await Next(reader, ControlMessageType.CloseChannel, 0);
        Assert.Equal(99UL, ControlCodec.DecodeChannelRef(m.Payload.Span));

        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public void The_header_is_little_endian_as_wire_h_defines_it()
    {
        var bytes = ControlCodec.EncodeChannelRef(ControlMessageType.StatsRequest, 0x01020304, 0x1122334455667788);
        Assert.Equal(24, bytes.Length);
        Assert.Equal(new byte[] { (byte)'O', (byte)'F', (byte)'S', (byte)'C' }, bytes[..4]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(6, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        Assert.Equal(8u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(0x01020304u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(0x1122334455667788UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
    }

    public static TheoryData<uint, ushort, ushort, uint, ControlErrorCode, string> BadHeaders => new()
    {
        { 0xDEADBEEF, 1, 1, 8, ControlErrorCode.Malformed, "magic" },
        { Wire.ControlMagic, 2, 1, 8, ControlErrorCode.VersionMismatch, "version" },
        { Wire.ControlMagic, 0, 1, 8, ControlErrorCode.VersionMismatch, "version" },
        { Wire.ControlMagic, 1, 0, 8, ControlErrorCode.UnknownType, "type" },
        { Wire.ControlMagic, 1, 10, 8, ControlErrorCode.UnknownType, "type" },
        { Wire.ControlMagic, 1, 0xFFFF, 8, ControlErrorCode.UnknownType, "type" },
        { Wire.ControlMagic, 1, 5, Wire.ControlMaxPayload + 1, ControlErrorCode.BadLength, "length" },
        { Wire.ControlMagic, 1, 5, uint.MaxValue, ControlErrorCode.BadLength, "length" },
        { Wire.ControlMagic, 1, 1, 7, ControlErrorCode.BadLength, "length" },
        { Wire.ControlMagic, 1, 1, 9, ControlErrorCode.BadLength, "length" },
        { Wire.ControlMagic, 1, 3, 271, ControlErrorCode.BadLength, "length" },
        { Wire.ControlMagic, 1, 4, 0, ControlErrorCode.BadLength, "length" },
        { Wire.ControlMagic, 1, 5, 7, ControlErrorCode.BadLength, "length" },
        { Wire.ControlMagic, 1, 6, 16, ControlErrorCode.BadLength, "length" },
        { Wire.ControlMagic, 1, 8, 4, ControlErrorCode.BadLength, "length" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void A_bad_header_is_rejected_with_the_spec_error_code(uint magic, ushort version, ushort type, uint length, ControlErrorCode code, string field)
    {
        var header = new byte[16];
        ControlCodec.WriteHeader(header, (ControlMessageType)type, 1, length, magic, version);
        var e = Assert.Throws<ControlProtocolException>(() => ControlCodec.ParseHeader(header));
        Assert.Equal(code, e.Code);
        Assert.True(e.ClosesConnection);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_payloads_are_accepted_and_one_byte_more_is_not()
    {
        var header = new byte[16];
        ControlCodec.WriteHeader(header, ControlMessageType.Settings, 1, Wire.ControlMaxPayload);
        Assert.Equal(Wire.ControlMaxPayload, ControlCodec.ParseHeader(header).Length);
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Encode(ControlMessageType.StatsReply, 1, new byte[Wire.ControlMaxPayload + 1]));
        Assert.Equal((int)Wire.ControlMaxPayload + 16, ControlCodec.EncodeError(1, ControlErrorCode.Malformed, new string('x', 100_000)).Length);
    }

    [Fact]
    public async Task A_stream_that_ends_inside_a_message_is_an_error_and_a_clean_end_is_null()
    {
        var full = ControlCodec.EncodeChannelRef(ControlMessageType.StatsRequest, 1, 5);
        using (var s = new MemoryStream(full[..10]))
        {
            await Assert.ThrowsAsync<EndOfStreamException>(async () => await new ControlStreamReader(s).ReadAsync(CancellationToken.None));
        }

        using (var s = new MemoryStream(full[..20]))
        {
            await Assert.ThrowsAsync<EndOfStreamException>(async () => await new ControlStreamReader(s).ReadAsync(CancellationToken.None));
        }

        using (var s = new MemoryStream([]))
        {
            Assert.Null(await new ControlStreamReader(s).ReadAsync(CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_bad_header_in_a_stream_throws_the_protocol_error()
    {
        var bytes = ControlCodec.EncodeChannelRef(ControlMessageType.StatsRequest, 1, 5);
        bytes[0] = (byte)'X';
        using var s = new MemoryStream(bytes);
        var e = await Assert.ThrowsAsync<ControlProtocolException>(async () => await new ControlStreamReader(s).ReadAsync(CancellationToken.None));
        Assert.Equal(ControlErrorCode.Malformed, e.Code);
    }

    [Fact]
    public void Open_channel_names_must_be_NUL_terminated_UTF8_and_the_shm_name_not_empty()
    {
        var payload = ControlCodec.EncodeOpenChannel(1, new OpenChannelRequest(1, 4096, "/x", string.Empty))[16..];
        payload.AsSpan(16, 128).Fill((byte)'a');
        var e = Assert.Throws<ControlProtocolException>(() => ControlCodec.DecodeOpenChannel(payload));
        Assert.Contains("shm_name", e.Message, StringComparison.Ordinal);

        payload = ControlCodec.EncodeOpenChannel(1, new OpenChannelRequest(1, 4096, "/x", string.Empty))[16..];
        payload[16] = 0xFF;
        payload[17] = 0;
        Assert.Contains("UTF-8", Assert.Throws<ControlProtocolException>(() => ControlCodec.DecodeOpenChannel(payload)).Message, StringComparison.Ordinal);

        payload = ControlCodec.EncodeOpenChannel(1, new OpenChannelRequest(1, 4096, "/x", string.Empty))[16..];
        payload[16] = 0;
        Assert.Contains("empty", Assert.Throws<ControlProtocolException>(() => ControlCodec.DecodeOpenChannel(payload)).Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => ControlCodec.EncodeOpenChannel(1, new OpenChannelRequest(1, 1, new string('n', 128), string.Empty)));
        Assert.Equal(ControlErrorCode.BadLength, Assert.Throws<ControlProtocolException>(() => ControlCodec.DecodeOpenChannel(new byte[271])).Code);
        Assert.Equal(ControlErrorCode.BadLength, Assert.Throws<ControlProtocolException>(() => ControlCodec.DecodeHello(new byte[4])).Code);
    }

    [Fact]
    public void Invalid_UTF8_text_is_a_malformed_message()
    {
        var e = Assert.Throws<ControlProtocolException>(() => ControlCodec.DecodeUtf8(new byte[] { 0xC3, 0x28 }));
        Assert.Equal(ControlErrorCode.Malformed, e.Code);
    }

    private static async Task<ControlMessage> Next(ControlStreamReader reader, ControlMessageType type, uint requestId)
    {
        var m = await reader.ReadAsync(CancellationToken.None);
        Assert.NotNull(m);
        Assert.Equal(type, m.Value.Type);
        Assert.Equal(requestId, m.Value.RequestId);
        return m.Value;
    }
}

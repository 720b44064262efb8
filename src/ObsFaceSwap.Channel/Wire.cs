// The ONE C# mirror of native-shim/include/obs-faceswap/wire.h (wire version 1).
// Every struct, field, constant and enum member here has a counterpart there with the
// same name (C snake_case -> C# PascalCase, "OFS_" / "ofs_" prefixes dropped for
// constants and enum members). WireLayoutTests compiles wire.h with the system C
// compiler and proves that every size, offset and value agrees. Change wire.h first.
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace ObsFaceSwap.Channel;

/// <summary>Constants of wire.h (<c>OFS_*</c> defines) plus the fixed sizes they imply.</summary>
public static class Wire
{
    /// <summary><c>OFS_WIRE_MAGIC</c>: "OFSW" read as a little-endian uint32.</summary>
    public const uint WireMagic = 0x5753464Fu;

    /// <summary><c>OFS_WIRE_VERSION</c>.</summary>
    public const uint WireVersion = 1u;

    /// <summary><c>OFS_WIRE_ALIGN</c>: slot offsets and sizes are multiples of this.</summary>
    public const uint WireAlign = 64u;

    /// <summary><c>OFS_MAX_FRAME_SLOTS</c>.</summary>
    public const uint MaxFrameSlots = 8u;

    /// <summary><c>OFS_MAX_RESULT_SLOTS</c>.</summary>
    public const uint MaxResultSlots = 8u;

    /// <summary><c>OFS_MIN_FRAME_SLOTS</c>.</summary>
    public const uint MinFrameSlots = 3u;

    /// <summary><c>OFS_MIN_RESULT_SLOTS</c>.</summary>
    public const uint MinResultSlots = 3u;

    /// <summary><c>OFS_MAX_WIDTH</c>: largest analysis width.</summary>
    public const uint MaxWidth = 4096u;

    /// <summary><c>OFS_MAX_HEIGHT</c>: largest analysis height.</summary>
    public const uint MaxHeight = 4096u;

    /// <summary><c>OFS_MAX_RESULT_ITEMS</c>: most items in one result.</summary>
    public const uint MaxResultItems = 64u;

    /// <summary><c>OFS_MAX_PATCH_SIDE</c>: largest patch width or height.</summary>
    public const uint MaxPatchSide = 1024u;

    /// <summary><c>OFS_FACE_FLAG_COASTING</c>: face item flag, the face was not found by the last detection (position predicted).</summary>
    public const uint FaceFlagCoasting = 1u;

    /// <summary>
    /// <c>OFS_FACE_FLAG_UNSWAPPED</c>: face item flag in swap mode, the mapping says to swap this
    /// face but the result carries no swap for it; with fail_closed the shim masks it.
    /// </summary>
    public const uint FaceFlagUnswapped = 2u;

    /// <summary><c>OFS_CONTROL_MAGIC</c>: "OFSC" read as a little-endian uint32.</summary>
    public const uint ControlMagic = 0x4353464Fu;

    /// <summary><c>OFS_CONTROL_VERSION</c>.</summary>
    public const uint ControlVersion = 1u;

    /// <summary><c>OFS_CONTROL_MAX_PAYLOAD</c>: largest control payload in bytes.</summary>
    public const uint ControlMaxPayload = 65536u;

    /// <summary><c>OFS_SHM_NAME_MAX</c>: bytes of the NUL-terminated name fields.</summary>
    public const uint ShmNameMax = 128u;

    /// <summary><c>sizeof(struct ofs_channel_header)</c>.</summary>
    public const int ChannelHeaderSize = 256;

    /// <summary><c>sizeof(struct ofs_frame_slot)</c> and <c>sizeof(struct ofs_result_slot)</c>.</summary>
    public const int SlotHeaderSize = 64;

    /// <summary><c>sizeof(struct ofs_result_item)</c>.</summary>
    public const int ResultItemSize = 128;

    /// <summary><c>sizeof(struct ofs_control_header)</c>.</summary>
    public const int ControlHeaderSize = 16;
}

/// <summary><c>enum ofs_slot_state</c>: the state word at offset 0 of every slot.</summary>
[SuppressMessage("Design", "CA1028:Enum Storage should be Int32", Justification = "Mirrors a uint32_t wire field.")]
public enum SlotState : uint
{
    /// <summary><c>OFS_SLOT_FREE</c>.</summary>
    Free = 0,

    /// <summary><c>OFS_SLOT_WRITING</c>: owned by the producer.</summary>
    Writing = 1,

    /// <summary><c>OFS_SLOT_READY</c>: published, not yet taken.</summary>
    Ready = 2,

    /// <summary><c>OFS_SLOT_READING</c>: owned by the consumer.</summary>
    Reading = 3,
}

/// <summary><c>enum ofs_pixel_format</c>.</summary>
[SuppressMessage("Design", "CA1028:Enum Storage should be Int32", Justification = "Mirrors a uint32_t wire field.")]
public enum PixelFormat : uint
{
    /// <summary><c>OFS_PIXEL_BGRA</c>: 4 bytes per pixel, B G R A, one plane.</summary>
    Bgra = 1,

    /// <summary><c>OFS_PIXEL_NV12</c>: Y plane, then interleaved UV at half size.</summary>
    Nv12 = 2,
}

/// <summary><c>enum ofs_result_status</c>.</summary>
[SuppressMessage("Design", "CA1028:Enum Storage should be Int32", Justification = "Mirrors a uint32_t wire field.")]
public enum ResultStatus : uint
{
    /// <summary><c>OFS_RESULT_OK</c>.</summary>
    Ok = 0,

    /// <summary><c>OFS_RESULT_STAGE_FAILED</c>: a pipeline stage failed; the result has no items.</summary>
    StageFailed = 100,
}

/// <summary><c>enum ofs_item_kind</c>.</summary>
[SuppressMessage("Design", "CA1028:Enum Storage should be Int32", Justification = "Mirrors a uint32_t wire field.")]
public enum ItemKind : uint
{
    /// <summary><c>OFS_ITEM_FACE</c>: box, landmarks, score, track id; no patch.</summary>
    Face = 1,

    /// <summary><c>OFS_ITEM_PATCH</c>: an image patch with an affine transform and alpha mask.</summary>
    Patch = 2,
}

/// <summary><c>enum ofs_patch_format</c>.</summary>
[SuppressMessage("Design", "CA1028:Enum Storage should be Int32", Justification = "Mirrors a uint32_t wire field.")]
public enum PatchFormat : uint
{
    /// <summary><c>OFS_PATCH_BGRA</c>: 4 bytes per pixel, alpha = mask.</summary>
    Bgra = 1,
}

/// <summary><c>enum ofs_control_type</c>: the <c>type</c> of a control message.</summary>
[SuppressMessage("Design", "CA1028:Enum Storage should be Int32", Justification = "Mirrors a uint16_t wire field.")]
public enum ControlMessageType : ushort
{
    /// <summary><c>OFS_MSG_HELLO</c>: shim -> host, <see cref="OfsMsgHello"/>.</summary>
    Hello = 1,

    /// <summary><c>OFS_MSG_HELLO_ACK</c>: host -> shim, <see cref="OfsMsgHello"/>.</summary>
    HelloAck = 2,

    /// <summary><c>OFS_MSG_OPEN_CHANNEL</c>: shim -> host, <see cref="OfsMsgOpenChannel"/>.</summary>
    OpenChannel = 3,

    /// <summary><c>OFS_MSG_CLOSE_CHANNEL</c>: shim -> host, <see cref="OfsMsgChannelRef"/>.</summary>
    CloseChannel = 4,

    /// <summary><c>OFS_MSG_SETTINGS</c>: shim -> host, <see cref="OfsMsgChannelRef"/> + UTF-8 JSON.</summary>
    Settings = 5,

    /// <summary><c>OFS_MSG_STATS_REQUEST</c>: any -> host, <see cref="OfsMsgChannelRef"/> (0 = all; only the requester's own channels when it has opened any).</summary>
    StatsRequest = 6,

    /// <summary><c>OFS_MSG_STATS_REPLY</c>: host -> requester, UTF-8 JSON.</summary>
    StatsReply = 7,

    /// <summary><c>OFS_MSG_ERROR</c>: host -> shim, <see cref="OfsMsgError"/> + UTF-8 text.</summary>
    Error = 8,

    /// <summary><c>OFS_MSG_CHANNEL_OPENED</c>: host -> shim, <see cref="OfsMsgChannelRef"/>.</summary>
    ChannelOpened = 9,
}

/// <summary><c>struct ofs_channel_header</c>: offset 0 of the channel memory, 256 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8, Size = Wire.ChannelHeaderSize)]
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "Wire struct.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "Wire struct.")]
public unsafe struct OfsChannelHeader
{
    /// <summary>Bytes 0..63 (geometry, shim, written once): <see cref="Wire.WireMagic"/>.</summary>
    public uint Magic;

    /// <summary><see cref="Wire.WireVersion"/>.</summary>
    public uint Version;

    /// <summary><c>sizeof(struct ofs_channel_header)</c>.</summary>
    public uint HeaderSize;

    /// <summary>Reserved, 0.</summary>
    public uint Flags;

    /// <summary>Bytes of the whole mapping.</summary>
    public ulong TotalSize;

    /// <summary>Unique per filter instance in one OBS.</summary>
    public ulong ChannelId;

    /// <summary>Offset of frame slot 0 from the mapping start, 64-aligned.</summary>
    public ulong FrameSlotsOffset;

    /// <summary>Offset of result slot 0 from the mapping start, 64-aligned.</summary>
    public ulong ResultSlotsOffset;

    /// <summary><see cref="Wire.MinFrameSlots"/>..<see cref="Wire.MaxFrameSlots"/>.</summary>
    public uint FrameSlotCount;

    /// <summary>Bytes per frame slot, header included.</summary>
    public uint FrameSlotSize;

    /// <summary><see cref="Wire.MinResultSlots"/>..<see cref="Wire.MaxResultSlots"/>.</summary>
    public uint ResultSlotCount;

    /// <summary>Bytes per result slot, header included.</summary>
    public uint ResultSlotSize;

    /// <summary>Bytes 64..127 (shim only): READY frames kept before the oldest is dropped (1..2).</summary>
    public uint QueueDepth;

    /// <summary>Process id of the shim (OBS).</summary>
    public uint ShimPid;

    /// <summary>+1 per published frame; the futex word on Linux.</summary>
    public uint FrameSeq;

    /// <summary>Reserved.</summary>
    public uint ShimReserved0;

    /// <summary>Frames published (READY).</summary>
    public ulong FramesWritten;

    /// <summary>READY frames reclaimed before the host read them.</summary>
    public ulong FramesDropped;

    /// <summary>Frames not sent: no slot was free.</summary>
    public ulong FramesSkipped;

    /// <summary>Results read and accepted by the shim.</summary>
    public ulong ResultsConsumed;

    /// <summary>Results that failed the shim's validation.</summary>
    public ulong ResultsRejected;

    /// <summary>Reserved.</summary>
    public ulong ShimReserved1;

    /// <summary>Bytes 128..191 (host only): process id of the attached host.</summary>
    public uint HostPid;

    /// <summary>+1 each time a host attaches.</summary>
    public uint HostEpoch;

    /// <summary>Host monotonic clock in ns, updated at least at 2 Hz.</summary>
    public ulong HostHeartbeatNs;

    /// <summary>Frames the host took (READY -> READING).</summary>
    public ulong FramesRead;

    /// <summary>Results published (READY).</summary>
    public ulong ResultsWritten;

    /// <summary>READY results reclaimed before the shim read them.</summary>
    public ulong ResultsDropped;

    /// <summary>Pipeline time of the newest result in ns.</summary>
    public ulong LastPipelineNs;

    /// <summary>Reserved (host region).</summary>
    public fixed ulong HostReserved[2];

    /// <summary>Bytes 192..255: reserved, zero.</summary>
    public fixed ulong Reserved[8];
}

/// <summary><c>struct ofs_frame_slot</c>: header of a frame slot; pixels follow at slot offset 64.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8, Size = Wire.SlotHeaderSize)]
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "Wire struct.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "Wire struct.")]
public struct OfsFrameSlot
{
    /// <summary><see cref="SlotState"/>, atomic.</summary>
    public uint State;

    /// <summary>Seqlock: odd while the payload is being written.</summary>
    public uint Generation;

    /// <summary>Strictly increasing per channel, from 1.</summary>
    public ulong FrameId;

    /// <summary>OBS video frame time of the source frame.</summary>
    public ulong TimestampNs;

    /// <summary><see cref="Channel.PixelFormat"/>.</summary>
    public uint PixelFormat;

    /// <summary>Analysis width in pixels.</summary>
    public uint Width;

    /// <summary>Analysis height in pixels.</summary>
    public uint Height;

    /// <summary>Bytes per row of plane 0 (BGRA, or NV12 Y).</summary>
    public uint Stride;

    /// <summary>NV12: UV plane offset from the data start; BGRA: 0.</summary>
    public uint UvOffset;

    /// <summary>NV12: bytes per UV row; BGRA: 0.</summary>
    public uint UvStride;

    /// <summary>Bytes of pixel data after the slot header.</summary>
    public uint DataSize;

    /// <summary>Width of the source the frame was scaled from.</summary>
    public uint SourceWidth;

    /// <summary>Height of the source the frame was scaled from.</summary>
    public uint SourceHeight;

    /// <summary>Reserved.</summary>
    public uint Reserved;
}

/// <summary><c>struct ofs_result_slot</c>: header of a result slot; the item table follows at slot offset 64.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8, Size = Wire.SlotHeaderSize)]
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "Wire struct.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "Wire struct.")]
public unsafe struct OfsResultSlot
{
    /// <summary><see cref="SlotState"/>, atomic.</summary>
    public uint State;

    /// <summary>Seqlock: odd while the payload is being written.</summary>
    public uint Generation;

    /// <summary>Id of the frame the result was computed from.</summary>
    public ulong FrameId;

    /// <summary><c>timestamp_ns</c> of that frame.</summary>
    public ulong TimestampNs;

    /// <summary>Analysis width the coordinates refer to.</summary>
    public uint FrameWidth;

    /// <summary>Analysis height the coordinates refer to.</summary>
    public uint FrameHeight;

    /// <summary>0..<see cref="Wire.MaxResultItems"/>.</summary>
    public uint ItemCount;

    /// <summary>Bytes used after the slot header (items + patches).</summary>
    public uint DataSize;

    /// <summary>Host time from frame taken to result published, ns.</summary>
    public ulong PipelineNs;

    /// <summary><see cref="ResultStatus"/>.</summary>
    public uint Status;

    /// <summary>
    /// The <c>mode_generation</c> of the SETTINGS the host computed this result with; 0 before any
    /// SETTINGS. The shim's privacy and swap modes take only results of their own generation.
    /// </summary>
    public uint SettingsGeneration;

    /// <summary>Reserved.</summary>
    public fixed uint Reserved[2];
}

/// <summary><c>struct ofs_result_item</c>: one result item, 128 bytes, in analysis-frame pixels.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8, Size = Wire.ResultItemSize)]
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "Wire struct.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "Wire struct.")]
public unsafe struct OfsResultItem
{
    /// <summary><see cref="ItemKind"/>.</summary>
    public uint Kind;

    /// <summary>Tracker id, 0 = none.</summary>
    public uint FaceId;

    /// <summary>Reserved, 0.</summary>
    public uint Flags;

    /// <summary>0..1.</summary>
    public float Score;

    /// <summary>x, y, width, height.</summary>
    public fixed float Box[4];

    /// <summary>Five (x, y): right eye, left eye, nose, right and left mouth corner.</summary>
    public fixed float Landmarks[10];

    /// <summary>Patch -> frame, row-major 2x3 {a, b, c, d, e, f}.</summary>
    public fixed float Affine[6];

    /// <summary>From the item table start, 4-aligned.</summary>
    public uint PatchOffset;

    /// <summary>1..<see cref="Wire.MaxPatchSide"/>.</summary>
    public uint PatchWidth;

    /// <summary>1..<see cref="Wire.MaxPatchSide"/>.</summary>
    public uint PatchHeight;

    /// <summary>Bytes per row, at least 4 * <see cref="PatchWidth"/>.</summary>
    public uint PatchStride;

    /// <summary><see cref="Channel.PatchFormat"/>.</summary>
    public uint PatchFormat;

    /// <summary>0..1.</summary>
    public float Opacity;

    /// <summary>Reserved.</summary>
    public fixed uint Reserved[2];
}

/// <summary><c>struct ofs_control_header</c>: 16 bytes before every control payload.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4, Size = Wire.ControlHeaderSize)]
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "Wire struct.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "Wire struct.")]
public struct OfsControlHeader
{
    /// <summary><see cref="Wire.ControlMagic"/>.</summary>
    public uint Magic;

    /// <summary><see cref="Wire.ControlVersion"/>.</summary>
    public ushort Version;

    /// <summary><see cref="ControlMessageType"/>.</summary>
    public ushort Type;

    /// <summary>Payload bytes that follow.</summary>
    public uint Length;

    /// <summary>Echoed in the answer; 0 for notifications.</summary>
    public uint RequestId;
}

/// <summary><c>struct ofs_msg_hello</c>.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4, Size = 8)]
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "Wire struct.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "Wire struct.")]
public struct OfsMsgHello
{
    /// <summary>Sender's process id.</summary>
    public uint Pid;

    /// <summary><see cref="Wire.WireVersion"/>.</summary>
    public uint WireVersion;
}

/// <summary><c>struct ofs_msg_channel_ref</c>.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8, Size = 8)]
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "Wire struct.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "Wire struct.")]
public struct OfsMsgChannelRef
{
    /// <summary>The channel (0 = all, for stats requests).</summary>
    public ulong ChannelId;
}

/// <summary><c>struct ofs_msg_open_channel</c>.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8, Size = 272)]
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "Wire struct.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "Wire struct.")]
public unsafe struct OfsMsgOpenChannel
{
    /// <summary>The channel's id (equals the header's <c>channel_id</c>).</summary>
    public ulong ChannelId;

    /// <summary>Bytes to map.</summary>
    public ulong Size;

    /// <summary>NUL-terminated POSIX shm_open name or Win32 file-mapping name.</summary>
    public fixed byte ShmName[(int)Wire.ShmNameMax];

    /// <summary>NUL-terminated Win32 named event set per frame; empty on Linux.</summary>
    public fixed byte WakeName[(int)Wire.ShmNameMax];
}

/// <summary><c>struct ofs_msg_error</c>; UTF-8 text follows.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4, Size = 8)]
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "Wire struct.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "Wire struct.")]
public struct OfsMsgError
{
    /// <summary><see cref="ControlErrorCode"/>: 100-199 bad message, 200-299 channel errors.</summary>
    public uint Code;

    /// <summary>Reserved.</summary>
    public uint Reserved;
}

/// <summary>
/// Error codes of <c>OFS_MSG_ERROR</c>: mirror of <c>enum ofs_control_error</c> in wire.h
/// (docs/frame-channel.md, "Control endpoint").
/// </summary>
[SuppressMessage("Design", "CA1028:Enum Storage should be Int32", Justification = "Mirrors a uint32_t wire field.")]
public enum ControlErrorCode : uint
{
    /// <summary>100: a malformed message not covered by a narrower code (bad magic, bad payload content).</summary>
    Malformed = 100,

    /// <summary>101: control or wire version mismatch; the connection is closed.</summary>
    VersionMismatch = 101,

    /// <summary>102: unknown message type, or one the receiver does not accept.</summary>
    UnknownType = 102,

    /// <summary>103: payload length over the limit or wrong for the type.</summary>
    BadLength = 103,

    /// <summary>201: the channel memory cannot be mapped.</summary>
    CannotMap = 201,

    /// <summary>202: the channel header is invalid.</summary>
    HeaderInvalid = 202,

    /// <summary>203: no open channel has that id.</summary>
    UnknownChannel = 203,
}

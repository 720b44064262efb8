/*
 * obs-faceswap frame channel: THE wire-format definition (version 1).
 *
 * This header is the single definition of everything that crosses the
 * process boundary between the OBS module (the "shim") and the .NET
 * inference host: the shared-memory channel layout and the control-endpoint
 * messages. The C# mirror is src/ObsFaceSwap.Channel/Wire.cs; the test
 * tests/ObsFaceSwap.Channel.Tests/WireLayoutTests.cs compiles this header
 * and proves that every size and offset agrees. The prose spec, with the
 * slot state machine and memory ordering, is docs/frame-channel.md.
 *
 * Rules for this file:
 * - Plain C17, no libobs, no platform headers: it is compiled by the shim,
 *   by mingw-w64 for Windows, and by the layout test.
 * - All integers are little-endian, fixed width; all structs are naturally
 *   aligned with explicit padding, so no compiler inserts any.
 * - Every struct has a static size assertion below; changing a layout means
 *   bumping OFS_WIRE_VERSION.
 */
#ifndef OBS_FACESWAP_WIRE_H
#define OBS_FACESWAP_WIRE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Shared-memory channel ------------------------------------------- */

/* "OFSW" read as a little-endian uint32. */
#define OFS_WIRE_MAGIC 0x5753464Fu
#define OFS_WIRE_VERSION 1u

/* Every slot starts on a 64-byte boundary; slot sizes are multiples of it. */
#define OFS_WIRE_ALIGN 64u

/* Limits the shim enforces on anything it reads from shared memory. */
#define OFS_MAX_FRAME_SLOTS 8u
#define OFS_MAX_RESULT_SLOTS 8u
#define OFS_MIN_FRAME_SLOTS 3u
#define OFS_MIN_RESULT_SLOTS 3u
#define OFS_MAX_WIDTH 4096u
#define OFS_MAX_HEIGHT 4096u
#define OFS_MAX_RESULT_ITEMS 64u
#define OFS_MAX_PATCH_SIDE 1024u

/*
 * Slot states. Transitions (CAS on `state`, acquire/release ordering):
 *   frame slots : shim FREE->WRITING->READY; shim READY->WRITING (drop oldest);
 *                 host READY->READING->FREE.
 *   result slots: host FREE->WRITING->READY; host READY->WRITING (drop oldest);
 *                 shim READY->READING->FREE.
 * The shim also reclaims slots a dead host left in READING (frames) or
 * WRITING (results) before it attaches a new host; see the spec.
 */
enum ofs_slot_state {
	OFS_SLOT_FREE = 0,
	OFS_SLOT_WRITING = 1,
	OFS_SLOT_READY = 2,
	OFS_SLOT_READING = 3,
};

enum ofs_pixel_format {
	/* 4 bytes per pixel, B G R A in memory, one plane. */
	OFS_PIXEL_BGRA = 1,
	/* Y plane (width x height, 1 byte) then interleaved UV plane
	 * (width/2 x height/2, 2 bytes); width and height are even. */
	OFS_PIXEL_NV12 = 2,
};

/* Status of one result (ofs_result_slot.status). Ranges as obs-websocket:
 * 0 ok, 100-199 host-side processing failures. */
enum ofs_result_status {
	OFS_RESULT_OK = 0,
	OFS_RESULT_STAGE_FAILED = 100,
};

/* Channel header at offset 0 of the shared memory. 256 bytes. */
struct ofs_channel_header {
	/* 0..63: geometry, written once by the shim before it announces the
	 * channel; read-only afterwards. */
	uint32_t magic;               /* OFS_WIRE_MAGIC */
	uint32_t version;             /* OFS_WIRE_VERSION */
	uint32_t header_size;         /* sizeof(struct ofs_channel_header) */
	uint32_t flags;               /* reserved, 0 */
	uint64_t total_size;          /* bytes of the whole mapping */
	uint64_t channel_id;          /* unique per filter instance in one OBS */
	uint64_t frame_slots_offset;  /* from mapping start, 64-aligned */
	uint64_t result_slots_offset; /* from mapping start, 64-aligned */
	uint32_t frame_slot_count;    /* OFS_MIN_FRAME_SLOTS..OFS_MAX_FRAME_SLOTS */
	uint32_t frame_slot_size;     /* bytes per frame slot, header included */
	uint32_t result_slot_count;   /* OFS_MIN_RESULT_SLOTS..OFS_MAX_RESULT_SLOTS */
	uint32_t result_slot_size;    /* bytes per result slot, header included */

	/* 64..127: written by the shim only. */
	uint32_t queue_depth; /* 1..2: READY frames kept before the oldest is dropped */
	uint32_t shim_pid;
	uint32_t frame_seq;   /* +1 per published frame; futex word on Linux */
	uint32_t shim_reserved0;
	uint64_t frames_written;   /* frames published (READY) */
	uint64_t frames_dropped;   /* READY frames reclaimed before the host read them */
	uint64_t frames_skipped;   /* frames not sent: no slot was free */
	uint64_t results_consumed; /* results read and accepted by the shim */
	uint64_t results_rejected; /* results that failed validation */
	uint64_t shim_reserved1;

	/* 128..191: written by the host only. */
	uint32_t host_pid;
	uint32_t host_epoch;        /* +1 each time a host attaches */
	uint64_t host_heartbeat_ns; /* host monotonic clock, updated >= 2 Hz */
	uint64_t frames_read;       /* frames the host took (READY->READING) */
	uint64_t results_written;   /* results published (READY) */
	uint64_t results_dropped;   /* READY results reclaimed before the shim read them */
	uint64_t last_pipeline_ns;  /* pipeline time of the newest result */
	uint64_t host_reserved[2];

	/* 192..255: reserved, zero. */
	uint64_t reserved[8];
};

/* Header of a frame slot; pixel data follows at offset 64 of the slot. */
struct ofs_frame_slot {
	uint32_t state;         /* enum ofs_slot_state, atomic */
	uint32_t generation;    /* seqlock: odd while the payload is being written */
	uint64_t frame_id;      /* strictly increasing per channel, from 1 */
	uint64_t timestamp_ns;  /* OBS video frame time of the source frame */
	uint32_t pixel_format;  /* enum ofs_pixel_format */
	uint32_t width;         /* analysis width in pixels */
	uint32_t height;        /* analysis height in pixels */
	uint32_t stride;        /* bytes per row of plane 0 (BGRA, or NV12 Y) */
	uint32_t uv_offset;     /* NV12: UV plane offset from the data start; BGRA: 0 */
	uint32_t uv_stride;     /* NV12: bytes per UV row; BGRA: 0 */
	uint32_t data_size;     /* bytes of pixel data after the slot header */
	uint32_t source_width;  /* size of the source the frame was scaled from */
	uint32_t source_height;
	uint32_t reserved;
};

/* Header of a result slot. Item table follows at offset 64 of the slot,
 * then patch pixels; all item offsets are relative to the item table start
 * (slot start + 64) and must lie within result_slot_size - 64. */
struct ofs_result_slot {
	uint32_t state;        /* enum ofs_slot_state, atomic */
	uint32_t generation;   /* seqlock: odd while the payload is being written */
	uint64_t frame_id;     /* id of the frame the result was computed from */
	uint64_t timestamp_ns; /* timestamp_ns of that frame */
	uint32_t frame_width;  /* analysis size the coordinates refer to */
	uint32_t frame_height;
	uint32_t item_count;   /* 0..OFS_MAX_RESULT_ITEMS */
	uint32_t data_size;    /* bytes used after the slot header (items + patches) */
	uint64_t pipeline_ns;  /* host time from frame taken to result published */
	uint32_t status;       /* enum ofs_result_status */
	uint32_t settings_generation; /* "mode_generation" of the SETTINGS the host computed this
				       * result with; 0 before any SETTINGS (the shim's privacy and
				       * swap modes take only results of their own generation) */
	uint32_t reserved[2];
};

enum ofs_item_kind {
	/* A detected face: box, landmarks, score, track id. No patch. */
	OFS_ITEM_FACE = 1,
	/* An image patch composited over the frame: patch pixel (u, v) lands on
	 * frame pixel (a*u + b*v + c, d*u + e*v + f) with affine = {a,b,c,d,e,f}.
	 * Alpha is the mask (straight, not premultiplied) times opacity. */
	OFS_ITEM_PATCH = 2,
};

enum ofs_patch_format {
	OFS_PATCH_BGRA = 1, /* 4 bytes per pixel, alpha = mask */
};

/* ofs_result_item.flags of an OFS_ITEM_FACE: the face was not found by the last
 * detection; its position is predicted (the shim keeps masking it). */
#define OFS_FACE_FLAG_COASTING 1u
/* ofs_result_item.flags of an OFS_ITEM_FACE in swap mode: the face mapping
 * says to swap this face, but the result has no swap for it (no identity,
 * a model fault): with fail_closed the shim masks it. */
#define OFS_FACE_FLAG_UNSWAPPED 2u

/* One result item. 128 bytes. Coordinates in analysis-frame pixels. */
struct ofs_result_item {
	uint32_t kind;       /* enum ofs_item_kind */
	uint32_t face_id;    /* tracker id, 0 = none */
	uint32_t flags;      /* OFS_FACE_FLAG_* for faces, 0 otherwise */
	float score;         /* 0..1 */
	float box[4];        /* x, y, width, height */
	float landmarks[10]; /* five (x, y): right eye, left eye, nose, right and
			      * left mouth corner */
	float affine[6];     /* patch -> frame, row-major 2x3 */
	uint32_t patch_offset; /* from the item table start, 4-aligned */
	uint32_t patch_width;  /* 1..OFS_MAX_PATCH_SIDE */
	uint32_t patch_height; /* 1..OFS_MAX_PATCH_SIDE */
	uint32_t patch_stride; /* bytes per row, >= 4 * patch_width */
	uint32_t patch_format; /* enum ofs_patch_format */
	float opacity;         /* 0..1 */
	uint32_t reserved[2];
};

/* ---- Control endpoint ------------------------------------------------ */
/*
 * Stream of messages over a Unix domain socket (Linux, macOS) or a named
 * pipe (Windows), both user-only. Each message: a 16-byte header, then
 * `length` payload bytes (<= OFS_CONTROL_MAX_PAYLOAD). Requests carry a
 * request_id that the answer repeats; notifications use 0.
 */
#define OFS_CONTROL_MAGIC 0x4353464Fu /* "OFSC" */
#define OFS_CONTROL_VERSION 1u
#define OFS_CONTROL_MAX_PAYLOAD 65536u
#define OFS_SHM_NAME_MAX 128u

enum ofs_control_type {
	OFS_MSG_HELLO = 1,         /* shim -> host: struct ofs_msg_hello */
	OFS_MSG_HELLO_ACK = 2,     /* host -> shim: struct ofs_msg_hello */
	OFS_MSG_OPEN_CHANNEL = 3,  /* shim -> host: struct ofs_msg_open_channel */
	OFS_MSG_CLOSE_CHANNEL = 4, /* shim -> host: struct ofs_msg_channel_ref */
	OFS_MSG_SETTINGS = 5,      /* shim -> host: ofs_msg_channel_ref + UTF-8 JSON */
	OFS_MSG_STATS_REQUEST = 6, /* any -> host: ofs_msg_channel_ref (0 = all; of the
				    * requester's own channels when it has any) */
	OFS_MSG_STATS_REPLY = 7,   /* host -> requester: UTF-8 JSON */
	OFS_MSG_ERROR = 8,         /* host -> shim: struct ofs_msg_error + UTF-8 text */
	OFS_MSG_CHANNEL_OPENED = 9 /* host -> shim: struct ofs_msg_channel_ref */
};

struct ofs_control_header {
	uint32_t magic;      /* OFS_CONTROL_MAGIC */
	uint16_t version;    /* OFS_CONTROL_VERSION */
	uint16_t type;       /* enum ofs_control_type */
	uint32_t length;     /* payload bytes that follow */
	uint32_t request_id; /* echoed in the answer; 0 for notifications */
};

struct ofs_msg_hello {
	uint32_t pid;
	uint32_t wire_version; /* OFS_WIRE_VERSION */
};

struct ofs_msg_channel_ref {
	uint64_t channel_id;
};

struct ofs_msg_open_channel {
	uint64_t channel_id;
	uint64_t size;                       /* bytes to map */
	char shm_name[OFS_SHM_NAME_MAX];     /* NUL-terminated; POSIX shm_open name or
					      * Win32 file-mapping name */
	char wake_name[OFS_SHM_NAME_MAX];    /* Win32 named event set per frame; empty
					      * on Linux (futex on frame_seq) */
};

/* Codes of OFS_MSG_ERROR: 100-199 malformed messages, 200-299 channel errors. */
enum ofs_control_error {
	OFS_ERR_MALFORMED = 100,        /* bad magic, bad payload content */
	OFS_ERR_VERSION_MISMATCH = 101, /* control or wire version; the connection is closed */
	OFS_ERR_UNKNOWN_TYPE = 102,     /* unknown type, or one the receiver does not accept */
	OFS_ERR_BAD_LENGTH = 103,       /* payload length over the limit or wrong for the type */
	OFS_ERR_CANNOT_MAP = 201,       /* the channel memory cannot be mapped */
	OFS_ERR_HEADER_INVALID = 202,   /* the channel header is invalid */
	OFS_ERR_UNKNOWN_CHANNEL = 203,  /* no open channel has that id */
};

struct ofs_msg_error {
	uint32_t code; /* enum ofs_control_error */
	uint32_t reserved;
};

/* ---- Layout checks ------------------------------------------------------ */
#ifndef __cplusplus
#define OFS_WIRE_ASSERT_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " size")
OFS_WIRE_ASSERT_SIZE(struct ofs_channel_header, 256);
OFS_WIRE_ASSERT_SIZE(struct ofs_frame_slot, 64);
OFS_WIRE_ASSERT_SIZE(struct ofs_result_slot, 64);
OFS_WIRE_ASSERT_SIZE(struct ofs_result_item, 128);
OFS_WIRE_ASSERT_SIZE(struct ofs_control_header, 16);
OFS_WIRE_ASSERT_SIZE(struct ofs_msg_hello, 8);
OFS_WIRE_ASSERT_SIZE(struct ofs_msg_channel_ref, 8);
OFS_WIRE_ASSERT_SIZE(struct ofs_msg_open_channel, 272);
OFS_WIRE_ASSERT_SIZE(struct ofs_msg_error, 8);
#undef OFS_WIRE_ASSERT_SIZE
#endif

#ifdef __cplusplus
}
#endif

#endif /* OBS_FACESWAP_WIRE_H */

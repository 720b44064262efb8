/*
 * ofs-core: the frame channel protocol (docs/frame-channel.md) on a block
 * of memory. No libobs, no OS headers: the block comes from the caller
 * (shared memory from ofs-platform in the module, malloc in the tests).
 *
 * Both roles are implemented:
 * - shim: channel creation, frame producer, result consumer, reclaim of
 *   slots a dead host held. Used by the OBS module on its render thread
 *   (producer, consumer) and link thread (reclaim).
 * - host: attach with header validation, frame consumer, result producer.
 *   Used only by the tests and the benchmark API to play the host's role.
 *
 * Nothing read from shared memory is trusted: readers copy into private
 * memory once and validate the copy; 64-bit arithmetic everywhere.
 */
#ifndef OFS_CHANNEL_H
#define OFS_CHANNEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "obs-faceswap/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Channel geometry the module creates (docs: 4 frame slots, 3 result
 * slots of 4 MiB + 16 KiB each, header included). */
#define OFS_DEFAULT_FRAME_SLOTS 4u
#define OFS_DEFAULT_RESULT_SLOTS 3u
#define OFS_DEFAULT_RESULT_SLOT_SIZE (4u * 1024u * 1024u + 16u * 1024u)
#define OFS_CHANNEL_HEADER_SIZE 256u
#define OFS_SLOT_HEADER_SIZE 64u
#define OFS_ITEM_SIZE 128u

/* Frames the shim remembers so that a result can be matched to a frame it
 * sent (id, timestamp and size); older results are stale. 64 frames is
 * about 1 s at 60 fps. */
#define OFS_FRAME_HISTORY 64u

/* Status codes of every ofs-core call: 0 success, 1 nothing to do,
 * negative failures. Codes <= OFS_E_REJECT_FIRST are validation failures
 * of data read from shared memory. */
enum ofs_status {
	OFS_OK = 0,
	OFS_EMPTY = 1, /* no READY slot to read */

	OFS_E_ARG = -1,     /* invalid argument from the caller */
	OFS_E_NO_SLOT = -2, /* producer: no slot could be claimed (skipped) */
	OFS_E_TOO_BIG = -3, /* payload does not fit a slot / the buffer */
	OFS_E_HEADER = -4,  /* channel header invalid (attach) */

	OFS_E_REJECT_FIRST = -10,
	OFS_E_GENERATION = -10,   /* generation odd when the read started */
	OFS_E_TORN = -11,         /* generation changed during the copy */
	OFS_E_ITEM_COUNT = -12,   /* item_count over the limit or the slot */
	OFS_E_DATA_SIZE = -13,    /* data_size over the slot */
	OFS_E_STALE = -14,        /* frame id / time / size not a frame sent */
	OFS_E_ITEM_KIND = -15,    /* unknown item kind */
	OFS_E_NOT_FINITE = -16,   /* NaN or infinity in a float */
	OFS_E_PATCH_FORMAT = -17, /* unknown patch format */
	OFS_E_PATCH_SIZE = -18,   /* patch width/height out of 1..1024 */
	OFS_E_PATCH_STRIDE = -19, /* stride < 4 * width */
	OFS_E_PATCH_OFFSET = -20, /* offset unaligned or inside the item table */
	OFS_E_PATCH_BOUNDS = -21, /* patch pixels past data_size */
	OFS_E_FRAME_FORMAT = -22, /* unknown pixel format */
	OFS_E_FRAME_GEOMETRY = -23, /* frame sizes/strides inconsistent */
};

/* Name of a status code, for logs and test output. */
const char *ofs_status_name(int status);

/* The layout of one channel, as the shim creates it. */
struct ofs_geometry {
	uint64_t total_size;
	uint64_t channel_id;
	uint64_t frame_slots_offset;
	uint64_t result_slots_offset;
	uint32_t frame_slot_count;
	uint32_t frame_slot_size;
	uint32_t result_slot_count;
	uint32_t result_slot_size;
};

/* Computes a layout whose frame slots hold one BGRA frame of
 * max_width x max_height (NV12 needs less). Returns OFS_OK or OFS_E_ARG. */
int ofs_geometry_compute(struct ofs_geometry *geo, uint64_t channel_id, uint32_t max_width, uint32_t max_height,
			 uint32_t frame_slot_count, uint32_t result_slot_count, uint32_t result_slot_size);

/* Description of one frame (the payload fields of ofs_frame_slot). */
struct ofs_frame_info {
	uint64_t frame_id; /* set by ofs_frame_commit / read by the host */
	uint64_t timestamp_ns;
	uint32_t pixel_format;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint32_t uv_offset;
	uint32_t uv_stride;
	uint32_t data_size;
	uint32_t source_width;
	uint32_t source_height;
};

/* Fills stride, uv_offset, uv_stride and data_size of a tightly packed
 * frame (BGRA stride = 4 * width; NV12 stride = uv_stride = width, UV right
 * after Y). Checks the format and limits (NV12: even sizes). */
int ofs_frame_layout(struct ofs_frame_info *info, uint32_t pixel_format, uint32_t width, uint32_t height);

/* Checks that a frame description is self-consistent and fits `capacity`
 * bytes of slot payload. Used by both sides. */
int ofs_frame_check(const struct ofs_frame_info *info, uint64_t capacity);

struct ofs_sent_frame {
	uint64_t frame_id;
	uint64_t timestamp_ns;
	uint32_t width;
	uint32_t height;
};

/*
 * Private view of one channel. One process holds one per role: the shim's
 * view is created by ofs_channel_init, a host's by ofs_channel_attach.
 * The geometry is a private copy and is never re-read from shared memory.
 */
struct ofs_channel {
	uint8_t *base;
	struct ofs_geometry geo;

	/* Shim role; render thread only. */
	uint64_t next_frame_id;
	uint64_t slot_frame_id[OFS_MAX_FRAME_SLOTS]; /* shim's copy: the host cannot change which slot is oldest */
	struct ofs_sent_frame sent[OFS_FRAME_HISTORY];
	uint32_t sent_next;
	uint32_t frame_seq;

	/* Shim counters: written by the render thread, readable anywhere;
	 * mirrored into the header's shim region. */
	_Atomic uint64_t frames_written;
	_Atomic uint64_t frames_dropped;
	_Atomic uint64_t frames_skipped;
	_Atomic uint64_t results_consumed;
	_Atomic uint64_t results_rejected;
	_Atomic uint64_t last_result_frame_id;
	_Atomic int32_t last_reject_reason;

	/* Host role (tests, benchmarks): its own counters. */
	_Atomic uint64_t host_frames_read;
	_Atomic uint64_t host_results_written;
	_Atomic uint64_t host_results_dropped;
};

/* ---- shim role ---------------------------------------------------------- */

/* Lays the channel out in `memory` (mem_size >= geo->total_size, 64-byte
 * aligned), writes the header and frees every slot. Payload bytes are not
 * touched (fresh shared memory is already zero). */
int ofs_channel_init(struct ofs_channel *ch, void *memory, uint64_t mem_size, const struct ofs_geometry *geo,
		     uint32_t shim_pid, uint32_t queue_depth);

/* Pointer to the header (for counters that are read, never trusted). */
static inline struct ofs_channel_header *ofs_channel_header(const struct ofs_channel *ch)
{
	return (struct ofs_channel_header *)(void *)ch->base;
}

/* Bytes of payload one frame slot holds. */
static inline uint32_t ofs_frame_capacity(const struct ofs_channel *ch)
{
	return ch->geo.frame_slot_size - OFS_SLOT_HEADER_SIZE;
}

/* Bytes of payload one result slot holds (what a result buffer needs). */
static inline uint32_t ofs_result_capacity(const struct ofs_channel *ch)
{
	return ch->geo.result_slot_size - OFS_SLOT_HEADER_SIZE;
}

/* A frame slot claimed for writing. */
struct ofs_frame_writer {
	uint32_t slot;
	uint32_t generation; /* odd value stored while writing */
	uint8_t *data;       /* slot payload, `capacity` bytes */
	uint32_t capacity;
	int dropped; /* 1: a READY frame was reclaimed for this one */
};

/*
 * Producer step 1 and 2a: claims a slot (dropping the oldest READY frame
 * when `queue_depth` (1..2) READY frames are queued), makes its generation
 * odd. Never waits. Returns OFS_OK, or OFS_E_NO_SLOT (counted in
 * frames_skipped). The caller then writes pixels to w->data and calls
 * ofs_frame_commit or ofs_frame_abort.
 */
int ofs_frame_begin(struct ofs_channel *ch, uint32_t queue_depth, struct ofs_frame_writer *w);

/* Producer step 2b and 3: writes the slot header from `info` (frame_id is
 * assigned and returned in info->frame_id), makes the generation even,
 * publishes READY (release) and bumps frames_written and frame_seq. The
 * caller then wakes the host (futex / event; see ofs-platform).
 * Returns OFS_OK, or an error after aborting the slot. */
int ofs_frame_commit(struct ofs_channel *ch, struct ofs_frame_writer *w, struct ofs_frame_info *info);

/* Gives a claimed slot back (FREE) without publishing. */
void ofs_frame_abort(struct ofs_channel *ch, struct ofs_frame_writer *w);

/* Address of frame_seq in shared memory (the futex word). */
static inline uint32_t *ofs_channel_frame_seq(const struct ofs_channel *ch)
{
	return &ofs_channel_header(ch)->frame_seq;
}

/* A validated result, all in caller-owned private memory. */
struct ofs_result {
	struct ofs_result_slot header;       /* private copy; state/generation meaningless */
	const struct ofs_result_item *items; /* header.item_count items, validated */
	const uint8_t *payload;              /* the copied data (items then patches) */
	uint32_t payload_size;
};

/*
 * Consumer: takes the newest READY result, copies it into `buffer`
 * (`capacity` >= ofs_result_capacity(ch), 8-byte aligned), releases the
 * slot and validates the copy (docs: Validation). Results must match a
 * frame this channel sent (OFS_FRAME_HISTORY). Returns OFS_OK (counted in
 * results_consumed), OFS_EMPTY, or an OFS_E_* rejection (counted in
 * results_rejected; `out` is then unusable). Never blocks.
 */
int ofs_result_read(struct ofs_channel *ch, uint8_t *buffer, uint32_t capacity, struct ofs_result *out);

/* Returns slots a dead or disconnected host held to FREE: frame slots in
 * READING and result slots in WRITING (generation made even), plus slots
 * in an unknown state. Safe while the render thread produces and
 * consumes (it never owns those states). Returns the number reclaimed. */
uint32_t ofs_channel_reclaim_host_slots(struct ofs_channel *ch);

/* ---- host role (tests and benchmarks) --------------------------------- */

/* Validates a channel header in `memory` of `mem_size` bytes (magic,
 * version, sizes, offsets, counts) and builds a private view of it. */
int ofs_channel_attach(struct ofs_channel *ch, void *memory, uint64_t mem_size);

/* Frame consumer: takes the oldest READY frame, validates its header,
 * copies data_size bytes to `dst` and frees the slot. */
int ofs_host_frame_take(struct ofs_channel *ch, uint8_t *dst, uint64_t dst_capacity, struct ofs_frame_info *info);

struct ofs_result_writer {
	uint32_t slot;
	uint32_t generation;
	uint8_t *data; /* item table start; capacity bytes */
	uint32_t capacity;
	int dropped;
};

/* Result producer: claims a slot (queue depth 1: drops a READY result). */
int ofs_host_result_begin(struct ofs_channel *ch, struct ofs_result_writer *w);

/* Writes the result slot header fields from `fields` (state and generation
 * ignored), publishes READY and bumps results_written. */
void ofs_host_result_commit(struct ofs_channel *ch, struct ofs_result_writer *w, const struct ofs_result_slot *fields);

#ifdef OFS_TESTING
/* Test builds only: called by the readers between the payload copy and the
 * generation re-check, with the slot address, to simulate a peer writing
 * into a slot it does not own (torn reads). */
extern void (*ofs_test_after_copy_hook)(void *slot);
#endif

#ifdef __cplusplus
}
#endif

#endif /* OFS_CHANNEL_H */

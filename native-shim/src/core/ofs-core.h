/*
 * libofs-core: a small C API over the frame channel, for benchmarks and
 * P/Invoke (a BenchmarkDotNet project calls it). One handle plays both
 * roles on one channel: the shim (write frames, read results) and the host
 * (take frames, publish results), so a benchmark can drive the whole
 * protocol in one process.
 *
 * Conventions:
 * - Every int32_t return is a status: 0 OFS_OK, 1 OFS_EMPTY (nothing to
 *   read), negative failures (enum ofs_status in ofs-channel.h;
 *   ofs_core_status_name gives the text).
 * - Structs are plain, naturally aligned, without pointers, so that they
 *   are blittable ([StructLayout(LayoutKind.Sequential)] in C#).
 * - A handle is used by at most one thread per role at a time: one thread
 *   may write frames and read results while another takes frames and
 *   publishes results.
 */
#ifndef OFS_CORE_H
#define OFS_CORE_H

#include <stdint.h>

#if defined(_WIN32)
#if defined(OFS_CORE_BUILDING_SHARED)
#define OFS_CORE_API __declspec(dllexport)
#elif defined(OFS_CORE_USING_SHARED)
#define OFS_CORE_API __declspec(dllimport)
#else
#define OFS_CORE_API
#endif
#else
#define OFS_CORE_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque channel handle. */
typedef struct ofs_core_channel ofs_core_channel;

/* A frame as the host received it. 48 bytes. */
typedef struct ofs_core_frame_info {
	uint64_t frame_id;
	uint64_t timestamp_ns;
	uint32_t pixel_format; /* 1 BGRA, 2 NV12 */
	uint32_t width;
	uint32_t height;
	uint32_t stride;    /* bytes per row of plane 0 */
	uint32_t uv_offset; /* NV12: UV plane offset in the copied data */
	uint32_t uv_stride; /* NV12: bytes per UV row */
	uint32_t data_size; /* bytes copied */
	uint32_t reserved;
} ofs_core_frame_info;

/* A result as the shim accepted it. 48 bytes. */
typedef struct ofs_core_result_info {
	uint64_t frame_id;
	uint64_t timestamp_ns;
	uint64_t pipeline_ns;
	uint32_t frame_width;
	uint32_t frame_height;
	uint32_t item_count; /* items at the start of the result buffer */
	uint32_t data_size;  /* bytes copied into the result buffer */
	uint32_t status;
	uint32_t reserved;
} ofs_core_result_info;

/* Both sides' counters. 64 bytes. */
typedef struct ofs_core_counters {
	uint64_t frames_written;
	uint64_t frames_dropped;
	uint64_t frames_skipped;
	uint64_t results_consumed;
	uint64_t results_rejected;
	uint64_t frames_read;
	uint64_t results_written;
	uint64_t results_dropped;
} ofs_core_counters;

/** The wire version this library implements (OFS_WIRE_VERSION). */
OFS_CORE_API uint32_t ofs_core_wire_version(void);

/**
 * Bytes of memory a channel needs whose frame slots hold one BGRA frame of
 * max_width x max_height (4 frame slots, 3 result slots of 4 MiB + 16 KiB,
 * as the OBS module creates). 0 if the size is out of 1..4096.
 */
OFS_CORE_API uint64_t ofs_core_channel_size(uint32_t max_width, uint32_t max_height);

/**
 * Creates a channel.
 * @param memory      64-byte aligned block of at least
 *                    ofs_core_channel_size(max_width, max_height) bytes
 *                    (malloc'd, mmap'd, or shared memory) that outlives the
 *                    handle; or NULL to let the library allocate (and free)
 *                    a zeroed block.
 * @param memory_size bytes at `memory` (ignored when memory is NULL).
 * @param queue_depth READY frames kept before the oldest is dropped (1..2).
 * @param out         receives the handle.
 * @return 0, or OFS_E_ARG (-1).
 */
OFS_CORE_API int32_t ofs_core_channel_create(void *memory, uint64_t memory_size, uint64_t channel_id,
					     uint32_t max_width, uint32_t max_height, uint32_t queue_depth,
					     ofs_core_channel **out);

/** Destroys a handle (and the memory, if the library allocated it). NULL is ignored. */
OFS_CORE_API void ofs_core_channel_destroy(ofs_core_channel *channel);

/** The channel memory (the shared layout of docs/frame-channel.md). */
OFS_CORE_API void *ofs_core_channel_memory(ofs_core_channel *channel);

/** Bytes a result buffer needs (result slot payload capacity). */
OFS_CORE_API uint32_t ofs_core_result_buffer_size(const ofs_core_channel *channel);

/** Bytes of pixels one frame slot holds. */
OFS_CORE_API uint32_t ofs_core_frame_capacity(const ofs_core_channel *channel);

/**
 * Shim role: writes one frame (drop-oldest, never waits).
 * @param pixels       BGRA: height rows of width*4 bytes, `row_pitch` apart.
 *                     NV12: height Y rows of width bytes, then height/2 UV rows
 *                     of width bytes, all `row_pitch` apart (UV rows start at
 *                     pixels + row_pitch * height).
 * @param pixel_format 1 BGRA, 2 NV12 (even width and height).
 * @param frame_id     receives the id of the published frame (may be NULL).
 * @return 0, OFS_E_NO_SLOT (-2, frame skipped), or an argument/geometry error.
 */
OFS_CORE_API int32_t ofs_core_write_frame(ofs_core_channel *channel, const uint8_t *pixels, uint32_t row_pitch,
					  uint32_t pixel_format, uint32_t width, uint32_t height,
					  uint64_t timestamp_ns, uint64_t *frame_id);

/**
 * Host role: takes the oldest READY frame and copies its pixels to `dst`.
 * @return 0, 1 (no frame), or a negative validation error.
 */
OFS_CORE_API int32_t ofs_core_host_take_frame(ofs_core_channel *channel, uint8_t *dst, uint64_t dst_size,
					      ofs_core_frame_info *info);

/**
 * Host role: publishes a result for a frame taken earlier, with one
 * OFS_ITEM_PATCH item (when `patch` is not NULL) placed with its top-left
 * corner at (x, y) of the frame, scale 1, opacity 1; or no item.
 * @param patch   BGRA pixels, patch_height rows of patch_width*4 bytes,
 *                `patch_stride` apart (alpha = mask).
 * @return 0, OFS_E_NO_SLOT, OFS_E_TOO_BIG or OFS_E_ARG.
 */
OFS_CORE_API int32_t ofs_core_host_publish_result(ofs_core_channel *channel, const ofs_core_frame_info *frame,
						  const uint8_t *patch, uint32_t patch_width, uint32_t patch_height,
						  uint32_t patch_stride, float x, float y, uint64_t pipeline_ns);

/**
 * Shim role: reads the newest READY result into `buffer`
 * (>= ofs_core_result_buffer_size bytes, 8-byte aligned), validating
 * everything. On success the buffer holds the item table (info->item_count
 * x 128-byte ofs_result_item) followed by patch pixels.
 * @return 0, 1 (no result), or a negative rejection (counted).
 */
OFS_CORE_API int32_t ofs_core_read_result(ofs_core_channel *channel, uint8_t *buffer, uint64_t buffer_size,
					  ofs_core_result_info *info);

/** Copies both roles' counters. */
OFS_CORE_API void ofs_core_get_counters(const ofs_core_channel *channel, ofs_core_counters *out);

/** Text for a status code (static string). */
OFS_CORE_API const char *ofs_core_status_name(int32_t status);

#ifdef __cplusplus
}
#endif

#endif /* OFS_CORE_H */

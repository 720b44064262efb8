/*
 * Synced latency mode: which delayed frame to show and which host result
 * belongs to it (docs/shim.md, "Latency modes"). Pure C: no libobs, no OS,
 * no allocation; the filter owns the textures and result copies, this file
 * only keeps their keys (render sequence numbers and frame ids).
 *
 * In "live" mode the filter shows the frame it just rendered with the
 * newest result, which was computed from a frame a few frames older. In
 * "synced" mode it keeps the last OFS_SYNC_FRAMES rendered frames and shows
 * the one rendered `delay` frames ago with the result of that same frame,
 * so a mask or patch lands on the frame it was computed from, also across
 * scene cuts. The delay is the pipeline latency measured in frames (the
 * largest of the last OFS_SYNC_LATENCY_WINDOW results), or a fixed setting.
 */
#ifndef OFS_SYNC_H
#define OFS_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OFS_SYNC_FRAMES 8u           /* frames kept: the delay is 0..OFS_SYNC_FRAMES-1 */
#define OFS_SYNC_MAX_DELAY (OFS_SYNC_FRAMES - 1u)
#define OFS_SYNC_DEFAULT_DELAY 3u    /* until a latency was measured */
#define OFS_SYNC_HISTORY 8u          /* results kept */
#define OFS_SYNC_LATENCY_WINDOW 90u  /* results the automatic delay looks back over (3 s at 30 fps) */
#define OFS_SYNC_NONE UINT32_MAX

struct ofs_sync {
	uint64_t seq;                            /* frames begun so far */
	uint64_t frame_seq[OFS_SYNC_FRAMES];     /* render sequence number + 1 of each kept frame; 0 = empty */
	uint64_t frame_id[OFS_SYNC_FRAMES];      /* channel frame id it was sent as; 0 = not sent (yet) */
	uint64_t result_id[OFS_SYNC_HISTORY];    /* frame id of each kept result; 0 = empty */
	uint32_t latency[OFS_SYNC_LATENCY_WINDOW]; /* frames from render to result, newest at latency_next - 1 */
	uint32_t latency_count, latency_next;
};

/* What to show: `frame` (a frame slot, OFS_SYNC_NONE if nothing is kept)
 * and the results around it, as result slots or OFS_SYNC_NONE:
 * `exact` was computed from that frame; `earlier` is the newest result of
 * an earlier frame; `later` the oldest result of a later frame. */
struct ofs_sync_pick {
	uint32_t frame;
	uint32_t exact, earlier, later;
};

/* Empties everything (a new channel restarts frame ids). */
void ofs_sync_reset(struct ofs_sync *s);

/* Forgets the results and which frames were sent (the frames stay), for a
 * new channel or a mode change; keeps the latency measurements. */
void ofs_sync_forget_results(struct ofs_sync *s);

/* Starts a new rendered frame: returns the frame slot to render it into
 * and its sequence number in *seq. The slot's previous frame is dropped. */
uint32_t ofs_sync_begin_frame(struct ofs_sync *s, uint64_t *seq);

/* The frame rendered as `seq` went to the host as `frame_id` (> 0). No-op
 * if that frame is no longer kept. */
void ofs_sync_frame_sent(struct ofs_sync *s, uint64_t seq, uint64_t frame_id);

/* A result for `frame_id` arrived (after the newest begin_frame): records
 * the latency in frames when the frame is still kept, and returns the
 * result slot to store it in (the one holding the lowest frame id, or a
 * free one), or OFS_SYNC_NONE if every kept result is newer and frame_id
 * is older than all of them, or frame_id is 0. */
uint32_t ofs_sync_result(struct ofs_sync *s, uint64_t frame_id);

/* The delay in frames: `fixed` (clamped to OFS_SYNC_MAX_DELAY) if > 0,
 * else the largest latency of the last OFS_SYNC_LATENCY_WINDOW results
 * (OFS_SYNC_DEFAULT_DELAY before the first), clamped to 1..MAX_DELAY. */
uint32_t ofs_sync_delay(const struct ofs_sync *s, uint32_t fixed);

/* Picks the frame rendered `delay` frames before the newest one (or the
 * oldest kept, if fewer were rendered) and its results. A frame that was
 * never sent has no exact result; its earlier and later results are those
 * of the nearest sent frames before and after it. */
void ofs_sync_pick(const struct ofs_sync *s, uint32_t delay, struct ofs_sync_pick *out);

/* The newest kept result (live mode), or OFS_SYNC_NONE. */
uint32_t ofs_sync_newest(const struct ofs_sync *s);

#ifdef __cplusplus
}
#endif

#endif /* OFS_SYNC_H */

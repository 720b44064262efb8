/*
 * Privacy mode: which parts of the frame to mask (docs/frame-channel.md,
 * "Privacy mode and failing closed"). Pure C: no libobs, no OS, no
 * allocation; the filter calls it once per drawn frame with the regions it
 * holds and draws what comes back.
 */
#ifndef OFS_FAILCLOSED_H
#define OFS_FAILCLOSED_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OFS_FC_MAX_SELECTED 32u /* ids in privacy_faces beyond this are ignored */

/* A face box in output (source) pixels; face_id = tracker id, 0 = none. */
struct ofs_fc_region {
	float x, y, w, h;
	uint32_t face_id;
};

struct ofs_fc_settings {
	bool fail_closed;
	uint32_t timeout_ms;  /* fail_closed_timeout_ms */
	uint32_t growth_pct;  /* fail_closed_growth: % of the box size per second, on every side */
	uint32_t padding_pct; /* privacy_padding: % of the box size added on every side */
	/* privacy_faces: selected_count == 0 selects every face. */
	uint32_t selected[OFS_FC_MAX_SELECTED];
	uint32_t selected_count;
};

struct ofs_fc_input {
	const struct ofs_fc_region *held; /* face boxes of the newest accepted result */
	uint32_t held_count;
	bool have_fresh;         /* a fresh result arrived at least once on this channel */
	uint64_t last_fresh_ns;  /* when the newest fresh result was accepted */
	uint64_t last_readback_ns; /* when the filter's own readback last succeeded */
	uint64_t now_ns;
	float frame_w, frame_h; /* output size; regions are clipped to it */
};

enum ofs_fc_verdict {
	OFS_FC_NOTHING = 0,     /* nothing to mask */
	OFS_FC_REGIONS = 1,     /* mask `out[0..count)` */
	OFS_FC_WHOLE_FRAME = 2, /* mask the whole frame (out[0] = 0, 0, frame_w, frame_h) */
};

/*
 * Decides what to mask. With fail_closed:
 * - no fresh result ever: the whole frame;
 * - staleness = now - last_fresh (0 if now is earlier); staleness or the
 *   readback's age above timeout_ms: the whole frame;
 * - otherwise each selected held box grown on every side by
 *   (padding_pct / 100 + growth_pct / 100 * staleness in s) times its own
 *   width (left, right) and height (top, bottom), clipped to the frame;
 *   no selected box: nothing.
 * Without fail_closed: the selected boxes with padding only (no growth)
 * while staleness <= timeout_ms, else nothing; never the whole frame.
 * Writes at most `cap` regions to `out`, sets *count, returns the verdict.
 */
enum ofs_fc_verdict ofs_fc_compute(const struct ofs_fc_settings *s, const struct ofs_fc_input *in,
				   struct ofs_fc_region *out, uint32_t cap, uint32_t *count);

/* true if `face_id` is selected (selected_count == 0: every face). */
bool ofs_fc_selected(const struct ofs_fc_settings *s, uint32_t face_id);

/* Parses privacy_faces ("1,3", spaces allowed) into s->selected; entries
 * that are not positive integers are skipped. Returns the count. */
uint32_t ofs_fc_parse_faces(struct ofs_fc_settings *s, const char *list);

#ifdef __cplusplus
}
#endif

#endif /* OFS_FAILCLOSED_H */

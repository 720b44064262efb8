/* Privacy mode: what to mask, failing closed (ofs-failclosed.h). */
#include "ofs-failclosed.h"

#include <stddef.h>

bool ofs_fc_selected(const struct ofs_fc_settings *s, uint32_t face_id)
{
	if (s->selected_count == 0)
		return true;
	for (uint32_t i = 0; i < s->selected_count && i < OFS_FC_MAX_SELECTED; i++)
		if (s->selected[i] == face_id)
			return true;
	return false;
}

uint32_t ofs_fc_parse_faces(struct ofs_fc_settings *s, const char *list)
{
	s->selected_count = 0;
	if (!list)
		return 0;
	const char *p = list;
	while (*p) {
		uint64_t v = 0;
		bool digits = false, junk = false;
		while (*p && *p != ',') {
			if (*p >= '0' && *p <= '9') {
				digits = true;
				if (v <= UINT32_MAX)
					v = v * 10u + (uint64_t)(*p - '0');
			} else if (*p != ' ' && *p != '\t') {
				junk = true;
			}
			p++;
		}
		if (digits && !junk && v > 0 && v <= UINT32_MAX && s->selected_count < OFS_FC_MAX_SELECTED)
			s->selected[s->selected_count++] = (uint32_t)v;
		if (*p == ',')
			p++;
	}
	return s->selected_count;
}

static enum ofs_fc_verdict whole_frame(const struct ofs_fc_input *in, struct ofs_fc_region *out, uint32_t cap,
				       uint32_t *count)
{
	*count = 0;
	if (cap > 0) {
		out[0].x = 0.0f;
		out[0].y = 0.0f;
		out[0].w = in->frame_w;
		out[0].h = in->frame_h;
		out[0].face_id = 0;
		*count = 1;
	}
	return OFS_FC_WHOLE_FRAME;
}

static float clampf(float v, float lo, float hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

enum ofs_fc_verdict ofs_fc_compute(const struct ofs_fc_settings *s, const struct ofs_fc_input *in,
				   struct ofs_fc_region *out, uint32_t cap, uint32_t *count)
{
	*count = 0;
	const uint64_t timeout_ns = (uint64_t)s->timeout_ms * 1000000ull;
	const uint64_t stale_ns = in->now_ns > in->last_fresh_ns ? in->now_ns - in->last_fresh_ns : 0;
	const uint64_t readback_age_ns = in->now_ns > in->last_readback_ns ? in->now_ns - in->last_readback_ns : 0;

	if (s->fail_closed) {
		if (!in->have_fresh || stale_ns > timeout_ns || readback_age_ns > timeout_ns)
			return whole_frame(in, out, cap, count);
	} else if (!in->have_fresh || stale_ns > timeout_ns) {
		return OFS_FC_NOTHING;
	}

	const float stale_s = (float)((double)stale_ns / 1e9);
	const float grow = (float)s->padding_pct / 100.0f +
			   (s->fail_closed ? (float)s->growth_pct / 100.0f * stale_s : 0.0f);
	for (uint32_t i = 0; i < in->held_count && *count < cap; i++) {
		const struct ofs_fc_region *r = &in->held[i];
		if (!ofs_fc_selected(s, r->face_id) || !(r->w > 0.0f) || !(r->h > 0.0f))
			continue;
		const float dx = r->w * grow, dy = r->h * grow;
		const float x0 = clampf(r->x - dx, 0.0f, in->frame_w), x1 = clampf(r->x + r->w + dx, 0.0f, in->frame_w);
		const float y0 = clampf(r->y - dy, 0.0f, in->frame_h), y1 = clampf(r->y + r->h + dy, 0.0f, in->frame_h);
		if (!(x1 > x0) || !(y1 > y0))
			continue;
		struct ofs_fc_region *o = &out[(*count)++];
		o->x = x0;
		o->y = y0;
		o->w = x1 - x0;
		o->h = y1 - y0;
		o->face_id = r->face_id;
	}
	return *count ? OFS_FC_REGIONS : OFS_FC_NOTHING;
}

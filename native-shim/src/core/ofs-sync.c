#include "ofs-sync.h"

#include <string.h>

void ofs_sync_reset(struct ofs_sync *s)
{
	memset(s, 0, sizeof(*s));
}

void ofs_sync_forget_results(struct ofs_sync *s)
{
	memset(s->frame_id, 0, sizeof(s->frame_id));
	memset(s->result_id, 0, sizeof(s->result_id));
}

uint32_t ofs_sync_begin_frame(struct ofs_sync *s, uint64_t *seq)
{
	const uint64_t n = s->seq++;
	const uint32_t slot = (uint32_t)(n % OFS_SYNC_FRAMES);
	s->frame_seq[slot] = n + 1u;
	s->frame_id[slot] = 0;
	*seq = n;
	return slot;
}

void ofs_sync_frame_sent(struct ofs_sync *s, uint64_t seq, uint64_t frame_id)
{
	const uint32_t slot = (uint32_t)(seq % OFS_SYNC_FRAMES);
	if (frame_id && s->frame_seq[slot] == seq + 1u)
		s->frame_id[slot] = frame_id;
}

static void add_latency(struct ofs_sync *s, uint32_t frames)
{
	s->latency[s->latency_next] = frames;
	s->latency_next = (s->latency_next + 1u) % OFS_SYNC_LATENCY_WINDOW;
	if (s->latency_count < OFS_SYNC_LATENCY_WINDOW)
		s->latency_count++;
}

uint32_t ofs_sync_result(struct ofs_sync *s, uint64_t frame_id)
{
	if (!frame_id)
		return OFS_SYNC_NONE;

	/* Latency: frames rendered since the result's frame. A frame already
	 * dropped from the ring (a newer sent frame is kept) was too slow for
	 * any delay: count it as one more than the largest. */
	bool found = false, newer_kept = false;
	for (uint32_t i = 0; i < OFS_SYNC_FRAMES; i++) {
		if (!s->frame_seq[i] || !s->frame_id[i])
			continue;
		if (s->frame_id[i] == frame_id) {
			add_latency(s, (uint32_t)(s->seq - s->frame_seq[i]));
			found = true;
		} else if (s->frame_id[i] > frame_id) {
			newer_kept = true;
		}
	}
	if (!found && newer_kept)
		add_latency(s, OFS_SYNC_FRAMES);

	uint32_t slot = OFS_SYNC_NONE;
	for (uint32_t i = 0; i < OFS_SYNC_HISTORY; i++) {
		if (s->result_id[i] == frame_id)
			return i; /* the same frame again: replace it */
		if (slot == OFS_SYNC_NONE || s->result_id[i] < s->result_id[slot])
			slot = i;
	}
	if (s->result_id[slot] && s->result_id[slot] > frame_id)
		return OFS_SYNC_NONE; /* older than everything kept */
	s->result_id[slot] = frame_id;
	return slot;
}

uint32_t ofs_sync_delay(const struct ofs_sync *s, uint32_t fixed)
{
	if (fixed)
		return fixed < OFS_SYNC_MAX_DELAY ? fixed : OFS_SYNC_MAX_DELAY;
	if (!s->latency_count)
		return OFS_SYNC_DEFAULT_DELAY;
	uint32_t d = 1u;
	for (uint32_t i = 0; i < s->latency_count; i++)
		d = s->latency[i] > d ? s->latency[i] : d;
	return d < OFS_SYNC_MAX_DELAY ? d : OFS_SYNC_MAX_DELAY;
}

void ofs_sync_pick(const struct ofs_sync *s, uint32_t delay, struct ofs_sync_pick *out)
{
	out->frame = out->exact = out->earlier = out->later = OFS_SYNC_NONE;
	if (!s->seq)
		return;
	const uint64_t newest = s->seq - 1u;
	const uint64_t oldest = s->seq > OFS_SYNC_FRAMES ? s->seq - OFS_SYNC_FRAMES : 0u;
	const uint64_t d = delay < OFS_SYNC_MAX_DELAY ? delay : OFS_SYNC_MAX_DELAY;
	const uint64_t target = newest - oldest >= d ? newest - d : oldest;
	out->frame = (uint32_t)(target % OFS_SYNC_FRAMES);

	/* Results of frame ids below `lo` are earlier, above `hi` later. */
	uint64_t lo, hi;
	const uint64_t id = s->frame_id[out->frame];
	if (id) {
		lo = hi = id;
	} else {
		/* Never sent: bracket it by the nearest later sent frame (no
		 * result lies between two consecutive sent frames). */
		uint64_t next = UINT64_MAX;
		for (uint32_t i = 0; i < OFS_SYNC_FRAMES; i++)
			if (s->frame_seq[i] > target + 1u && s->frame_id[i] && s->frame_id[i] < next)
				next = s->frame_id[i];
		lo = next;
		hi = next - 1u;
	}
	for (uint32_t i = 0; i < OFS_SYNC_HISTORY; i++) {
		const uint64_t r = s->result_id[i];
		if (!r)
			continue;
		if (lo == hi && r == lo)
			out->exact = i;
		else if (r < lo && (out->earlier == OFS_SYNC_NONE || r > s->result_id[out->earlier]))
			out->earlier = i;
		else if (r > hi && (out->later == OFS_SYNC_NONE || r < s->result_id[out->later]))
			out->later = i;
	}
}

uint32_t ofs_sync_newest(const struct ofs_sync *s)
{
	uint32_t best = OFS_SYNC_NONE;
	for (uint32_t i = 0; i < OFS_SYNC_HISTORY; i++)
		if (s->result_id[i] && (best == OFS_SYNC_NONE || s->result_id[i] > s->result_id[best]))
			best = i;
	return best;
}

/*
 * Timing of the filter's render callback: lock-free counters written by the
 * render thread (relaxed atomics, no allocation) and read by any thread
 * (obs-websocket's GetStats, the link thread's periodic log).
 * The histogram has 8 buckets per octave from 1 us to about 1 s, so the
 * p95 estimate is within about 9 %.
 */
#ifndef OFS_RENDER_STATS_H
#define OFS_RENDER_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#define OFS_STATS_BUCKETS 170u

struct ofs_render_stats {
	_Atomic uint64_t count;
	_Atomic uint64_t total_ns;
	_Atomic uint64_t max_ns;        /* since creation */
	_Atomic uint64_t window_max_ns; /* since the last ofs_render_stats_window() */
	_Atomic uint64_t buckets[OFS_STATS_BUCKETS];
};

/* A plain copy, for differences between two points in time. */
struct ofs_render_stats_snapshot {
	uint64_t count;
	uint64_t total_ns;
	uint64_t max_ns;
	uint64_t buckets[OFS_STATS_BUCKETS];
};

struct ofs_render_summary {
	uint64_t count;
	double mean_us;
	double max_us;
	double p95_us;
};

void ofs_render_stats_init(struct ofs_render_stats *s);

/* Render thread: one callback took `ns`. */
void ofs_render_stats_add(struct ofs_render_stats *s, uint64_t ns);

/* Any thread: totals since creation. */
void ofs_render_stats_total(const struct ofs_render_stats *s, struct ofs_render_summary *out);

/* One reader thread: the summary of the calls since its previous call
 * (`prev` keeps the state between calls; zero it before the first). */
void ofs_render_stats_window(struct ofs_render_stats *s, struct ofs_render_stats_snapshot *prev,
			     struct ofs_render_summary *out);

#endif /* OFS_RENDER_STATS_H */

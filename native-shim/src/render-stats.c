#include "render-stats.h"

#include <string.h>

static unsigned floor_log2(uint64_t v)
{
	unsigned r = 0;
	for (unsigned shift = 32; shift > 0; shift >>= 1) {
		if (v >> shift) {
			v >>= shift;
			r += shift;
		}
	}
	return r;
}

/* Bucket 0: below 1024 ns; then 8 per octave. */
static unsigned bucket_of(uint64_t ns)
{
	if (ns < 1024u)
		return 0;
	unsigned e = floor_log2(ns);
	unsigned frac = (unsigned)((ns >> (e - 3u)) & 7u);
	unsigned b = 1u + (e - 10u) * 8u + frac;
	return b < OFS_STATS_BUCKETS ? b : OFS_STATS_BUCKETS - 1u;
}

/* Upper edge of a bucket in ns. */
static uint64_t bucket_upper(unsigned b)
{
	if (b == 0)
		return 1024u;
	unsigned e = 10u + (b - 1u) / 8u, frac = (b - 1u) % 8u;
	return (uint64_t)(9u + frac) << (e - 3u);
}

void ofs_render_stats_init(struct ofs_render_stats *s)
{
	atomic_init(&s->count, 0);
	atomic_init(&s->total_ns, 0);
	atomic_init(&s->max_ns, 0);
	atomic_init(&s->window_max_ns, 0);
	for (unsigned i = 0; i < OFS_STATS_BUCKETS; i++)
		atomic_init(&s->buckets[i], 0);
}

void ofs_render_stats_add(struct ofs_render_stats *s, uint64_t ns)
{
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->total_ns, ns, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->buckets[bucket_of(ns)], 1, memory_order_relaxed);
	if (ns > atomic_load_explicit(&s->max_ns, memory_order_relaxed))
		atomic_store_explicit(&s->max_ns, ns, memory_order_relaxed); /* single writer */
	uint64_t cur = atomic_load_explicit(&s->window_max_ns, memory_order_relaxed);
	while (ns > cur && !atomic_compare_exchange_weak_explicit(&s->window_max_ns, &cur, ns, memory_order_relaxed,
								    memory_order_relaxed))
		;
}

static void take(const struct ofs_render_stats *s, struct ofs_render_stats_snapshot *snap)
{
	snap->count = atomic_load_explicit(&s->count, memory_order_relaxed);
	snap->total_ns = atomic_load_explicit(&s->total_ns, memory_order_relaxed);
	snap->max_ns = atomic_load_explicit(&s->max_ns, memory_order_relaxed);
	for (unsigned i = 0; i < OFS_STATS_BUCKETS; i++)
		snap->buckets[i] = atomic_load_explicit(&s->buckets[i], memory_order_relaxed);
}

static void summarize(const uint64_t *buckets, uint64_t count, uint64_t total_ns, uint64_t max_ns,
		      struct ofs_render_summary *out)
{
	out->count = count;
	out->mean_us = count ? (double)total_ns / (double)count / 1000.0 : 0.0;
	out->max_us = (double)max_ns / 1000.0;
	out->p95_us = 0.0;
	if (!count)
		return;
	/* Counters are read one by one while the render thread adds: use the
	 * histogram's own total so that the quantile stays within it. */
	uint64_t hist_total = 0;
	for (unsigned i = 0; i < OFS_STATS_BUCKETS; i++)
		hist_total += buckets[i];
	const uint64_t want = hist_total - hist_total / 20u; /* 95 % */
	uint64_t seen = 0;
	for (unsigned i = 0; i < OFS_STATS_BUCKETS; i++) {
		seen += buckets[i];
		if (seen >= want && seen > 0) {
			uint64_t upper = bucket_upper(i);
			out->p95_us = (double)(upper < max_ns ? upper : max_ns) / 1000.0;
			return;
		}
	}
	out->p95_us = out->max_us;
}

void ofs_render_stats_total(const struct ofs_render_stats *s, struct ofs_render_summary *out)
{
	struct ofs_render_stats_snapshot snap;
	take(s, &snap);
	summarize(snap.buckets, snap.count, snap.total_ns, snap.max_ns, out);
}

void ofs_render_stats_window(struct ofs_render_stats *s, struct ofs_render_stats_snapshot *prev,
			     struct ofs_render_summary *out)
{
	struct ofs_render_stats_snapshot now;
	take(s, &now);
	uint64_t diff[OFS_STATS_BUCKETS];
	for (unsigned i = 0; i < OFS_STATS_BUCKETS; i++)
		diff[i] = now.buckets[i] - prev->buckets[i];
	uint64_t window_max = atomic_exchange_explicit(&s->window_max_ns, 0, memory_order_relaxed);
	summarize(diff, now.count - prev->count, now.total_ns - prev->total_ns, window_max, out);
	*prev = now;
}

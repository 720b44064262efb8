/* ofs-sync: the synced latency mode's frame and result bookkeeping. */
#include "ofs-sync.h"
#include "test-util.h"

/* Renders `n` frames, sending each as the next frame id (ids from *next_id). */
static void render_and_send(struct ofs_sync *s, uint32_t n, uint64_t *next_id)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t seq;
		ofs_sync_begin_frame(s, &seq);
		ofs_sync_frame_sent(s, seq, (*next_id)++);
	}
}

static void test_empty(void)
{
	struct ofs_sync s;
	ofs_sync_reset(&s);
	struct ofs_sync_pick p;
	ofs_sync_pick(&s, 3, &p);
	CHECK_EQ(p.frame, OFS_SYNC_NONE);
	CHECK_EQ(ofs_sync_delay(&s, 0), OFS_SYNC_DEFAULT_DELAY);
	CHECK_EQ(ofs_sync_newest(&s), OFS_SYNC_NONE);
	CHECK_EQ(ofs_sync_result(&s, 0), OFS_SYNC_NONE);
}

/* A result that takes 2 frames: delay 2, and the shown frame gets its own result. */
static void test_exact_after_measured_latency(void)
{
	struct ofs_sync s;
	ofs_sync_reset(&s);
	uint64_t id = 1;
	render_and_send(&s, 5, &id); /* ids 1..5, seqs 0..4 */
	/* Result of frame id 3 (seq 2) arrives after seq 4 began: latency 2. */
	const uint32_t slot = ofs_sync_result(&s, 3);
	CHECK(slot != OFS_SYNC_NONE);
	CHECK_EQ(ofs_sync_delay(&s, 0), 2);
	struct ofs_sync_pick p;
	ofs_sync_pick(&s, ofs_sync_delay(&s, 0), &p);
	CHECK_EQ(p.frame, 2);     /* seq 2 */
	CHECK_EQ(p.exact, slot);
	CHECK_EQ(p.earlier, OFS_SYNC_NONE);
	CHECK_EQ(p.later, OFS_SYNC_NONE);
	/* The largest latency in the window wins; a fixed delay overrides it. */
	render_and_send(&s, 1, &id);
	ofs_sync_result(&s, 2); /* seq 1, now seq 5: latency 4 */
	CHECK_EQ(ofs_sync_delay(&s, 0), 4);
	CHECK_EQ(ofs_sync_delay(&s, 1), 1);
	CHECK_EQ(ofs_sync_delay(&s, 100), OFS_SYNC_MAX_DELAY);
}

/* The host dropped a frame: no exact result, the neighbours bracket it. */
static void test_dropped_frame_bracketed(void)
{
	struct ofs_sync s;
	ofs_sync_reset(&s);
	uint64_t id = 1;
	render_and_send(&s, 6, &id); /* ids 1..6 */
	const uint32_t a = ofs_sync_result(&s, 2);
	const uint32_t b = ofs_sync_result(&s, 4); /* id 3 dropped by the host */
	struct ofs_sync_pick p;
	ofs_sync_pick(&s, 3, &p); /* seq 2 = id 3 */
	CHECK_EQ(p.exact, OFS_SYNC_NONE);
	CHECK_EQ(p.earlier, a);
	CHECK_EQ(p.later, b);
	ofs_sync_pick(&s, 2, &p); /* seq 3 = id 4 */
	CHECK_EQ(p.exact, b);
	CHECK_EQ(p.earlier, a);
	CHECK_EQ(p.later, OFS_SYNC_NONE);
}

/* A frame that never went to the host is bracketed by the sent frames around it. */
static void test_unsent_frame(void)
{
	struct ofs_sync s;
	ofs_sync_reset(&s);
	uint64_t id = 1, seq;
	render_and_send(&s, 2, &id);  /* seq 0,1 = id 1,2 */
	ofs_sync_begin_frame(&s, &seq); /* seq 2: not sent */
	render_and_send(&s, 2, &id);  /* seq 3,4 = id 3,4 */
	const uint32_t r2 = ofs_sync_result(&s, 2), r3 = ofs_sync_result(&s, 3);
	struct ofs_sync_pick p;
	ofs_sync_pick(&s, 2, &p); /* seq 2 */
	CHECK_EQ(p.exact, OFS_SYNC_NONE);
	CHECK_EQ(p.earlier, r2);
	CHECK_EQ(p.later, r3);
	/* The newest frames, not sent yet: earlier results only. */
	ofs_sync_begin_frame(&s, &seq);
	ofs_sync_pick(&s, 0, &p);
	CHECK_EQ(p.exact, OFS_SYNC_NONE);
	CHECK_EQ(p.later, OFS_SYNC_NONE);
	CHECK_EQ(ofs_sync_result(&s, 4) != OFS_SYNC_NONE, 1);
	CHECK_EQ(s.result_id[p.earlier == OFS_SYNC_NONE ? 0 : p.earlier], 3); /* picked before id 4 arrived */
	ofs_sync_pick(&s, 0, &p);
	CHECK_EQ(s.result_id[p.earlier], 4);
}

/* Fewer frames than the delay: the oldest kept frame; a delay past the ring is clamped. */
static void test_delay_bounds(void)
{
	struct ofs_sync s;
	ofs_sync_reset(&s);
	uint64_t id = 1;
	render_and_send(&s, 2, &id);
	struct ofs_sync_pick p;
	ofs_sync_pick(&s, 5, &p);
	CHECK_EQ(p.frame, 0);
	render_and_send(&s, 20, &id); /* seq 21 newest */
	ofs_sync_pick(&s, 100, &p);
	CHECK_EQ(p.frame, (21 - OFS_SYNC_MAX_DELAY) % OFS_SYNC_FRAMES);
	ofs_sync_pick(&s, 0, &p);
	CHECK_EQ(p.frame, 21 % OFS_SYNC_FRAMES);
}

/* A result whose frame left the ring counts as too slow for any delay. */
static void test_too_late(void)
{
	struct ofs_sync s;
	ofs_sync_reset(&s);
	uint64_t id = 1;
	render_and_send(&s, OFS_SYNC_FRAMES + 4, &id);
	CHECK(ofs_sync_result(&s, 2) != OFS_SYNC_NONE);
	CHECK_EQ(ofs_sync_delay(&s, 0), OFS_SYNC_MAX_DELAY);
}

/* History: the lowest frame id makes room; an older result than all kept is refused. */
static void test_history_replacement(void)
{
	struct ofs_sync s;
	ofs_sync_reset(&s);
	uint64_t id = 1;
	render_and_send(&s, 4, &id);
	for (uint64_t r = 10; r < 10 + OFS_SYNC_HISTORY; r++)
		CHECK(ofs_sync_result(&s, r) != OFS_SYNC_NONE);
	CHECK_EQ(ofs_sync_result(&s, 5), OFS_SYNC_NONE);
	const uint32_t slot = ofs_sync_result(&s, 100);
	CHECK(slot != OFS_SYNC_NONE);
	CHECK_EQ(s.result_id[slot], 100);
	for (uint32_t i = 0; i < OFS_SYNC_HISTORY; i++)
		CHECK(s.result_id[i] != 10); /* the lowest went */
	CHECK_EQ(ofs_sync_result(&s, 100), slot); /* the same frame again: same slot */
	CHECK_EQ(s.result_id[ofs_sync_newest(&s)], 100);
	/* Forgetting results keeps the frames and the latency. */
	const uint32_t delay = ofs_sync_delay(&s, 0);
	ofs_sync_forget_results(&s);
	CHECK_EQ(ofs_sync_newest(&s), OFS_SYNC_NONE);
	CHECK_EQ(ofs_sync_delay(&s, 0), delay);
	struct ofs_sync_pick p;
	ofs_sync_pick(&s, 1, &p);
	CHECK(p.frame != OFS_SYNC_NONE);
}

int main(void)
{
	test_empty();
	test_exact_after_measured_latency();
	test_dropped_frame_bracketed();
	test_unsent_frame();
	test_delay_bounds();
	test_too_late();
	test_history_replacement();
	return test_finish("test-sync");
}

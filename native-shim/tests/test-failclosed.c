/* ofs-failclosed: what privacy mode masks, and failing closed. */
#include <math.h>

#include "ofs-failclosed.h"
#include "test-util.h"

#define MS 1000000ull
#define FW 1280.0f
#define FH 720.0f

static int near(float a, float b)
{
	return fabsf(a - b) < 0.01f;
}

#define CHECK_REGION(r, X, Y, W, H) \
	do {                        \
		CHECK(near((r).x, X)); \
		CHECK(near((r).y, Y)); \
		CHECK(near((r).w, W)); \
		CHECK(near((r).h, H)); \
	} while (0)

static const struct ofs_fc_region faces[2] = {
	{.x = 200.0f, .y = 100.0f, .w = 100.0f, .h = 80.0f, .face_id = 1},
	{.x = 800.0f, .y = 300.0f, .w = 60.0f, .h = 60.0f, .face_id = 3},
};

static struct ofs_fc_settings defaults(void)
{
	struct ofs_fc_settings s = {.fail_closed = true, .timeout_ms = 1000, .growth_pct = 100, .padding_pct = 0};
	return s;
}

static struct ofs_fc_input input(uint64_t now, uint64_t fresh)
{
	struct ofs_fc_input in = {.held = faces,
				  .held_count = 2,
				  .have_fresh = true,
				  .last_fresh_ns = fresh,
				  .last_readback_ns = now,
				  .now_ns = now,
				  .frame_w = FW,
				  .frame_h = FH};
	return in;
}

static void test_never_had_result(void)
{
	struct ofs_fc_settings s = defaults();
	struct ofs_fc_input in = input(5000 * MS, 0);
	in.have_fresh = false;
	in.held_count = 0;
	struct ofs_fc_region out[8];
	uint32_t n = 99;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_WHOLE_FRAME);
	CHECK_EQ(n, 1);
	CHECK_REGION(out[0], 0, 0, FW, FH);
	/* Also when the clock says 0 (first frame ever). */
	in.now_ns = 0;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_WHOLE_FRAME);
}

static void test_fresh_exact(void)
{
	struct ofs_fc_settings s = defaults();
	struct ofs_fc_input in = input(5000 * MS, 5000 * MS);
	struct ofs_fc_region out[8];
	uint32_t n = 0;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_EQ(n, 2);
	CHECK_REGION(out[0], 200, 100, 100, 80);
	CHECK_REGION(out[1], 800, 300, 60, 60);
	CHECK_EQ(out[1].face_id, 3);
	/* Padding 20 %: 20 px / 16 px on each side of face 1. */
	s.padding_pct = 20;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_REGION(out[0], 180, 84, 140, 112);
	/* A fresh result with no faces: nothing to mask. */
	in.held_count = 0;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_NOTHING);
	CHECK_EQ(n, 0);
}

static void test_stale_growth(void)
{
	/* 0.5 s stale at 100 %/s: every side moves out by 50 % of the box
	 * size (width for left/right, height for top/bottom), so a 100x80 box
	 * at (200, 100) becomes 200x160 at (150, 60). */
	struct ofs_fc_settings s = defaults();
	struct ofs_fc_input in = input(5500 * MS, 5000 * MS);
	struct ofs_fc_region out[8];
	uint32_t n = 0;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_EQ(n, 2);
	CHECK_REGION(out[0], 150, 60, 200, 160);
	CHECK_REGION(out[1], 770, 270, 120, 120);
	/* Padding adds to the growth: 20 % + 50 % = 70 % per side. */
	s.padding_pct = 20;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_REGION(out[0], 130, 44, 240, 192);
	/* Growth 50 %/s for 0.5 s: 25 % per side. */
	s.padding_pct = 0;
	s.growth_pct = 50;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_REGION(out[0], 175, 80, 150, 120);
	/* Clipped at the frame edge. */
	struct ofs_fc_region edge = {.x = 10.0f, .y = 650.0f, .w = 100.0f, .h = 60.0f, .face_id = 7};
	in.held = &edge;
	in.held_count = 1;
	s.growth_pct = 100;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_REGION(out[0], 0, 620, 160, 100);
}

static void test_timeout(void)
{
	struct ofs_fc_settings s = defaults();
	struct ofs_fc_region out[8];
	uint32_t n = 0;
	/* Exactly at the timeout: still regions (grown by 100 %). */
	struct ofs_fc_input in = input(6000 * MS, 5000 * MS);
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_REGION(out[0], 100, 20, 300, 240);
	/* Past it: the whole frame. */
	in.now_ns = 6001 * MS;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_WHOLE_FRAME);
	CHECK_EQ(n, 1);
	CHECK_REGION(out[0], 0, 0, FW, FH);
	/* A shorter timeout. */
	s.timeout_ms = 200;
	in.now_ns = 5201 * MS;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_WHOLE_FRAME);
	/* Held regions but no selected face, long stale: still the whole frame. */
	s.selected[0] = 42;
	s.selected_count = 1;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_WHOLE_FRAME);
	/* The filter's own readback failing for longer than the timeout. */
	s = defaults();
	in = input(5100 * MS, 5100 * MS);
	in.last_readback_ns = 4000 * MS;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_WHOLE_FRAME);
	in.last_readback_ns = 4200 * MS;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
}

/* Host gone (no fresh results), then back with a fresh result. */
static void test_reattach(void)
{
	struct ofs_fc_settings s = defaults();
	struct ofs_fc_region out[8];
	uint32_t n = 0;
	struct ofs_fc_input in = input(5000 * MS, 5000 * MS);
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	/* Host detached at 5.0 s: held regions keep growing... */
	in.now_ns = 5250 * MS;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_REGION(out[0], 175, 80, 150, 120);
	/* ... until the timeout, then the whole frame. */
	in.now_ns = 7000 * MS;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_WHOLE_FRAME);
	/* Re-attached: a fresh result at 7.2 s brings exact regions back. */
	in.now_ns = 7200 * MS;
	in.last_fresh_ns = 7200 * MS;
	in.last_readback_ns = 7190 * MS;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_EQ(n, 2);
	CHECK_REGION(out[0], 200, 100, 100, 80);
}

static void test_fail_open(void)
{
	struct ofs_fc_settings s = defaults();
	s.fail_closed = false;
	struct ofs_fc_region out[8];
	uint32_t n = 0;
	/* Never a result: nothing. */
	struct ofs_fc_input in = input(5000 * MS, 0);
	in.have_fresh = false;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_NOTHING);
	CHECK_EQ(n, 0);
	/* Stale 0.5 s: the regions, not grown. */
	in = input(5500 * MS, 5000 * MS);
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_REGION(out[0], 200, 100, 100, 80);
	/* Past the timeout or with a failed readback: nothing, never the whole frame. */
	in.now_ns = 6500 * MS;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_NOTHING);
	in = input(5000 * MS, 5000 * MS);
	in.last_readback_ns = 1000 * MS;
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
}

static void test_selection(void)
{
	struct ofs_fc_settings s = defaults();
	struct ofs_fc_region out[8];
	uint32_t n = 0;
	struct ofs_fc_input in = input(5000 * MS, 5000 * MS);
	CHECK_EQ(ofs_fc_parse_faces(&s, "3"), 1);
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].face_id, 3);
	CHECK_REGION(out[0], 800, 300, 60, 60);
	CHECK_EQ(ofs_fc_parse_faces(&s, " 1 , 3"), 2);
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_EQ(n, 2);
	CHECK_EQ(ofs_fc_parse_faces(&s, "5,9"), 2);
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_NOTHING);
	CHECK_EQ(n, 0);
	/* Empty, or nothing valid: every face. */
	CHECK_EQ(ofs_fc_parse_faces(&s, ""), 0);
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 8, &n), OFS_FC_REGIONS);
	CHECK_EQ(n, 2);
	CHECK_EQ(ofs_fc_parse_faces(&s, "x,-1,0,,99999999999"), 0);
	CHECK_EQ(ofs_fc_parse_faces(&s, NULL), 0);
	CHECK(ofs_fc_selected(&s, 12345));
	/* `cap` bounds the output. */
	CHECK_EQ(ofs_fc_compute(&s, &in, out, 1, &n), OFS_FC_REGIONS);
	CHECK_EQ(n, 1);
}

int main(void)
{
	test_never_had_result();
	test_fresh_exact();
	test_stale_growth();
	test_timeout();
	test_reattach();
	test_fail_open();
	test_selection();
	return test_finish("test-failclosed");
}

/*
 * The ring protocol, both sides: layout, frame round trip, drop-oldest and
 * its counters at queue depth 1 and 2, skips, NV12 geometry, result round
 * trip (newest first), reclaim after a host died, and a two-thread stress
 * run of shim and host.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "test-util.h"

static void test_layout(void)
{
	struct ofs_geometry g;
	CHECK_RC(ofs_geometry_compute(&g, 1, 640, 360, 4, 3, OFS_DEFAULT_RESULT_SLOT_SIZE), OFS_OK);
	CHECK_EQ(g.frame_slots_offset, 256);
	CHECK_EQ(g.frame_slot_size, 64 + 640 * 360 * 4);
	CHECK_EQ(g.frame_slot_size % 64, 0);
	CHECK_EQ(g.result_slots_offset, 256 + 4ull * g.frame_slot_size);
	CHECK_EQ(g.total_size, g.result_slots_offset + 3ull * (4 * 1024 * 1024 + 16 * 1024));
	/* Limits. */
	CHECK_RC(ofs_geometry_compute(&g, 1, 0, 360, 4, 3, OFS_DEFAULT_RESULT_SLOT_SIZE), OFS_E_ARG);
	CHECK_RC(ofs_geometry_compute(&g, 1, 4097, 360, 4, 3, OFS_DEFAULT_RESULT_SLOT_SIZE), OFS_E_ARG);
	CHECK_RC(ofs_geometry_compute(&g, 1, 640, 360, 2, 3, OFS_DEFAULT_RESULT_SLOT_SIZE), OFS_E_ARG);
	CHECK_RC(ofs_geometry_compute(&g, 1, 640, 360, 9, 3, OFS_DEFAULT_RESULT_SLOT_SIZE), OFS_E_ARG);
	CHECK_RC(ofs_geometry_compute(&g, 1, 640, 360, 4, 3, 1000), OFS_E_ARG);
	CHECK_RC(ofs_geometry_compute(&g, 1, 4096, 4096, 8, 8, OFS_DEFAULT_RESULT_SLOT_SIZE), OFS_OK);

	struct test_channel t;
	CHECK(test_channel_open(&t, 64, 48, 1, 16384) == 0);
	struct ofs_channel_header *h = t.memory;
	CHECK_EQ(h->magic, OFS_WIRE_MAGIC);
	CHECK_EQ(h->version, OFS_WIRE_VERSION);
	CHECK_EQ(h->header_size, 256);
	CHECK_EQ(h->total_size, t.geo.total_size);
	CHECK_EQ(h->channel_id, 7);
	CHECK_EQ(h->frame_slot_count, 4);
	CHECK_EQ(h->result_slot_count, 3);
	CHECK_EQ(h->queue_depth, 1);
	CHECK_EQ(h->shim_pid, 1234);
	CHECK_EQ(h->frames_written, 0);
	CHECK_EQ(h->reserved[7], 0);
	for (uint32_t i = 0; i < 4; i++) {
		CHECK_EQ(test_frame_slot(&t, i)->state, OFS_SLOT_FREE);
		CHECK_EQ(test_frame_slot(&t, i)->generation, 0);
	}
	for (uint32_t i = 0; i < 3; i++)
		CHECK_EQ(test_result_slot(&t, i)->state, OFS_SLOT_FREE);
	/* Memory too small or unaligned. */
	struct ofs_channel ch;
	CHECK_RC(ofs_channel_init(&ch, t.memory, t.geo.total_size - 1, &t.geo, 1, 1), OFS_E_ARG);
	CHECK_RC(ofs_channel_init(&ch, (uint8_t *)t.memory + 8, t.geo.total_size, &t.geo, 1, 1), OFS_E_ARG);
	test_channel_close(&t);
}

static void test_frame_round_trip(void)
{
	struct test_channel t;
	CHECK(test_channel_open(&t, 64, 48, 1, 16384) == 0);
	uint8_t *dst = malloc(ofs_frame_capacity(&t.host));
	for (uint64_t n = 1; n <= 5; n++) {
		uint64_t id = 0;
		CHECK_RC(test_write_bgra(&t, 1, 32, 16, 1000 * n, (uint8_t)n, &id), OFS_OK);
		CHECK_EQ(id, n);
		struct ofs_frame_info info;
		CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &info), OFS_OK);
		CHECK_EQ(info.frame_id, n);
		CHECK_EQ(info.timestamp_ns, 1000 * n);
		CHECK_EQ(info.pixel_format, OFS_PIXEL_BGRA);
		CHECK_EQ(info.width, 32);
		CHECK_EQ(info.height, 16);
		CHECK_EQ(info.stride, 128);
		CHECK_EQ(info.data_size, 128 * 16);
		CHECK_EQ(info.source_width, 64);
		CHECK_EQ(info.source_height, 32);
		int same = 1;
		for (uint32_t i = 0; i < info.data_size; i++)
			same &= dst[i] == (uint8_t)(n + i * 7u);
		CHECK(same);
		CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &info), OFS_EMPTY);
	}
	struct ofs_channel_header *h = t.memory;
	CHECK_EQ(h->frames_written, 5);
	CHECK_EQ(h->frame_seq, 5);
	CHECK_EQ(h->frames_read, 5);
	CHECK_EQ(h->frames_dropped, 0);
	CHECK_EQ(atomic_load(&t.shim.frames_written), 5);
	/* A frame too big for the slot is refused and the slot given back. */
	struct ofs_frame_writer w;
	CHECK_RC(ofs_frame_begin(&t.shim, 1, &w), OFS_OK);
	struct ofs_frame_info big = {0};
	CHECK_RC(ofs_frame_layout(&big, OFS_PIXEL_BGRA, 65, 48), OFS_OK);
	CHECK_RC(ofs_frame_commit(&t.shim, &w, &big), OFS_E_TOO_BIG);
	for (uint32_t i = 0; i < 4; i++) {
		CHECK_EQ(test_frame_slot(&t, i)->state, OFS_SLOT_FREE);
		CHECK_EQ(test_frame_slot(&t, i)->generation % 2, 0);
	}
	/* The destination too small for the frame. */
	CHECK_RC(test_write_bgra(&t, 1, 32, 16, 1, 1, NULL), OFS_OK);
	struct ofs_frame_info info;
	CHECK_RC(ofs_host_frame_take(&t.host, dst, 100, &info), OFS_E_TOO_BIG);
	free(dst);
	test_channel_close(&t);
}

static uint32_t ready_frames(struct test_channel *t)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < 4; i++)
		n += test_frame_slot(t, i)->state == OFS_SLOT_READY;
	return n;
}

static void test_drop_oldest_depth1(void)
{
	struct test_channel t;
	CHECK(test_channel_open(&t, 64, 48, 1, 16384) == 0);
	for (int n = 0; n < 10; n++)
		CHECK_RC(test_write_bgra(&t, 1, 16, 16, (uint64_t)n, 0, NULL), OFS_OK);
	CHECK_EQ(ready_frames(&t), 1);
	struct ofs_channel_header *h = t.memory;
	CHECK_EQ(h->frames_written, 10);
	CHECK_EQ(h->frames_dropped, 9);
	CHECK_EQ(h->frames_skipped, 0);
	CHECK_EQ(h->queue_depth, 1);
	uint8_t *dst = malloc(ofs_frame_capacity(&t.host));
	struct ofs_frame_info info;
	CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &info), OFS_OK);
	CHECK_EQ(info.frame_id, 10); /* the newest survived */
	CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &info), OFS_EMPTY);

	/* While the host holds a frame (READING) the producer keeps going. */
	CHECK_RC(test_write_bgra(&t, 1, 16, 16, 100, 0, NULL), OFS_OK);
	uint32_t held = 0;
	for (uint32_t i = 0; i < 4; i++)
		if (test_frame_slot(&t, i)->state == OFS_SLOT_READY)
			held = i;
	test_frame_slot(&t, held)->state = OFS_SLOT_READING;
	for (int n = 0; n < 20; n++)
		CHECK_RC(test_write_bgra(&t, 1, 16, 16, (uint64_t)(200 + n), 0, NULL), OFS_OK);
	CHECK_EQ(test_frame_slot(&t, held)->state, OFS_SLOT_READING);
	CHECK_EQ(ready_frames(&t), 1);
	CHECK_EQ(h->frames_skipped, 0);
	free(dst);
	test_channel_close(&t);
}

static void test_drop_oldest_depth2(void)
{
	struct test_channel t;
	CHECK(test_channel_open(&t, 64, 48, 2, 16384) == 0);
	for (int n = 1; n <= 6; n++)
		CHECK_RC(test_write_bgra(&t, 2, 16, 16, (uint64_t)n, 0, NULL), OFS_OK);
	CHECK_EQ(ready_frames(&t), 2);
	struct ofs_channel_header *h = t.memory;
	CHECK_EQ(h->queue_depth, 2);
	CHECK_EQ(h->frames_written, 6);
	CHECK_EQ(h->frames_dropped, 4);
	uint8_t *dst = malloc(ofs_frame_capacity(&t.host));
	struct ofs_frame_info info;
	CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &info), OFS_OK);
	CHECK_EQ(info.frame_id, 5); /* oldest of the two kept */
	CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &info), OFS_OK);
	CHECK_EQ(info.frame_id, 6);
	CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &info), OFS_EMPTY);
	CHECK_EQ(h->frames_read, 2);

	/* Switching to depth 1 at run time drops down to one READY frame. */
	CHECK_RC(test_write_bgra(&t, 2, 16, 16, 7, 0, NULL), OFS_OK);
	CHECK_RC(test_write_bgra(&t, 2, 16, 16, 8, 0, NULL), OFS_OK);
	CHECK_EQ(ready_frames(&t), 2);
	CHECK_RC(test_write_bgra(&t, 1, 16, 16, 9, 0, NULL), OFS_OK);
	CHECK_EQ(h->queue_depth, 1);
	CHECK_EQ(ready_frames(&t), 2); /* one dropped, one written: still 2 ... */
	CHECK_RC(test_write_bgra(&t, 1, 16, 16, 10, 0, NULL), OFS_OK);
	CHECK_EQ(ready_frames(&t), 2); /* ... each write drops the oldest */
	CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &info), OFS_OK);
	CHECK_EQ(info.frame_id, 9);
	free(dst);
	test_channel_close(&t);
}

static void test_skip_when_no_slot(void)
{
	struct test_channel t;
	CHECK(test_channel_open(&t, 64, 48, 1, 16384) == 0);
	for (uint32_t i = 0; i < 4; i++)
		test_frame_slot(&t, i)->state = OFS_SLOT_READING; /* a host holding everything */
	struct ofs_frame_writer w;
	CHECK_RC(ofs_frame_begin(&t.shim, 1, &w), OFS_E_NO_SLOT);
	CHECK_RC(ofs_frame_begin(&t.shim, 2, &w), OFS_E_NO_SLOT);
	struct ofs_channel_header *h = t.memory;
	CHECK_EQ(h->frames_skipped, 2);
	CHECK_EQ(h->frames_written, 0);
	/* An unknown state is never claimed either. */
	test_frame_slot(&t, 2)->state = 77;
	CHECK_RC(ofs_frame_begin(&t.shim, 1, &w), OFS_E_NO_SLOT);
	CHECK_EQ(h->frames_skipped, 3);
	test_channel_close(&t);
}

static void test_nv12(void)
{
	struct ofs_frame_info f = {0};
	CHECK_RC(ofs_frame_layout(&f, OFS_PIXEL_NV12, 640, 360), OFS_OK);
	CHECK_EQ(f.stride, 640);
	CHECK_EQ(f.uv_offset, 640 * 360);
	CHECK_EQ(f.uv_stride, 640);
	CHECK_EQ(f.data_size, 640 * 360 * 3 / 2);
	CHECK_RC(ofs_frame_check(&f, f.data_size), OFS_OK);
	CHECK_RC(ofs_frame_check(&f, f.data_size - 1), OFS_E_TOO_BIG);
	CHECK_RC(ofs_frame_layout(&f, OFS_PIXEL_NV12, 641, 360), OFS_E_FRAME_GEOMETRY);
	CHECK_RC(ofs_frame_layout(&f, OFS_PIXEL_NV12, 640, 361), OFS_E_FRAME_GEOMETRY);
	CHECK_RC(ofs_frame_layout(&f, 3, 640, 360), OFS_E_FRAME_FORMAT);
	CHECK_RC(ofs_frame_layout(&f, OFS_PIXEL_BGRA, 641, 361), OFS_OK);
	CHECK_EQ(f.stride, 641 * 4);
	CHECK_EQ(f.uv_offset, 0);

	/* Hand-made inconsistent descriptions. */
	CHECK_RC(ofs_frame_layout(&f, OFS_PIXEL_NV12, 64, 32), OFS_OK);
	struct ofs_frame_info bad = f;
	bad.uv_offset = 64 * 31; /* overlaps Y */
	CHECK_RC(ofs_frame_check(&bad, 1 << 20), OFS_E_FRAME_GEOMETRY);
	bad = f;
	bad.uv_stride = 63;
	CHECK_RC(ofs_frame_check(&bad, 1 << 20), OFS_E_FRAME_GEOMETRY);
	bad = f;
	bad.data_size = f.data_size - 1;
	CHECK_RC(ofs_frame_check(&bad, 1 << 20), OFS_E_FRAME_GEOMETRY);
	bad = f;
	bad.width = 63;
	CHECK_RC(ofs_frame_check(&bad, 1 << 20), OFS_E_FRAME_GEOMETRY);
	CHECK_RC(ofs_frame_layout(&f, OFS_PIXEL_BGRA, 16, 16), OFS_OK);
	bad = f;
	bad.stride = 63;
	CHECK_RC(ofs_frame_check(&bad, 1 << 20), OFS_E_FRAME_GEOMETRY);
	bad = f;
	bad.uv_offset = 4;
	CHECK_RC(ofs_frame_check(&bad, 1 << 20), OFS_E_FRAME_GEOMETRY);

	/* NV12 through the ring: Y and UV planes arrive intact. */
	struct test_channel t;
	CHECK(test_channel_open(&t, 64, 48, 1, 16384) == 0);
	struct ofs_frame_writer w;
	CHECK_RC(ofs_frame_begin(&t.shim, 1, &w), OFS_OK);
	struct ofs_frame_info info = {.timestamp_ns = 5};
	CHECK_RC(ofs_frame_layout(&info, OFS_PIXEL_NV12, 64, 48), OFS_OK);
	for (uint32_t i = 0; i < info.uv_offset; i++)
		w.data[i] = (uint8_t)(16 + i % 200);
	for (uint32_t i = info.uv_offset; i < info.data_size; i++)
		w.data[i] = (uint8_t)(128 + (i & 1));
	CHECK_RC(ofs_frame_commit(&t.shim, &w, &info), OFS_OK);
	uint8_t *dst = malloc(ofs_frame_capacity(&t.host));
	struct ofs_frame_info got;
	CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &got), OFS_OK);
	CHECK_EQ(got.pixel_format, OFS_PIXEL_NV12);
	CHECK_EQ(got.uv_offset, 64 * 48);
	CHECK_EQ(got.data_size, 64 * 48 * 3 / 2);
	CHECK_EQ(dst[0], 16);
	CHECK_EQ(dst[got.uv_offset], 128);
	CHECK_EQ(dst[got.uv_offset + 1], 129);
	free(dst);
	test_channel_close(&t);
}

/* Publishes a result with one 8x4 patch for `frame` through the host API. */
static void publish_patch(struct test_channel *t, const struct ofs_frame_info *frame, uint8_t fill)
{
	struct ofs_result_writer w;
	CHECK_RC(ofs_host_result_begin(&t->host, &w), OFS_OK);
	struct ofs_result_item it;
	memset(&it, 0, sizeof(it));
	it.kind = OFS_ITEM_PATCH;
	it.affine[0] = 1;
	it.affine[2] = 3;
	it.affine[4] = 1;
	it.affine[5] = 2;
	it.patch_offset = OFS_ITEM_SIZE;
	it.patch_width = 8;
	it.patch_height = 4;
	it.patch_stride = 32;
	it.patch_format = OFS_PATCH_BGRA;
	it.opacity = 1;
	memcpy(w.data, &it, sizeof(it));
	memset(w.data + OFS_ITEM_SIZE, fill, 32 * 4);
	struct ofs_result_slot f = {.frame_id = frame->frame_id,
				    .timestamp_ns = frame->timestamp_ns,
				    .frame_width = frame->width,
				    .frame_height = frame->height,
				    .item_count = 1,
				    .data_size = OFS_ITEM_SIZE + 32 * 4,
				    .pipeline_ns = 1000 + fill};
	ofs_host_result_commit(&t->host, &w, &f);
}

static void test_results(void)
{
	struct test_channel t;
	CHECK(test_channel_open(&t, 64, 48, 1, 16384) == 0);
	uint8_t *dst = malloc(ofs_frame_capacity(&t.host));
	uint8_t *buf = aligned_alloc(8, ofs_result_capacity(&t.shim));
	struct ofs_frame_info f1, f2;
	CHECK_RC(test_write_bgra(&t, 1, 32, 16, 111, 1, NULL), OFS_OK);
	CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &f1), OFS_OK);
	CHECK_RC(test_write_bgra(&t, 1, 32, 16, 222, 2, NULL), OFS_OK);
	CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &f2), OFS_OK);

	struct ofs_result r;
	CHECK_RC(ofs_result_read(&t.shim, buf, ofs_result_capacity(&t.shim), &r), OFS_EMPTY);
	publish_patch(&t, &f1, 0x11);
	CHECK_RC(ofs_result_read(&t.shim, buf, ofs_result_capacity(&t.shim), &r), OFS_OK);
	CHECK_EQ(r.header.frame_id, f1.frame_id);
	CHECK_EQ(r.header.timestamp_ns, 111);
	CHECK_EQ(r.header.item_count, 1);
	CHECK_EQ(r.header.pipeline_ns, 1000 + 0x11);
	CHECK_EQ(r.items[0].kind, OFS_ITEM_PATCH);
	CHECK_EQ(r.items[0].patch_width, 8);
	CHECK_EQ(r.payload[r.items[0].patch_offset], 0x11);
	CHECK_EQ(r.payload_size, OFS_ITEM_SIZE + 128);

	/* Results queue depth is 1: a second unread result replaces the first. */
	publish_patch(&t, &f1, 0x21);
	publish_patch(&t, &f2, 0x22);
	struct ofs_channel_header *h = t.memory;
	CHECK_EQ(h->results_written, 3);
	CHECK_EQ(h->results_dropped, 1);
	CHECK_EQ(h->last_pipeline_ns, 1000 + 0x22);
	CHECK_RC(ofs_result_read(&t.shim, buf, ofs_result_capacity(&t.shim), &r), OFS_OK);
	CHECK_EQ(r.header.frame_id, f2.frame_id);
	CHECK_EQ(r.payload[r.items[0].patch_offset], 0x22);
	CHECK_RC(ofs_result_read(&t.shim, buf, ofs_result_capacity(&t.shim), &r), OFS_EMPTY);

	/* Two READY results (a host that does not drop): the newest wins. */
	struct ofs_result_slot hdr = {.frame_id = f1.frame_id,
				      .timestamp_ns = f1.timestamp_ns,
				      .frame_width = 32,
				      .frame_height = 16};
	test_craft_result(&t, 0, &hdr, NULL, 0);
	hdr.frame_id = f2.frame_id;
	hdr.timestamp_ns = f2.timestamp_ns;
	test_craft_result(&t, 2, &hdr, NULL, 0);
	CHECK_RC(ofs_result_read(&t.shim, buf, ofs_result_capacity(&t.shim), &r), OFS_OK);
	CHECK_EQ(r.header.frame_id, f2.frame_id);
	CHECK_EQ(r.header.item_count, 0);
	CHECK_EQ(test_result_slot(&t, 2)->state, OFS_SLOT_FREE);
	CHECK_EQ(test_result_slot(&t, 0)->state, OFS_SLOT_READY);
	CHECK_RC(ofs_result_read(&t.shim, buf, ofs_result_capacity(&t.shim), &r), OFS_OK);
	CHECK_EQ(r.header.frame_id, f1.frame_id);
	CHECK_EQ(h->results_consumed, 4);
	CHECK_EQ(h->results_rejected, 0);
	CHECK_EQ(atomic_load(&t.shim.last_result_frame_id), f1.frame_id);

	/* Buffer checks. */
	CHECK_RC(ofs_result_read(&t.shim, buf, ofs_result_capacity(&t.shim) - 1, &r), OFS_E_ARG);
	CHECK_RC(ofs_result_read(&t.shim, buf + 4, ofs_result_capacity(&t.shim) - 8, &r), OFS_E_ARG);
	free(buf);
	free(dst);
	test_channel_close(&t);
}

static void test_reclaim(void)
{
	struct test_channel t;
	CHECK(test_channel_open(&t, 64, 48, 1, 16384) == 0);
	/* The host dies holding a frame (READING) and half-way through a
	 * result (WRITING, generation odd); one slot has a garbage state. */
	CHECK_RC(test_write_bgra(&t, 1, 16, 16, 1, 0, NULL), OFS_OK);
	uint32_t held = 0;
	for (uint32_t i = 0; i < 4; i++)
		if (test_frame_slot(&t, i)->state == OFS_SLOT_READY)
			held = i;
	test_frame_slot(&t, held)->state = OFS_SLOT_READING;
	struct ofs_result_writer w;
	CHECK_RC(ofs_host_result_begin(&t.host, &w), OFS_OK);
	CHECK_EQ(test_result_slot(&t, w.slot)->generation % 2, 1);
	memset(w.data, 0xEE, 64);
	test_result_slot(&t, (w.slot + 1) % 3)->state = 99;
	/* A READY result and a READY frame survive; the shim's own slots too. */
	CHECK_RC(test_write_bgra(&t, 1, 16, 16, 2, 0, NULL), OFS_OK);

	CHECK_EQ(ofs_channel_reclaim_host_slots(&t.shim), 3);
	CHECK_EQ(test_frame_slot(&t, held)->state, OFS_SLOT_FREE);
	CHECK_EQ(test_result_slot(&t, w.slot)->state, OFS_SLOT_FREE);
	CHECK_EQ(test_result_slot(&t, w.slot)->generation % 2, 0);
	CHECK_EQ(test_result_slot(&t, (w.slot + 1) % 3)->state, OFS_SLOT_FREE);
	CHECK_EQ(ready_frames(&t), 1);
	CHECK_EQ(ofs_channel_reclaim_host_slots(&t.shim), 0); /* idempotent */

	/* A new host attaches and everything works again. */
	struct ofs_channel host2;
	CHECK_RC(ofs_channel_attach(&host2, t.memory, t.geo.total_size), OFS_OK);
	uint8_t *dst = malloc(ofs_frame_capacity(&host2));
	uint8_t *buf = aligned_alloc(8, ofs_result_capacity(&t.shim));
	for (int n = 0; n < 8; n++) {
		struct ofs_frame_info f;
		CHECK_RC(test_write_bgra(&t, 1, 16, 16, (uint64_t)(10 + n), 0, NULL), OFS_OK);
		CHECK_RC(ofs_host_frame_take(&host2, dst, ofs_frame_capacity(&host2), &f), OFS_OK);
		struct ofs_result_writer rw;
		CHECK_RC(ofs_host_result_begin(&host2, &rw), OFS_OK);
		struct ofs_result_slot fields = {
			.frame_id = f.frame_id, .timestamp_ns = f.timestamp_ns, .frame_width = 16, .frame_height = 16};
		ofs_host_result_commit(&host2, &rw, &fields);
		struct ofs_result r;
		CHECK_RC(ofs_result_read(&t.shim, buf, ofs_result_capacity(&t.shim), &r), OFS_OK);
		CHECK_EQ(r.header.frame_id, f.frame_id);
	}
	free(buf);
	free(dst);
	test_channel_close(&t);
}

/* ---- two threads: the shim on one, the host on the other ---------- */

struct stress {
	struct test_channel t;
	atomic_int stop;
	atomic_int started;
	_Atomic uint64_t frames_taken;
	uint64_t out_of_order;
	uint64_t host_errors;
	uint64_t results_published;
};

static void *host_thread(void *arg)
{
	struct stress *s = arg;
	uint8_t *dst = malloc(ofs_frame_capacity(&s->t.host));
	uint64_t last = 0;
	atomic_store(&s->started, 1);
	while (!atomic_load(&s->stop)) {
		struct ofs_frame_info f;
		int rc = ofs_host_frame_take(&s->t.host, dst, ofs_frame_capacity(&s->t.host), &f);
		if (rc == OFS_EMPTY)
			continue;
		if (rc != OFS_OK) {
			s->host_errors++;
			continue;
		}
		atomic_fetch_add(&s->frames_taken, 1);
		if (f.frame_id <= last)
			s->out_of_order++;
		last = f.frame_id;
		/* Check the pixels the shim wrote for this frame id. */
		for (uint32_t i = 0; i < f.data_size; i += 61)
			if (dst[i] != (uint8_t)(f.frame_id + i * 7u))
				s->host_errors++;
		struct ofs_result_writer w;
		if (ofs_host_result_begin(&s->t.host, &w) != OFS_OK)
			continue;
		struct ofs_result_item it;
		memset(&it, 0, sizeof(it));
		it.kind = OFS_ITEM_PATCH;
		it.affine[0] = it.affine[4] = 1;
		it.patch_offset = OFS_ITEM_SIZE;
		it.patch_width = 4;
		it.patch_height = 4;
		it.patch_stride = 16;
		it.patch_format = OFS_PATCH_BGRA;
		it.opacity = 1;
		memcpy(w.data, &it, sizeof(it));
		memset(w.data + OFS_ITEM_SIZE, (int)(f.frame_id & 0xff), 64);
		struct ofs_result_slot fields = {.frame_id = f.frame_id,
						 .timestamp_ns = f.timestamp_ns,
						 .frame_width = f.width,
						 .frame_height = f.height,
						 .item_count = 1,
						 .data_size = OFS_ITEM_SIZE + 64};
		ofs_host_result_commit(&s->t.host, &w, &fields);
		s->results_published++;
	}
	free(dst);
	return NULL;
}

static void test_stress(uint32_t depth)
{
	struct stress *s = calloc(1, sizeof(*s));
	CHECK(test_channel_open(&s->t, 64, 48, depth, 16384) == 0);
	pthread_t th;
	pthread_create(&th, NULL, host_thread, s);
	uint8_t *buf = aligned_alloc(8, ofs_result_capacity(&s->t.shim));
	uint64_t consumed = 0, last_result = 0, result_regress = 0, bad_pixels = 0, errors = 0, stale = 0;
	/* At least 20000 frames and until the host has taken 5000 (two cores
	 * and a busy machine can starve the host thread for a while). */
	while (!atomic_load(&s->started))
		;
	uint32_t frames = 0;
	for (uint32_t n = 1; n <= 2000000u && (n <= 20000u || atomic_load(&s->frames_taken) < 5000u); n++) {
		frames = n;
		/* Pattern keyed on the frame id the commit will assign (n). */
		int rc = test_write_bgra(&s->t, depth, 32, 16, n * 10ull, (uint8_t)n, NULL);
		if (rc != OFS_OK) {
			/* Never expected with 4 slots and depth <= 2; ids are only
			 * assigned on commit, so the pixel pattern would also slip. */
			fprintf(stderr, "stress: frame write failed: %s\n", ofs_status_name(rc));
			errors++;
		}
		struct ofs_result r;
		rc = ofs_result_read(&s->t.shim, buf, ofs_result_capacity(&s->t.shim), &r);
		if (rc == OFS_OK) {
			consumed++;
			if (r.header.frame_id < last_result)
				result_regress++;
			last_result = r.header.frame_id;
			if (r.header.item_count == 1 &&
			    r.payload[r.items[0].patch_offset] != (uint8_t)(r.header.frame_id & 0xff))
				bad_pixels++;
		} else if (rc == OFS_E_STALE) {
			/* The host thread was descheduled for more than
			 * OFS_FRAME_HISTORY frames: correctly refused as too old. */
			stale++;
		} else if (rc != OFS_EMPTY) {
			fprintf(stderr, "stress: result read failed: %s\n", ofs_status_name(rc));
			errors++;
		}
	}
	atomic_store(&s->stop, 1);
	pthread_join(th, NULL);
	struct ofs_channel_header *h = s->t.memory;
	CHECK_EQ(errors, 0);
	CHECK_EQ(s->host_errors, 0);
	CHECK_EQ(s->out_of_order, 0);
	CHECK_EQ(result_regress, 0);
	CHECK_EQ(bad_pixels, 0);
	CHECK_EQ(h->frames_written, frames);
	CHECK_EQ(h->frames_written, h->frames_read + h->frames_dropped + ready_frames(&s->t));
	CHECK_EQ(h->results_rejected, stale);
	CHECK(stale < frames / 100);
	CHECK(consumed > 0);
	CHECK(atomic_load(&s->frames_taken) >= 5000);
	printf("stress depth %u: %u frames, host took %llu, dropped %llu, results %llu published, %llu consumed, "
	       "%llu stale\n",
	       depth, frames, (unsigned long long)atomic_load(&s->frames_taken), (unsigned long long)h->frames_dropped,
	       (unsigned long long)s->results_published, (unsigned long long)consumed, (unsigned long long)stale);
	free(buf);
	test_channel_close(&s->t);
	free(s);
}

int main(void)
{
	test_layout();
	test_frame_round_trip();
	test_drop_oldest_depth1();
	test_drop_oldest_depth2();
	test_skip_when_no_slot();
	test_nv12();
	test_results();
	test_reclaim();
	test_stress(1);
	test_stress(2);
	return test_finish("test-ring");
}

/*
 * Validation of everything read from shared memory: malicious result
 * headers and items (the shim's side), torn writes, and malicious channel
 * and frame headers (the host's side).
 */
#include <math.h>
#include <stdatomic.h>

#include "test-util.h"

static struct test_channel t;
static uint8_t *buf;
static struct ofs_frame_info frame; /* a frame the shim sent and the host took */

/* A valid result for `frame` with one 8x8 patch at offset 128. */
static void valid_result(struct ofs_result_slot *hdr, struct ofs_result_item *it)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->frame_id = frame.frame_id;
	hdr->timestamp_ns = frame.timestamp_ns;
	hdr->frame_width = frame.width;
	hdr->frame_height = frame.height;
	hdr->item_count = 1;
	hdr->data_size = OFS_ITEM_SIZE + 8 * 8 * 4;
	memset(it, 0, sizeof(*it));
	it->kind = OFS_ITEM_PATCH;
	it->score = 0.9f;
	it->box[2] = it->box[3] = 8;
	it->affine[0] = it->affine[4] = 1;
	it->patch_offset = OFS_ITEM_SIZE;
	it->patch_width = 8;
	it->patch_height = 8;
	it->patch_stride = 32;
	it->patch_format = OFS_PATCH_BGRA;
	it->opacity = 1;
}

/* Crafts the result into a slot, reads it, checks the status, that the
 * slot is FREE afterwards and that a rejection is counted and leaves `out`
 * untouched. */
static void expect(const struct ofs_result_slot *hdr, const struct ofs_result_item *items, uint32_t n, int want,
		   int line)
{
	static uint32_t slot;
	slot = (slot + 1) % 3;
	test_craft_result(&t, slot, hdr, items, n);
	const uint64_t rejected = atomic_load(&t.shim.results_rejected);
	const uint64_t consumed = atomic_load(&t.shim.results_consumed);
	struct ofs_result r;
	memset(&r, 0, sizeof(r));
	int rc = ofs_result_read(&t.shim, buf, ofs_result_capacity(&t.shim), &r);
	test_checks++;
	if (rc != want) {
		fprintf(stderr, "test-validate.c:%d: result read returned %d (%s), expected %d (%s)\n", line, rc,
			ofs_status_name(rc), want, ofs_status_name(want));
		test_failures++;
	}
	CHECK_EQ(test_result_slot(&t, slot)->state, OFS_SLOT_FREE);
	if (want == OFS_OK) {
		CHECK_EQ(atomic_load(&t.shim.results_consumed), consumed + 1);
		CHECK(r.items != NULL);
	} else {
		CHECK_EQ(atomic_load(&t.shim.results_rejected), rejected + 1);
		CHECK_EQ(atomic_load(&t.shim.last_reject_reason), want);
		CHECK(r.items == NULL && r.payload == NULL);
	}
}
#define EXPECT(hdr, items, n, want) expect(hdr, items, n, want, __LINE__)

static void test_result_headers(void)
{
	struct ofs_result_slot h;
	struct ofs_result_item it[2];
	valid_result(&h, &it[0]);
	EXPECT(&h, it, 1, OFS_OK);

	/* item_count */
	valid_result(&h, &it[0]);
	h.item_count = 0xFFFFFFFFu;
	EXPECT(&h, it, 1, OFS_E_ITEM_COUNT);
	h.item_count = OFS_MAX_RESULT_ITEMS + 1;
	EXPECT(&h, it, 1, OFS_E_ITEM_COUNT);
	h.item_count = 0x02000000u; /* * 128 wraps to 0 in 32 bits */
	EXPECT(&h, it, 1, OFS_E_ITEM_COUNT);

	/* data_size */
	valid_result(&h, &it[0]);
	h.data_size = t.geo.result_slot_size - OFS_SLOT_HEADER_SIZE + 1;
	EXPECT(&h, it, 1, OFS_E_DATA_SIZE);
	h.data_size = 0xFFFFFFFFu;
	EXPECT(&h, it, 1, OFS_E_DATA_SIZE);
	h.data_size = OFS_ITEM_SIZE - 1; /* smaller than the item table */
	EXPECT(&h, it, 1, OFS_E_DATA_SIZE);
	h.data_size = t.geo.result_slot_size - OFS_SLOT_HEADER_SIZE; /* exactly full: fine */
	EXPECT(&h, it, 1, OFS_OK);

	/* Results that do not match a frame the shim sent. */
	valid_result(&h, &it[0]);
	h.frame_width = frame.width + 2;
	EXPECT(&h, it, 1, OFS_E_STALE);
	valid_result(&h, &it[0]);
	h.frame_height = 0;
	EXPECT(&h, it, 1, OFS_E_STALE);
	valid_result(&h, &it[0]);
	h.timestamp_ns++;
	EXPECT(&h, it, 1, OFS_E_STALE);
	valid_result(&h, &it[0]);
	h.frame_id = 999999;
	EXPECT(&h, it, 1, OFS_E_STALE);
	h.frame_id = 0;
	EXPECT(&h, it, 1, OFS_E_STALE);

	/* Generation odd at the start: a write in progress. */
	valid_result(&h, &it[0]);
	h.generation = 5;
	EXPECT(&h, it, 1, OFS_E_GENERATION);

	/* No items and a status: accepted as is. */
	valid_result(&h, &it[0]);
	h.item_count = 0;
	h.data_size = 0;
	h.status = OFS_RESULT_STAGE_FAILED;
	EXPECT(&h, it, 0, OFS_OK);
}

static void test_items(void)
{
	struct ofs_result_slot h;
	struct ofs_result_item it[2];

	/* Unknown kinds. */
	valid_result(&h, &it[0]);
	it[0].kind = 0;
	EXPECT(&h, it, 1, OFS_E_ITEM_KIND);
	it[0].kind = 3;
	EXPECT(&h, it, 1, OFS_E_ITEM_KIND);
	it[0].kind = 0x80000002u;
	EXPECT(&h, it, 1, OFS_E_ITEM_KIND);

	/* A face item needs no patch fields. */
	valid_result(&h, &it[0]);
	it[0].kind = OFS_ITEM_FACE;
	it[0].patch_offset = 0xFFFFFFFFu;
	it[0].patch_format = 42;
	EXPECT(&h, it, 1, OFS_OK);

	/* Unknown patch format. */
	valid_result(&h, &it[0]);
	it[0].patch_format = 0;
	EXPECT(&h, it, 1, OFS_E_PATCH_FORMAT);
	it[0].patch_format = 2;
	EXPECT(&h, it, 1, OFS_E_PATCH_FORMAT);

	/* NaN and infinities anywhere. */
	const float bad[] = {NAN, INFINITY, -INFINITY};
	for (int b = 0; b < 3; b++) {
		valid_result(&h, &it[0]);
		it[0].affine[2] = bad[b];
		EXPECT(&h, it, 1, OFS_E_NOT_FINITE);
		valid_result(&h, &it[0]);
		it[0].opacity = bad[b];
		EXPECT(&h, it, 1, OFS_E_NOT_FINITE);
		valid_result(&h, &it[0]);
		it[0].landmarks[9] = bad[b];
		EXPECT(&h, it, 1, OFS_E_NOT_FINITE);
		valid_result(&h, &it[0]);
		it[0].box[3] = bad[b];
		EXPECT(&h, it, 1, OFS_E_NOT_FINITE);
		valid_result(&h, &it[0]);
		it[0].score = bad[b];
		EXPECT(&h, it, 1, OFS_E_NOT_FINITE);
		valid_result(&h, &it[0]);
		it[0].kind = OFS_ITEM_FACE;
		it[0].landmarks[0] = bad[b];
		EXPECT(&h, it, 1, OFS_E_NOT_FINITE);
	}

	/* Opacity is clamped, not rejected. */
	valid_result(&h, &it[0]);
	it[0].opacity = 7.5f;
	EXPECT(&h, it, 1, OFS_OK);
	CHECK(((const struct ofs_result_item *)(void *)buf)->opacity == 1.0f);
	it[0].opacity = -2.0f;
	EXPECT(&h, it, 1, OFS_OK);
	CHECK(((const struct ofs_result_item *)(void *)buf)->opacity == 0.0f);

	/* Patch sizes. */
	valid_result(&h, &it[0]);
	it[0].patch_width = 0;
	EXPECT(&h, it, 1, OFS_E_PATCH_SIZE);
	valid_result(&h, &it[0]);
	it[0].patch_height = 0;
	EXPECT(&h, it, 1, OFS_E_PATCH_SIZE);
	valid_result(&h, &it[0]);
	it[0].patch_width = OFS_MAX_PATCH_SIDE + 1;
	it[0].patch_stride = 4 * (OFS_MAX_PATCH_SIDE + 1);
	EXPECT(&h, it, 1, OFS_E_PATCH_SIZE);
	valid_result(&h, &it[0]);
	it[0].patch_height = 0xFFFFFFFFu;
	EXPECT(&h, it, 1, OFS_E_PATCH_SIZE);

	/* Stride below width * 4 (including a 32-bit wrap of width * 4). */
	valid_result(&h, &it[0]);
	it[0].patch_stride = 31;
	EXPECT(&h, it, 1, OFS_E_PATCH_STRIDE);
	it[0].patch_stride = 0;
	EXPECT(&h, it, 1, OFS_E_PATCH_STRIDE);

	/* Offsets: unaligned, inside the item table, past the end. */
	valid_result(&h, &it[0]);
	it[0].patch_offset = OFS_ITEM_SIZE + 2;
	h.data_size += 4;
	EXPECT(&h, it, 1, OFS_E_PATCH_OFFSET);
	valid_result(&h, &it[0]);
	it[0].patch_offset = 64;
	EXPECT(&h, it, 1, OFS_E_PATCH_OFFSET);
	valid_result(&h, &it[0]);
	h.item_count = 2;
	h.data_size += OFS_ITEM_SIZE;
	it[1] = it[0];
	it[1].kind = OFS_ITEM_FACE;
	it[0].patch_offset = OFS_ITEM_SIZE; /* inside item 1 */
	EXPECT(&h, it, 2, OFS_E_PATCH_OFFSET);
	it[0].patch_offset = 2 * OFS_ITEM_SIZE;
	EXPECT(&h, it, 2, OFS_OK);

	/* Patch pixels past data_size, and sums that overflow 32 and 64-bit-naive math. */
	valid_result(&h, &it[0]);
	h.data_size -= 1;
	EXPECT(&h, it, 1, OFS_E_PATCH_BOUNDS);
	valid_result(&h, &it[0]);
	it[0].patch_offset = 0xFFFFFFFCu;
	EXPECT(&h, it, 1, OFS_E_PATCH_BOUNDS);
	valid_result(&h, &it[0]);
	it[0].patch_stride = 0x40000000u; /* stride * (8 - 1) wraps in 32 bits */
	EXPECT(&h, it, 1, OFS_E_PATCH_BOUNDS);
	valid_result(&h, &it[0]);
	it[0].patch_height = 5;
	it[0].patch_stride = 0x40000000u; /* stride * 4 == 2^32: wraps to 0 in 32 bits */
	EXPECT(&h, it, 1, OFS_E_PATCH_BOUNDS);
	valid_result(&h, &it[0]);
	it[0].patch_stride = 0xFFFFFFFFu;
	it[0].patch_height = OFS_MAX_PATCH_SIDE;
	it[0].patch_offset = 0xFFFFFFFCu;
	EXPECT(&h, it, 1, OFS_E_PATCH_BOUNDS);
	/* Exactly at the end of the data: fine. */
	valid_result(&h, &it[0]);
	it[0].patch_stride = 40; /* padded rows; the last row needs only 32 bytes */
	h.data_size = OFS_ITEM_SIZE + 40 * 7 + 32;
	EXPECT(&h, it, 1, OFS_OK);
	h.data_size -= 1;
	EXPECT(&h, it, 1, OFS_E_PATCH_BOUNDS);
	/* The whole slot: a 1024x1024 patch fills it; one more row does not fit. */
	valid_result(&h, &it[0]);
	it[0].patch_width = it[0].patch_height = OFS_MAX_PATCH_SIDE;
	it[0].patch_stride = 4 * OFS_MAX_PATCH_SIDE;
	h.data_size = OFS_ITEM_SIZE + 4 * OFS_MAX_PATCH_SIDE * OFS_MAX_PATCH_SIDE;
	if (h.data_size <= t.geo.result_slot_size - OFS_SLOT_HEADER_SIZE)
		EXPECT(&h, it, 1, OFS_OK);
	it[0].patch_offset = t.geo.result_slot_size - OFS_SLOT_HEADER_SIZE - 4 * OFS_MAX_PATCH_SIDE * 1023;
	h.data_size = t.geo.result_slot_size - OFS_SLOT_HEADER_SIZE;
	EXPECT(&h, it, 1, OFS_E_PATCH_BOUNDS);
}

/* ---- torn writes ------------------------------------------------------ */

static int hook_mode;
static void torn_hook(void *slot)
{
	uint32_t *gen = &((struct ofs_result_slot *)slot)->generation;
	if (hook_mode == 1)
		*gen += 2; /* a whole write happened meanwhile: even, but changed */
	else if (hook_mode == 2)
		*gen += 1; /* a write started meanwhile */
}

static void test_torn(void)
{
	struct ofs_result_slot h;
	struct ofs_result_item it[1];
	ofs_test_after_copy_hook = torn_hook;
	hook_mode = 1;
	valid_result(&h, &it[0]);
	EXPECT(&h, it, 1, OFS_E_TORN);
	hook_mode = 2;
	valid_result(&h, &it[0]);
	EXPECT(&h, it, 1, OFS_E_TORN);
	hook_mode = 0;
	valid_result(&h, &it[0]);
	h.generation = 1000;
	EXPECT(&h, it, 1, OFS_OK);
	ofs_test_after_copy_hook = NULL;
}

/* Frames torn on the host's side are rejected the same way. */
static void frame_hook(void *slot)
{
	((struct ofs_frame_slot *)slot)->generation += 2;
}

static void test_host_side(void)
{
	uint8_t *dst = malloc(ofs_frame_capacity(&t.host));
	struct ofs_frame_info f;
	ofs_test_after_copy_hook = frame_hook;
	CHECK_RC(test_write_bgra(&t, 1, 16, 16, 5, 0, NULL), OFS_OK);
	CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &f), OFS_E_TORN);
	ofs_test_after_copy_hook = NULL;

	/* A hostile frame header. */
	struct {
		int field;
		uint32_t value;
		int want;
	} cases[] = {
		{0, 3, OFS_E_FRAME_FORMAT},         {1, 0, OFS_E_FRAME_GEOMETRY},
		{1, 5000, OFS_E_FRAME_GEOMETRY},    {2, 0xFFFFFFFFu, OFS_E_FRAME_GEOMETRY},
		{3, 4, OFS_E_FRAME_GEOMETRY},       {4, 0xFFFFFFFFu, OFS_E_TOO_BIG},
		{5, 0x40000000u, OFS_E_FRAME_GEOMETRY},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		CHECK_RC(test_write_bgra(&t, 1, 16, 16, 5, 0, NULL), OFS_OK);
		for (uint32_t i = 0; i < 4; i++) {
			struct ofs_frame_slot *s = test_frame_slot(&t, i);
			if (s->state != OFS_SLOT_READY)
				continue;
			switch (cases[c].field) {
			case 0:
				s->pixel_format = cases[c].value;
				break;
			case 1:
				s->width = cases[c].value;
				break;
			case 2:
				s->height = cases[c].value;
				break;
			case 3:
				s->stride = cases[c].value;
				break;
			case 4:
				s->data_size = cases[c].value;
				break;
			case 5:
				s->stride = cases[c].value; /* stride * (h-1) past data_size */
				break;
			}
		}
		CHECK_RC(ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &f), cases[c].want);
	}
	free(dst);

	/* Hostile channel headers. */
	const size_t size = (size_t)t.geo.total_size;
	uint8_t *copy = aligned_alloc(64, size);
	struct ofs_channel h;
	struct ofs_channel_header *ch = (struct ofs_channel_header *)(void *)copy;
	for (int c = 0; c < 14; c++) {
		memcpy(copy, t.memory, 256);
		switch (c) {
		case 0:
			break; /* valid */
		case 1:
			ch->magic ^= 1;
			break;
		case 2:
			ch->version = 2;
			break;
		case 3:
			ch->header_size = 128;
			break;
		case 4:
			ch->total_size = size + 1;
			break;
		case 5:
			ch->frame_slot_count = 2;
			break;
		case 6:
			ch->result_slot_count = 9;
			break;
		case 7:
			ch->frame_slot_size = 0xFFFFFFC0u;
			break;
		case 8:
			ch->frame_slots_offset = 0;
			break;
		case 9:
			ch->result_slots_offset = ch->frame_slots_offset; /* overlap */
			break;
		case 10:
			ch->result_slot_size += 64; /* past total_size */
			break;
		case 11:
			ch->frame_slots_offset = 0xFFFFFFFFFFFFFFC0ull;
			break;
		case 12:
			ch->result_slot_size = 100; /* unaligned */
			break;
		case 13:
			ch->total_size = 0;
			break;
		}
		int want = c == 0 ? OFS_OK : OFS_E_HEADER;
		CHECK_RC(ofs_channel_attach(&h, copy, size), want);
	}
	CHECK_RC(ofs_channel_attach(&h, copy, 100), OFS_E_ARG);
	free(copy);
}

int main(void)
{
	if (test_channel_open(&t, 64, 48, 1, OFS_DEFAULT_RESULT_SLOT_SIZE) != 0) {
		fprintf(stderr, "cannot create the channel\n");
		return 1;
	}
	buf = aligned_alloc(8, ofs_result_capacity(&t.shim));
	uint8_t *dst = malloc(ofs_frame_capacity(&t.host));
	if (test_write_bgra(&t, 1, 64, 48, 777, 0, NULL) != OFS_OK ||
	    ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &frame) != OFS_OK) {
		fprintf(stderr, "cannot send the reference frame\n");
		return 1;
	}
	free(dst);
	test_result_headers();
	test_items();
	test_torn();
	test_host_side();
	free(buf);
	test_channel_close(&t);
	return test_finish("test-validate");
}

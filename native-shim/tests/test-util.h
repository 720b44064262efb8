/* Minimal checks for the ofs-core tests: print every failure, count them,
 * exit non-zero at the end. */
#ifndef OFS_TEST_UTIL_H
#define OFS_TEST_UTIL_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofs-channel.h"

static int test_failures;
static int test_checks;

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		test_checks++;                                                                \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			test_failures++;                                                      \
		}                                                                             \
	} while (0)

#define CHECK_EQ(a, b)                                                                              \
	do {                                                                                        \
		test_checks++;                                                                      \
		long long va_ = (long long)(a), vb_ = (long long)(b);                               \
		if (va_ != vb_) {                                                                   \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld != %lld)\n", __FILE__, \
				__LINE__, #a, #b, va_, vb_);                                        \
			test_failures++;                                                            \
		}                                                                                   \
	} while (0)

/* Status checks print the status names. */
#define CHECK_RC(expr, want)                                                                          \
	do {                                                                                          \
		test_checks++;                                                                        \
		int rc_ = (expr), want_ = (want);                                                     \
		if (rc_ != want_) {                                                                   \
			fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s)\n", __FILE__, __LINE__, \
				#expr, rc_, ofs_status_name(rc_), want_, ofs_status_name(want_));     \
			test_failures++;                                                              \
		}                                                                                     \
	} while (0)

static inline int test_finish(const char *name)
{
	if (test_failures)
		fprintf(stderr, "%s: %d of %d checks FAILED\n", name, test_failures, test_checks);
	else
		printf("%s: all %d checks passed\n", name, test_checks);
	return test_failures ? 1 : 0;
}

/* A channel in exactly-sized, 64-byte aligned heap memory (so that
 * AddressSanitizer sees any access past its end), with a shim view and a
 * host view. */
struct test_channel {
	void *memory;
	struct ofs_geometry geo;
	struct ofs_channel shim;
	struct ofs_channel host;
};

static inline int test_channel_open(struct test_channel *t, uint32_t max_w, uint32_t max_h, uint32_t queue_depth,
				    uint32_t result_slot_size)
{
	memset(t, 0, sizeof(*t));
	if (ofs_geometry_compute(&t->geo, 7, max_w, max_h, OFS_DEFAULT_FRAME_SLOTS, OFS_DEFAULT_RESULT_SLOTS,
				 result_slot_size) != OFS_OK)
		return -1;
	t->memory = aligned_alloc(64, (size_t)t->geo.total_size);
	if (!t->memory)
		return -1;
	memset(t->memory, 0xA5, (size_t)t->geo.total_size); /* garbage: init must not rely on zeroed memory */
	if (ofs_channel_init(&t->shim, t->memory, t->geo.total_size, &t->geo, 1234, queue_depth) != OFS_OK)
		return -1;
	if (ofs_channel_attach(&t->host, t->memory, t->geo.total_size) != OFS_OK)
		return -1;
	return 0;
}

static inline void test_channel_close(struct test_channel *t)
{
	free(t->memory);
	t->memory = NULL;
}

static inline struct ofs_frame_slot *test_frame_slot(struct test_channel *t, uint32_t i)
{
	return (struct ofs_frame_slot *)(void *)((uint8_t *)t->memory + t->geo.frame_slots_offset +
						 (uint64_t)i * t->geo.frame_slot_size);
}

static inline struct ofs_result_slot *test_result_slot(struct test_channel *t, uint32_t i)
{
	return (struct ofs_result_slot *)(void *)((uint8_t *)t->memory + t->geo.result_slots_offset +
						  (uint64_t)i * t->geo.result_slot_size);
}

/* Publishes a BGRA frame filled with `fill` + row/column pattern. */
static inline int test_write_bgra(struct test_channel *t, uint32_t depth, uint32_t w, uint32_t h, uint64_t ts,
				  uint8_t fill, uint64_t *frame_id)
{
	struct ofs_frame_writer wr;
	int rc = ofs_frame_begin(&t->shim, depth, &wr);
	if (rc != OFS_OK)
		return rc;
	struct ofs_frame_info info = {.timestamp_ns = ts, .source_width = w * 2, .source_height = h * 2};
	rc = ofs_frame_layout(&info, OFS_PIXEL_BGRA, w, h);
	if (rc != OFS_OK) {
		ofs_frame_abort(&t->shim, &wr);
		return rc;
	}
	for (uint32_t i = 0; i < info.data_size; i++)
		wr.data[i] = (uint8_t)(fill + i * 7u);
	rc = ofs_frame_commit(&t->shim, &wr, &info);
	if (frame_id)
		*frame_id = info.frame_id;
	return rc;
}

/* Writes a result straight into result slot `i` (bypassing the producer),
 * the way a buggy or hostile host could: header, items, and state READY. */
static inline void test_craft_result(struct test_channel *t, uint32_t i, const struct ofs_result_slot *hdr,
				     const struct ofs_result_item *items, uint32_t n_items)
{
	struct ofs_result_slot *s = test_result_slot(t, i);
	uint8_t *payload = (uint8_t *)s + OFS_SLOT_HEADER_SIZE;
	uint32_t cap = t->geo.result_slot_size - OFS_SLOT_HEADER_SIZE;
	for (uint32_t k = 0; k < n_items && (uint64_t)(k + 1) * OFS_ITEM_SIZE <= cap; k++)
		memcpy(payload + (size_t)k * OFS_ITEM_SIZE, &items[k], OFS_ITEM_SIZE);
	struct ofs_result_slot h = *hdr;
	h.state = OFS_SLOT_READY;
	memcpy(s, &h, sizeof(h));
}

#endif /* OFS_TEST_UTIL_H */

/* The exported benchmark API of libofs-core.so, used through the shared
 * library exactly as P/Invoke will use it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofs-core.h"

static int failures, checks;
#define CHECK(c)                                                                       \
	do {                                                                           \
		checks++;                                                              \
		if (!(c)) {                                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
			failures++;                                                    \
		}                                                                      \
	} while (0)

static void round_trip(ofs_core_channel *ch, uint32_t format)
{
	const uint32_t w = 64, h = 48, pitch = 64 * 4 + 16;
	uint8_t *pixels = malloc((size_t)pitch * h * 2);
	for (size_t i = 0; i < (size_t)pitch * h * 2; i++)
		pixels[i] = (uint8_t)(i * 13);
	uint64_t id = 0;
	CHECK(ofs_core_write_frame(ch, pixels, pitch, format, w, h, 1000, &id) == 0);
	CHECK(id > 0);

	uint8_t *dst = malloc(ofs_core_frame_capacity(ch));
	ofs_core_frame_info f;
	CHECK(ofs_core_host_take_frame(ch, dst, ofs_core_frame_capacity(ch), &f) == 0);
	CHECK(f.frame_id == id && f.width == w && f.height == h && f.pixel_format == format);
	CHECK(f.timestamp_ns == 1000);
	if (format == 1) {
		CHECK(f.stride == w * 4 && f.data_size == w * 4 * h);
		CHECK(memcmp(dst + f.stride * 5, pixels + pitch * 5, w * 4) == 0);
	} else {
		CHECK(f.stride == w && f.uv_offset == w * h && f.data_size == w * h * 3 / 2);
		CHECK(memcmp(dst + f.stride * 7, pixels + pitch * 7, w) == 0);
		CHECK(memcmp(dst + f.uv_offset + f.uv_stride * 3, pixels + (size_t)pitch * h + pitch * 3, w) == 0);
	}
	CHECK(ofs_core_host_take_frame(ch, dst, ofs_core_frame_capacity(ch), &f) == 1);

	/* A 16x8 patch back at (4, 2). */
	uint8_t patch[16 * 8 * 4];
	memset(patch, 0x7F, sizeof(patch));
	CHECK(ofs_core_host_publish_result(ch, &(ofs_core_frame_info){.frame_id = id,
								      .timestamp_ns = 1000,
								      .width = w,
								      .height = h},
					   patch, 16, 8, 64, 4.0f, 2.0f, 12345) == 0);
	uint8_t *buf = malloc(ofs_core_result_buffer_size(ch));
	ofs_core_result_info r;
	CHECK(ofs_core_read_result(ch, buf, ofs_core_result_buffer_size(ch), &r) == 0);
	CHECK(r.frame_id == id && r.item_count == 1 && r.pipeline_ns == 12345);
	CHECK(r.frame_width == w && r.frame_height == h);
	CHECK(r.data_size == 128 + sizeof(patch));
	CHECK(buf[128] == 0x7F);
	CHECK(ofs_core_read_result(ch, buf, ofs_core_result_buffer_size(ch), &r) == 1);
	/* A result for a frame that was never sent is rejected. */
	CHECK(ofs_core_host_publish_result(ch, &(ofs_core_frame_info){.frame_id = 9999, .width = w, .height = h},
					   NULL, 0, 0, 0, 0, 0, 0) == 0);
	CHECK(ofs_core_read_result(ch, buf, ofs_core_result_buffer_size(ch), &r) == -14);
	free(buf);
	free(dst);
	free(pixels);
}

int main(void)
{
	CHECK(ofs_core_wire_version() == 1);
	const uint64_t size = ofs_core_channel_size(640, 360);
	CHECK(size > 640ull * 360 * 4 * 4);
	CHECK(ofs_core_channel_size(0, 360) == 0);
	CHECK(ofs_core_channel_size(5000, 360) == 0);
	CHECK(strcmp(ofs_core_status_name(0), "ok") == 0);
	CHECK(strcmp(ofs_core_status_name(-2), "no free slot") == 0);

	ofs_core_channel *ch = NULL;
	CHECK(ofs_core_channel_create(NULL, 0, 1, 640, 360, 3, &ch) == -1);
	CHECK(ofs_core_channel_create(NULL, 0, 1, 640, 360, 1, &ch) == 0);
	if (ch) {
		CHECK(ofs_core_channel_memory(ch) != NULL);
		CHECK(((uintptr_t)ofs_core_channel_memory(ch) & 63) == 0);
		round_trip(ch, 1);
		round_trip(ch, 2);
		ofs_core_counters c;
		ofs_core_get_counters(ch, &c);
		CHECK(c.frames_written == 2 && c.frames_read == 2 && c.results_written == 4);
		CHECK(c.results_consumed == 2 && c.results_rejected == 2);
		/* Drop-oldest at queue depth 1. */
		uint8_t px[16 * 16 * 4] = {0};
		for (int i = 0; i < 5; i++)
			CHECK(ofs_core_write_frame(ch, px, 64, 1, 16, 16, (uint64_t)i, NULL) == 0);
		ofs_core_get_counters(ch, &c);
		CHECK(c.frames_dropped == 4);
		CHECK(ofs_core_write_frame(ch, px, 63, 1, 16, 16, 0, NULL) == -1); /* pitch < width * 4 */
		CHECK(ofs_core_write_frame(ch, px, 64, 2, 15, 16, 0, NULL) == -23); /* NV12 odd width */
		ofs_core_channel_destroy(ch);
	}

	/* Caller memory. */
	void *mem = aligned_alloc(64, (size_t)size);
	ch = NULL;
	CHECK(ofs_core_channel_create(mem, size - 64, 2, 640, 360, 2, &ch) == -1);
	CHECK(ofs_core_channel_create(mem, size, 2, 640, 360, 2, &ch) == 0);
	if (ch) {
		CHECK(ofs_core_channel_memory(ch) == mem);
		CHECK(((const uint32_t *)mem)[0] == 0x5753464Fu);
		round_trip(ch, 1);
		ofs_core_channel_destroy(ch);
	}
	ofs_core_channel_destroy(NULL);
	free(mem);

	if (failures)
		fprintf(stderr, "test-core-api: %d of %d checks FAILED\n", failures, checks);
	else
		printf("test-core-api: all %d checks passed\n", checks);
	return failures ? 1 : 0;
}

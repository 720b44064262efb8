/*
 * Randomized tests (fixed seeds, so every run is the same), built with
 * AddressSanitizer and UBSan: whatever a host writes into a result slot,
 * the shim's reader never reads or writes outside the slot or its private
 * buffer (both allocated at their exact size, so ASan sees one byte past
 * the end), and anything it accepts is within bounds. Also fuzzes the
 * control-stream reader and the host's channel/frame header validation.
 */
#include <stdatomic.h>

#include "ofs-control.h"
#include "test-util.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static void rnd_fill(uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v = rnd();
		memcpy(p + i, &v, 8);
	}
	for (; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* A u32 biased toward the edges where bugs live. */
static uint32_t edgy_u32(uint32_t typical)
{
	switch (rnd_below(8)) {
	case 0:
		return 0;
	case 1:
		return 0xFFFFFFFFu - rnd_below(8);
	case 2:
		return 0x80000000u + rnd_below(8) - 4u;
	case 3:
		return (uint32_t)rnd();
	case 4:
		return typical + rnd_below(3) - 1u;
	default:
		return typical;
	}
}

static float edgy_float(void)
{
	uint32_t bits;
	switch (rnd_below(10)) {
	case 0:
		bits = 0x7fc00000u; /* NaN */
		break;
	case 1:
		bits = 0x7f800000u | (rnd_below(2) << 31); /* +-inf */
		break;
	case 2:
		bits = (uint32_t)rnd(); /* anything */
		break;
	default: {
		float f = (float)rnd_below(2000) / 10.0f - 50.0f;
		memcpy(&bits, &f, 4);
	}
	}
	float f;
	memcpy(&f, &bits, 4);
	return f;
}

static uint32_t sent_count;
static struct ofs_frame_info sent[OFS_FRAME_HISTORY];

static void structured_result(struct test_channel *t, uint32_t slot)
{
	struct ofs_result_slot *s = test_result_slot(t, slot);
	const uint32_t cap = t->geo.result_slot_size - OFS_SLOT_HEADER_SIZE;
	uint8_t *payload = (uint8_t *)s + OFS_SLOT_HEADER_SIZE;
	rnd_fill(payload, cap);

	const struct ofs_frame_info *f = &sent[rnd_below(sent_count)];
	struct ofs_result_slot h;
	memset(&h, 0, sizeof(h));
	h.frame_id = rnd_below(5) ? f->frame_id : rnd();
	h.timestamp_ns = rnd_below(5) ? f->timestamp_ns : rnd();
	h.frame_width = rnd_below(5) ? f->width : edgy_u32(f->width);
	h.frame_height = rnd_below(5) ? f->height : edgy_u32(f->height);
	h.item_count = rnd_below(6) ? rnd_below(8) : edgy_u32(OFS_MAX_RESULT_ITEMS);
	const uint32_t table = (h.item_count <= OFS_MAX_RESULT_ITEMS ? h.item_count : 0) * OFS_ITEM_SIZE;
	h.data_size = rnd_below(4) ? table + rnd_below(cap - table + 1) : edgy_u32(cap);
	h.generation = rnd_below(10) ? 2 * rnd_below(1000) : (uint32_t)rnd();
	h.status = rnd_below(4) ? 0 : (uint32_t)rnd();

	const uint32_t n = h.item_count <= OFS_MAX_RESULT_ITEMS ? h.item_count : 0;
	for (uint32_t i = 0; i < n && (uint64_t)(i + 1) * OFS_ITEM_SIZE <= cap; i++) {
		struct ofs_result_item it;
		memset(&it, 0, sizeof(it));
		it.kind = rnd_below(8) ? 1u + rnd_below(2) : edgy_u32(2);
		it.face_id = (uint32_t)rnd();
		it.score = rnd_below(8) ? 0.5f : edgy_float();
		for (int k = 0; k < 4; k++)
			it.box[k] = rnd_below(8) ? 10.0f : edgy_float();
		for (int k = 0; k < 10; k++)
			it.landmarks[k] = rnd_below(16) ? 5.0f : edgy_float();
		for (int k = 0; k < 6; k++)
			it.affine[k] = rnd_below(8) ? (k == 0 || k == 4 ? 1.0f : 2.0f) : edgy_float();
		const uint32_t w = 1u + rnd_below(40), hh = 1u + rnd_below(40);
		it.patch_width = rnd_below(6) ? w : edgy_u32(w);
		it.patch_height = rnd_below(6) ? hh : edgy_u32(hh);
		it.patch_stride = rnd_below(4) ? it.patch_width * 4u + 4u * rnd_below(3) : edgy_u32(w * 4u);
		it.patch_offset = rnd_below(4) ? table + 4u * rnd_below((cap - table) / 4u + 1u) : edgy_u32(table);
		it.patch_format = rnd_below(8) ? OFS_PATCH_BGRA : edgy_u32(1);
		it.opacity = rnd_below(6) ? 1.0f : edgy_float();
		memcpy(payload + (size_t)i * OFS_ITEM_SIZE, &it, sizeof(it));
	}
	h.state = OFS_SLOT_READY;
	memcpy(s, &h, sizeof(h));
}

static uint64_t sink;

static void check_accepted(const struct ofs_result *r, uint32_t capacity, const uint8_t *buf)
{
	CHECK(r->payload == buf);
	CHECK(r->payload_size <= capacity);
	CHECK(r->header.item_count <= OFS_MAX_RESULT_ITEMS);
	CHECK((uint64_t)r->header.item_count * OFS_ITEM_SIZE <= r->payload_size);
	for (uint32_t i = 0; i < r->header.item_count; i++) {
		const struct ofs_result_item *it = &r->items[i];
		CHECK(it->kind == OFS_ITEM_FACE || it->kind == OFS_ITEM_PATCH);
		CHECK(it->opacity >= 0.0f && it->opacity <= 1.0f);
		if (it->kind != OFS_ITEM_PATCH)
			continue;
		const uint64_t end = (uint64_t)it->patch_offset + (uint64_t)it->patch_stride * (it->patch_height - 1u) +
				     4u * (uint64_t)it->patch_width;
		CHECK(end <= r->payload_size);
		/* Touch every pixel the compositor would upload. */
		for (uint32_t y = 0; y < it->patch_height; y++) {
			const uint8_t *row = r->payload + it->patch_offset + (size_t)y * it->patch_stride;
			for (uint32_t x = 0; x < 4u * it->patch_width; x += 4)
				sink += row[x] + row[x + 3];
		}
	}
}

static void fuzz_results(uint32_t iterations)
{
	struct test_channel t;
	if (test_channel_open(&t, 32, 32, 1, 16384) != 0) {
		CHECK(0);
		return;
	}
	/* Fill the shim's history with frames of varied sizes. */
	uint8_t *dst = malloc(ofs_frame_capacity(&t.host));
	for (uint32_t i = 0; i < OFS_FRAME_HISTORY; i++) {
		uint32_t w = 2u + 2u * rnd_below(16), h = 2u + 2u * rnd_below(16);
		if (test_write_bgra(&t, 1, w, h, 1000u * (i + 1u), 0, NULL) != OFS_OK ||
		    ofs_host_frame_take(&t.host, dst, ofs_frame_capacity(&t.host), &sent[sent_count]) != OFS_OK) {
			CHECK(0);
			break;
		}
		sent_count++;
	}
	free(dst);

	const uint32_t capacity = ofs_result_capacity(&t.shim);
	uint8_t *buf = aligned_alloc(8, capacity); /* exact size: ASan guards the end */
	uint64_t outcome[40] = {0};
	for (uint32_t iter = 0; iter < iterations; iter++) {
		const uint32_t slot = rnd_below(3);
		if (rnd_below(4) == 0) {
			/* Raw noise over the whole slot, header included. */
			rnd_fill((uint8_t *)test_result_slot(&t, slot), t.geo.result_slot_size);
			struct ofs_result_slot *s = test_result_slot(&t, slot);
			s->state = rnd_below(8) ? OFS_SLOT_READY : (uint32_t)rnd();
			if (s->state == OFS_SLOT_READING)
				s->state = OFS_SLOT_FREE; /* READING is the reader's own state */
			if (rnd_below(2))
				s->generation &= ~1u;
			if (rnd_below(2))
				s->item_count %= 8u;
		} else {
			structured_result(&t, slot);
		}
		struct ofs_result r;
		memset(&r, 0, sizeof(r));
		int rc = ofs_result_read(&t.shim, buf, capacity, &r);
		outcome[rc == OFS_OK ? 0 : (rc == OFS_EMPTY ? 1 : (rc <= -30 ? 39 : -rc + 1))]++;
		if (rc == OFS_OK)
			check_accepted(&r, capacity, buf);
		else if (rc != OFS_EMPTY)
			CHECK(rc <= OFS_E_REJECT_FIRST);
		/* No slot is ever left READING by the reader. */
		for (uint32_t i = 0; i < 3; i++)
			CHECK(test_result_slot(&t, i)->state != OFS_SLOT_READING);
		/* Now and then the host "dies": reclaim must cope with garbage states. */
		if (rnd_below(64) == 0)
			ofs_channel_reclaim_host_slots(&t.shim);
	}
	const uint64_t consumed = atomic_load(&t.shim.results_consumed);
	const uint64_t rejected = atomic_load(&t.shim.results_rejected);
	printf("fuzz results: %u iterations, %llu accepted, %llu rejected, %llu empty\n", iterations,
	       (unsigned long long)consumed, (unsigned long long)rejected, (unsigned long long)outcome[1]);
	for (int rc = OFS_E_REJECT_FIRST; rc >= OFS_E_FRAME_GEOMETRY; rc--)
		if (outcome[-rc + 1])
			printf("  %-22s %llu\n", ofs_status_name(rc), (unsigned long long)outcome[-rc + 1]);
	CHECK(consumed > iterations / 100); /* the structured mode reaches acceptance */
	CHECK(rejected > iterations / 4);
	CHECK(outcome[-OFS_E_PATCH_BOUNDS + 1] > 0);
	CHECK(outcome[-OFS_E_NOT_FINITE + 1] > 0);
	CHECK_EQ(consumed + rejected + outcome[1], iterations);
	free(buf);
	test_channel_close(&t);
}

static void fuzz_control(uint32_t iterations)
{
	struct ofs_control_reader *r = malloc(sizeof(*r));
	uint8_t *stream = malloc(4096);
	uint64_t messages = 0, errors = 0;
	for (uint32_t iter = 0; iter < iterations; iter++) {
		/* A few valid messages, then mutations. */
		size_t len = 0;
		for (uint32_t m = 0; m < 1 + rnd_below(4); m++) {
			uint8_t payload[300];
			uint32_t plen = rnd_below(sizeof(payload));
			rnd_fill(payload, plen);
			len += ofs_control_encode(stream + len, 4096 - len, (uint16_t)(1 + rnd_below(10)),
						  (uint32_t)rnd(), payload, plen, NULL, 0);
		}
		for (uint32_t k = rnd_below(4); k > 0 && len > 0; k--)
			stream[rnd_below((uint32_t)len)] = (uint8_t)rnd();
		ofs_control_reader_reset(r);
		size_t pos = 0;
		while (pos < len) {
			uint8_t *dst;
			size_t space = ofs_control_reader_space(r, &dst);
			size_t chunk = 1 + rnd_below(64);
			if (chunk > len - pos)
				chunk = len - pos;
			if (chunk > space)
				chunk = space;
			memcpy(dst, stream + pos, chunk);
			ofs_control_reader_commit(r, chunk);
			pos += chunk;
			struct ofs_control_header h;
			const uint8_t *payload;
			int rc;
			while ((rc = ofs_control_reader_next(r, &h, &payload)) == OFS_CTL_OK) {
				messages++;
				CHECK(h.length <= OFS_CONTROL_MAX_PAYLOAD);
				CHECK(payload >= r->buf && payload + h.length <= r->buf + sizeof(r->buf));
				/* Decoders on arbitrary payloads. */
				struct ofs_msg_open_channel oc;
				struct ofs_msg_error e;
				struct ofs_msg_channel_ref ref;
				struct ofs_msg_hello hello;
				const char *text;
				uint32_t tl;
				if (ofs_control_decode_open_channel(payload, h.length, &oc) == OFS_CTL_OK)
					CHECK(strlen(oc.shm_name) < sizeof(oc.shm_name));
				if (ofs_control_decode_error(payload, h.length, &e, &text, &tl) == OFS_CTL_OK)
					CHECK(text + tl == (const char *)payload + h.length);
				ofs_control_decode_channel_ref(payload, h.length, &ref);
				ofs_control_decode_hello(payload, h.length, &hello);
			}
			if (rc < 0) {
				errors++;
				break; /* the connection would be closed */
			}
		}
	}
	printf("fuzz control: %u streams, %llu messages, %llu closed on a bad header\n", iterations,
	       (unsigned long long)messages, (unsigned long long)errors);
	CHECK(messages > iterations);
	CHECK(errors > 0);
	free(stream);
	free(r);
}

static void fuzz_host_side(uint32_t iterations)
{
	/* Random headers against a 64 KiB mapping; when one passes, random
	 * frame slot headers must still never make the host read out of it. */
	const size_t size = 65536;
	uint8_t *mem = aligned_alloc(64, size);
	uint64_t attached = 0, taken = 0;
	for (uint32_t iter = 0; iter < iterations; iter++) {
		rnd_fill(mem, size);
		struct ofs_channel_header *h = (struct ofs_channel_header *)(void *)mem;
		h->magic = OFS_WIRE_MAGIC;
		h->version = rnd_below(16) ? OFS_WIRE_VERSION : (uint32_t)rnd();
		h->header_size = rnd_below(16) ? 256 : (uint32_t)rnd();
		h->total_size = rnd_below(4) ? size - 64u * rnd_below(8) : rnd();
		h->frame_slot_count = rnd_below(4) ? 3 + rnd_below(6) : (uint32_t)rnd();
		h->result_slot_count = rnd_below(4) ? 3 + rnd_below(6) : (uint32_t)rnd();
		h->frame_slot_size = rnd_below(4) ? 64u * (2u + rnd_below(60)) : edgy_u32(4096);
		h->result_slot_size = rnd_below(4) ? 64u * (2u + rnd_below(60)) : edgy_u32(4096);
		h->frame_slots_offset = rnd_below(4) ? 256 : (rnd() & ~63ull);
		h->result_slots_offset = rnd_below(4) ? 256u + (uint64_t)h->frame_slot_count * h->frame_slot_size
						      : (rnd() % size);
		struct ofs_channel ch;
		if (ofs_channel_attach(&ch, mem, size) != OFS_OK)
			continue;
		attached++;
		CHECK(ch.geo.result_slots_offset + (uint64_t)ch.geo.result_slot_count * ch.geo.result_slot_size <= size);
		for (uint32_t i = 0; i < ch.geo.frame_slot_count; i++) {
			struct ofs_frame_slot *s =
				(struct ofs_frame_slot *)(void *)(mem + ch.geo.frame_slots_offset +
								  (uint64_t)i * ch.geo.frame_slot_size);
			s->state = OFS_SLOT_READY;
			s->generation &= ~1u;
			s->pixel_format = 1 + rnd_below(2);
			s->width = 1 + rnd_below(40);
			s->height = 1 + rnd_below(40);
			s->stride = rnd_below(2) ? s->width * 4 : (uint32_t)rnd_below(200);
			s->uv_offset = rnd_below(2) ? 0 : s->width * s->height;
			s->uv_stride = rnd_below(2) ? 0 : s->width;
			s->data_size = rnd_below(2) ? s->stride * s->height : edgy_u32(4096);
		}
		const uint32_t cap = ch.geo.frame_slot_size - OFS_SLOT_HEADER_SIZE;
		uint8_t *dst = malloc(cap);
		struct ofs_frame_info info;
		int rc;
		while ((rc = ofs_host_frame_take(&ch, dst, cap, &info)) != OFS_EMPTY)
			if (rc == OFS_OK) {
				taken++;
				CHECK(info.data_size <= cap);
			}
		free(dst);
		ofs_channel_reclaim_host_slots(&ch);
	}
	printf("fuzz host side: %u headers, %llu attached, %llu frames taken\n", iterations,
	       (unsigned long long)attached, (unsigned long long)taken);
	CHECK(attached > 0);
	CHECK(taken > 0);
	free(mem);
}

int main(int argc, char **argv)
{
	uint32_t iterations = 100000;
	if (argc > 1)
		iterations = (uint32_t)strtoul(argv[1], NULL, 10);
	rng_state = 0x9E3779B97F4A7C15ull;
	fuzz_results(iterations);
	rng_state = 0xD1B54A32D192ED03ull;
	fuzz_control(iterations);
	rng_state = 0x8CB92BA72F3D8DD7ull;
	fuzz_host_side(iterations / 5);
	if (sink == 42)
		printf("\n");
	return test_finish("test-fuzz");
}

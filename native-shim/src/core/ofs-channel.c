/*
 * ofs-core: the frame channel protocol. See ofs-channel.h and
 * docs/frame-channel.md (slot states, memory ordering, validation).
 */
#include "ofs-channel.h"

#include <stdbool.h>
#include <string.h>

#include "ofs-atomic.h"

_Static_assert(sizeof(struct ofs_channel_header) == OFS_CHANNEL_HEADER_SIZE, "channel header size");
_Static_assert(sizeof(struct ofs_frame_slot) == OFS_SLOT_HEADER_SIZE, "frame slot header size");
_Static_assert(sizeof(struct ofs_result_slot) == OFS_SLOT_HEADER_SIZE, "result slot header size");
_Static_assert(sizeof(struct ofs_result_item) == OFS_ITEM_SIZE, "result item size");
_Static_assert(OFS_DEFAULT_RESULT_SLOT_SIZE % OFS_WIRE_ALIGN == 0, "result slot size alignment");
_Static_assert(OFS_DEFAULT_RESULT_SLOT_SIZE >= OFS_SLOT_HEADER_SIZE + OFS_MAX_RESULT_ITEMS * OFS_ITEM_SIZE +
						       4ull * OFS_MAX_PATCH_SIDE * OFS_MAX_PATCH_SIDE,
	       "a result slot holds the full item table and one patch of the largest size");

#ifdef OFS_TESTING
void (*ofs_test_after_copy_hook)(void *slot);
#define AFTER_COPY_HOOK(slot)                            \
	do {                                             \
		if (ofs_test_after_copy_hook)            \
			ofs_test_after_copy_hook(slot);  \
	} while (0)
#else
#define AFTER_COPY_HOOK(slot) ((void)0)
#endif

/* Upper bound on one result slot, so that a header cannot ask for absurd
 * mappings (attach) or buffers. */
#define OFS_MAX_RESULT_SLOT_SIZE (64u * 1024u * 1024u)

const char *ofs_status_name(int status)
{
	switch (status) {
	case OFS_OK:
		return "ok";
	case OFS_EMPTY:
		return "empty";
	case OFS_E_ARG:
		return "invalid argument";
	case OFS_E_NO_SLOT:
		return "no free slot";
	case OFS_E_TOO_BIG:
		return "too big";
	case OFS_E_HEADER:
		return "channel header invalid";
	case OFS_E_GENERATION:
		return "generation odd";
	case OFS_E_TORN:
		return "torn read";
	case OFS_E_ITEM_COUNT:
		return "item count invalid";
	case OFS_E_DATA_SIZE:
		return "data size invalid";
	case OFS_E_STALE:
		return "stale result";
	case OFS_E_ITEM_KIND:
		return "unknown item kind";
	case OFS_E_NOT_FINITE:
		return "non-finite float";
	case OFS_E_PATCH_FORMAT:
		return "unknown patch format";
	case OFS_E_PATCH_SIZE:
		return "patch size invalid";
	case OFS_E_PATCH_STRIDE:
		return "patch stride invalid";
	case OFS_E_PATCH_OFFSET:
		return "patch offset invalid";
	case OFS_E_PATCH_BOUNDS:
		return "patch out of bounds";
	case OFS_E_FRAME_FORMAT:
		return "unknown pixel format";
	case OFS_E_FRAME_GEOMETRY:
		return "frame geometry invalid";
	default:
		return "unknown status";
	}
}

static inline uint64_t align_up64(uint64_t v)
{
	return (v + (OFS_WIRE_ALIGN - 1u)) & ~(uint64_t)(OFS_WIRE_ALIGN - 1u);
}

static inline struct ofs_frame_slot *frame_slot(const struct ofs_channel *ch, uint32_t i)
{
	return (struct ofs_frame_slot *)(void *)(ch->base + ch->geo.frame_slots_offset +
						 (uint64_t)i * ch->geo.frame_slot_size);
}

static inline struct ofs_result_slot *result_slot(const struct ofs_channel *ch, uint32_t i)
{
	return (struct ofs_result_slot *)(void *)(ch->base + ch->geo.result_slots_offset +
						  (uint64_t)i * ch->geo.result_slot_size);
}

/* Bumps a shim-private counter and mirrors it into the shared header. */
static inline void count(_Atomic uint64_t *counter, uint64_t *shared)
{
	uint64_t v = atomic_fetch_add_explicit(counter, 1, memory_order_relaxed) + 1;
	ofs_store_relaxed_u64(shared, v);
}

/* ---- geometry ----------------------------------------------------------- */

int ofs_geometry_compute(struct ofs_geometry *geo, uint64_t channel_id, uint32_t max_width, uint32_t max_height,
			 uint32_t frame_slot_count, uint32_t result_slot_count, uint32_t result_slot_size)
{
	if (!geo || max_width == 0 || max_height == 0 || max_width > OFS_MAX_WIDTH || max_height > OFS_MAX_HEIGHT)
		return OFS_E_ARG;
	if (frame_slot_count < OFS_MIN_FRAME_SLOTS || frame_slot_count > OFS_MAX_FRAME_SLOTS)
		return OFS_E_ARG;
	if (result_slot_count < OFS_MIN_RESULT_SLOTS || result_slot_count > OFS_MAX_RESULT_SLOTS)
		return OFS_E_ARG;
	if (result_slot_size % OFS_WIRE_ALIGN != 0 || result_slot_size > OFS_MAX_RESULT_SLOT_SIZE ||
	    result_slot_size < OFS_SLOT_HEADER_SIZE + OFS_MAX_RESULT_ITEMS * OFS_ITEM_SIZE)
		return OFS_E_ARG;

	uint64_t frame_payload = (uint64_t)max_width * max_height * 4u;
	uint64_t frame_slot_size = align_up64(OFS_SLOT_HEADER_SIZE + frame_payload);
	if (frame_slot_size > UINT32_MAX)
		return OFS_E_ARG;

	memset(geo, 0, sizeof(*geo));
	geo->channel_id = channel_id;
	geo->frame_slot_count = frame_slot_count;
	geo->frame_slot_size = (uint32_t)frame_slot_size;
	geo->result_slot_count = result_slot_count;
	geo->result_slot_size = result_slot_size;
	geo->frame_slots_offset = OFS_CHANNEL_HEADER_SIZE;
	geo->result_slots_offset = geo->frame_slots_offset + (uint64_t)frame_slot_count * frame_slot_size;
	geo->total_size = geo->result_slots_offset + (uint64_t)result_slot_count * result_slot_size;
	return OFS_OK;
}

/* ---- frame description ---------------------------------------------- */

int ofs_frame_layout(struct ofs_frame_info *info, uint32_t pixel_format, uint32_t width, uint32_t height)
{
	if (!info || width == 0 || height == 0 || width > OFS_MAX_WIDTH || height > OFS_MAX_HEIGHT)
		return OFS_E_FRAME_GEOMETRY;
	info->pixel_format = pixel_format;
	info->width = width;
	info->height = height;
	switch (pixel_format) {
	case OFS_PIXEL_BGRA:
		info->stride = width * 4u;
		info->uv_offset = 0;
		info->uv_stride = 0;
		info->data_size = width * 4u * height;
		return OFS_OK;
	case OFS_PIXEL_NV12:
		if ((width & 1u) || (height & 1u))
			return OFS_E_FRAME_GEOMETRY;
		info->stride = width;
		info->uv_offset = width * height;
		info->uv_stride = width;
		info->data_size = width * height + width * (height / 2u);
		return OFS_OK;
	default:
		return OFS_E_FRAME_FORMAT;
	}
}

int ofs_frame_check(const struct ofs_frame_info *info, uint64_t capacity)
{
	if (!info)
		return OFS_E_ARG;
	const uint64_t w = info->width, h = info->height;
	if (w == 0 || h == 0 || w > OFS_MAX_WIDTH || h > OFS_MAX_HEIGHT)
		return OFS_E_FRAME_GEOMETRY;
	if (info->data_size > capacity)
		return OFS_E_TOO_BIG;

	switch (info->pixel_format) {
	case OFS_PIXEL_BGRA:
		if ((uint64_t)info->stride < 4u * w || info->uv_offset != 0 || info->uv_stride != 0)
			return OFS_E_FRAME_GEOMETRY;
		if ((uint64_t)info->stride * (h - 1u) + 4u * w > info->data_size)
			return OFS_E_FRAME_GEOMETRY;
		return OFS_OK;
	case OFS_PIXEL_NV12:
		if ((w & 1u) || (h & 1u))
			return OFS_E_FRAME_GEOMETRY;
		if ((uint64_t)info->stride < w || (uint64_t)info->uv_stride < w)
			return OFS_E_FRAME_GEOMETRY;
		if ((uint64_t)info->uv_offset < (uint64_t)info->stride * (h - 1u) + w)
			return OFS_E_FRAME_GEOMETRY;
		if ((uint64_t)info->uv_offset + (uint64_t)info->uv_stride * (h / 2u - 1u) + w > info->data_size)
			return OFS_E_FRAME_GEOMETRY;
		return OFS_OK;
	default:
		return OFS_E_FRAME_FORMAT;
	}
}

/* ---- shim: create ---------------------------------------------------- */

static void reset_private(struct ofs_channel *ch)
{
	memset(ch, 0, sizeof(*ch));
	atomic_init(&ch->frames_written, 0);
	atomic_init(&ch->frames_dropped, 0);
	atomic_init(&ch->frames_skipped, 0);
	atomic_init(&ch->results_consumed, 0);
	atomic_init(&ch->results_rejected, 0);
	atomic_init(&ch->last_result_frame_id, 0);
	atomic_init(&ch->last_reject_reason, 0);
	atomic_init(&ch->host_frames_read, 0);
	atomic_init(&ch->host_results_written, 0);
	atomic_init(&ch->host_results_dropped, 0);
}

static inline uint32_t clamp_depth(uint32_t queue_depth)
{
	return queue_depth < 1u ? 1u : (queue_depth > 2u ? 2u : queue_depth);
}

int ofs_channel_init(struct ofs_channel *ch, void *memory, uint64_t mem_size, const struct ofs_geometry *geo,
		     uint32_t shim_pid, uint32_t queue_depth)
{
	if (!ch || !memory || !geo || ((uintptr_t)memory % OFS_WIRE_ALIGN) != 0 || mem_size < geo->total_size)
		return OFS_E_ARG;
	if (geo->frame_slot_count < OFS_MIN_FRAME_SLOTS || geo->frame_slot_count > OFS_MAX_FRAME_SLOTS ||
	    geo->result_slot_count < OFS_MIN_RESULT_SLOTS || geo->result_slot_count > OFS_MAX_RESULT_SLOTS ||
	    geo->frame_slot_size <= OFS_SLOT_HEADER_SIZE || geo->result_slot_size <= OFS_SLOT_HEADER_SIZE)
		return OFS_E_ARG;

	reset_private(ch);
	ch->base = memory;
	ch->geo = *geo;
	ch->next_frame_id = 1;

	struct ofs_channel_header *h = ofs_channel_header(ch);
	memset(h, 0, sizeof(*h));
	h->magic = OFS_WIRE_MAGIC;
	h->version = OFS_WIRE_VERSION;
	h->header_size = OFS_CHANNEL_HEADER_SIZE;
	h->flags = 0;
	h->total_size = geo->total_size;
	h->channel_id = geo->channel_id;
	h->frame_slots_offset = geo->frame_slots_offset;
	h->result_slots_offset = geo->result_slots_offset;
	h->frame_slot_count = geo->frame_slot_count;
	h->frame_slot_size = geo->frame_slot_size;
	h->result_slot_count = geo->result_slot_count;
	h->result_slot_size = geo->result_slot_size;
	h->queue_depth = clamp_depth(queue_depth);
	h->shim_pid = shim_pid;

	for (uint32_t i = 0; i < geo->frame_slot_count; i++)
		memset(frame_slot(ch, i), 0, OFS_SLOT_HEADER_SIZE);
	for (uint32_t i = 0; i < geo->result_slot_count; i++)
		memset(result_slot(ch, i), 0, OFS_SLOT_HEADER_SIZE);

	atomic_thread_fence(memory_order_release);
	return OFS_OK;
}

/* ---- shim: frame producer ------------------------------------------- */

/* Makes the generation odd (claimed for writing); returns the odd value. */
static uint32_t generation_begin(uint32_t *gen)
{
	uint32_t g = ofs_load_relaxed_u32(gen);
	g += (g & 1u) ? 1u : 0u; /* a reclaimed slot may have been left odd */
	ofs_store_relaxed_u32(gen, g + 1u);
	/* The odd value is visible before any payload store. */
	atomic_thread_fence(memory_order_release);
	return g + 1u;
}

int ofs_frame_begin(struct ofs_channel *ch, uint32_t queue_depth, struct ofs_frame_writer *w)
{
	if (!ch || !ch->base || !w)
		return OFS_E_ARG;
	struct ofs_channel_header *h = ofs_channel_header(ch);
	const uint32_t depth = clamp_depth(queue_depth);
	if (ofs_load_relaxed_u32(&h->queue_depth) != depth)
		ofs_store_relaxed_u32(&h->queue_depth, depth);

	const uint32_t n = ch->geo.frame_slot_count;
	uint32_t ready = 0, oldest = UINT32_MAX;
	uint64_t oldest_id = UINT64_MAX;
	for (uint32_t i = 0; i < n; i++) {
		if (ofs_load_acquire_u32(&frame_slot(ch, i)->state) == OFS_SLOT_READY) {
			ready++;
			if (ch->slot_frame_id[i] < oldest_id) {
				oldest_id = ch->slot_frame_id[i];
				oldest = i;
			}
		}
	}

	uint32_t claimed = UINT32_MAX;
	int dropped = 0;
	if (ready >= depth && oldest != UINT32_MAX &&
	    ofs_cas_u32(&frame_slot(ch, oldest)->state, OFS_SLOT_READY, OFS_SLOT_WRITING)) {
		claimed = oldest;
		dropped = 1;
	}
	/* Also when the host took the oldest frame between our scan and the
	 * CAS: a FREE slot is then the right one. */
	for (uint32_t i = 0; claimed == UINT32_MAX && i < n; i++) {
		struct ofs_frame_slot *s = frame_slot(ch, i);
		if (ofs_load_acquire_u32(&s->state) == OFS_SLOT_FREE &&
		    ofs_cas_u32(&s->state, OFS_SLOT_FREE, OFS_SLOT_WRITING))
			claimed = i;
	}
	if (claimed == UINT32_MAX) {
		count(&ch->frames_skipped, &h->frames_skipped);
		return OFS_E_NO_SLOT;
	}
	if (dropped)
		count(&ch->frames_dropped, &h->frames_dropped);

	struct ofs_frame_slot *s = frame_slot(ch, claimed);
	w->slot = claimed;
	w->generation = generation_begin(&s->generation);
	w->data = (uint8_t *)s + OFS_SLOT_HEADER_SIZE;
	w->capacity = ofs_frame_capacity(ch);
	w->dropped = dropped;
	return OFS_OK;
}

void ofs_frame_abort(struct ofs_channel *ch, struct ofs_frame_writer *w)
{
	if (!ch || !w || w->slot >= ch->geo.frame_slot_count)
		return;
	struct ofs_frame_slot *s = frame_slot(ch, w->slot);
	ofs_store_release_u32(&s->generation, w->generation + 1u);
	ofs_store_release_u32(&s->state, OFS_SLOT_FREE);
	w->slot = UINT32_MAX;
}

int ofs_frame_commit(struct ofs_channel *ch, struct ofs_frame_writer *w, struct ofs_frame_info *info)
{
	if (!ch || !w || !info || w->slot >= ch->geo.frame_slot_count)
		return OFS_E_ARG;
	int rc = ofs_frame_check(info, w->capacity);
	if (rc != OFS_OK) {
		ofs_frame_abort(ch, w);
		return rc;
	}

	struct ofs_frame_slot *s = frame_slot(ch, w->slot);
	info->frame_id = ch->next_frame_id++;
	s->frame_id = info->frame_id;
	s->timestamp_ns = info->timestamp_ns;
	s->pixel_format = info->pixel_format;
	s->width = info->width;
	s->height = info->height;
	s->stride = info->stride;
	s->uv_offset = info->uv_offset;
	s->uv_stride = info->uv_stride;
	s->data_size = info->data_size;
	s->source_width = info->source_width;
	s->source_height = info->source_height;
	s->reserved = 0;
	ofs_store_release_u32(&s->generation, w->generation + 1u);

	ch->slot_frame_id[w->slot] = info->frame_id;
	struct ofs_sent_frame *sent = &ch->sent[ch->sent_next % OFS_FRAME_HISTORY];
	sent->frame_id = info->frame_id;
	sent->timestamp_ns = info->timestamp_ns;
	sent->width = info->width;
	sent->height = info->height;
	ch->sent_next = (ch->sent_next + 1u) % OFS_FRAME_HISTORY;

	ofs_store_release_u32(&s->state, OFS_SLOT_READY);
	w->slot = UINT32_MAX;

	struct ofs_channel_header *h = ofs_channel_header(ch);
	count(&ch->frames_written, &h->frames_written);
	ch->frame_seq++;
	ofs_store_release_u32(&h->frame_seq, ch->frame_seq);
	return OFS_OK;
}

/* ---- shim: result consumer ------------------------------------------ */

static inline int float_finite(float f)
{
	uint32_t bits;
	memcpy(&bits, &f, sizeof(bits));
	return (bits & 0x7f800000u) != 0x7f800000u;
}

static int floats_finite(const float *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!float_finite(f[i]))
			return 0;
	return 1;
}

static int sent_frame_matches(const struct ofs_channel *ch, const struct ofs_result_slot *r)
{
	if (r->frame_id == 0)
		return 0;
	for (uint32_t i = 0; i < OFS_FRAME_HISTORY; i++) {
		const struct ofs_sent_frame *f = &ch->sent[i];
		if (f->frame_id == r->frame_id)
			return f->timestamp_ns == r->timestamp_ns && f->width == r->frame_width &&
			       f->height == r->frame_height;
	}
	return 0;
}

/* Validates the items of a private copy; clamps opacity in place. */
static int validate_items(struct ofs_result_item *items, uint32_t item_count, uint32_t data_size)
{
	const uint64_t table = (uint64_t)item_count * OFS_ITEM_SIZE;
	for (uint32_t i = 0; i < item_count; i++) {
		struct ofs_result_item *it = &items[i];
		if (it->kind != OFS_ITEM_FACE && it->kind != OFS_ITEM_PATCH)
			return OFS_E_ITEM_KIND;
		if (!float_finite(it->score) || !floats_finite(it->box, 4) || !floats_finite(it->landmarks, 10) ||
		    !floats_finite(it->affine, 6) || !float_finite(it->opacity))
			return OFS_E_NOT_FINITE;
		it->opacity = it->opacity < 0.0f ? 0.0f : (it->opacity > 1.0f ? 1.0f : it->opacity);
		if (it->kind != OFS_ITEM_PATCH)
			continue;
		if (it->patch_format != OFS_PATCH_BGRA)
			return OFS_E_PATCH_FORMAT;
		const uint64_t pw = it->patch_width, ph = it->patch_height;
		if (pw < 1u || ph < 1u || pw > OFS_MAX_PATCH_SIDE || ph > OFS_MAX_PATCH_SIDE)
			return OFS_E_PATCH_SIZE;
		if ((uint64_t)it->patch_stride < 4u * pw)
			return OFS_E_PATCH_STRIDE;
		if ((it->patch_offset & 3u) != 0 || (uint64_t)it->patch_offset < table)
			return OFS_E_PATCH_OFFSET;
		if ((uint64_t)it->patch_offset + (uint64_t)it->patch_stride * (ph - 1u) + 4u * pw > data_size)
			return OFS_E_PATCH_BOUNDS;
	}
	return OFS_OK;
}

/* Whether some READY slot of the ring holds a frame_id below `id`. */
static bool older_ready(const struct ofs_channel *ch, int results, uint32_t n, uint64_t id)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t *state = results ? &result_slot(ch, i)->state : &frame_slot(ch, i)->state;
		if (ofs_load_acquire_u32(state) == OFS_SLOT_READY &&
		    ofs_load_relaxed_u64(results ? &result_slot(ch, i)->frame_id : &frame_slot(ch, i)->frame_id) < id)
			return true;
	}
	return false;
}

/* Picks the READY slot with the largest (newest) or smallest (oldest)
 * frame_id and claims it READY -> READING. Returns the slot or UINT32_MAX. */
static uint32_t claim_ready(const struct ofs_channel *ch, int results, int newest)
{
	const uint32_t n = results ? ch->geo.result_slot_count : ch->geo.frame_slot_count;
	/* Each failed CAS means a producer reclaimed a slot; bound the retries. */
	for (uint32_t attempt = 0; attempt <= n; attempt++) {
		uint32_t best = UINT32_MAX;
		uint64_t best_id = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t *state = results ? &result_slot(ch, i)->state : &frame_slot(ch, i)->state;
			if (ofs_load_acquire_u32(state) != OFS_SLOT_READY)
				continue;
			uint64_t id = ofs_load_relaxed_u64(results ? &result_slot(ch, i)->frame_id
								    : &frame_slot(ch, i)->frame_id);
			if (best == UINT32_MAX || (newest ? id > best_id : id < best_id)) {
				best = i;
				best_id = id;
			}
		}
		if (best == UINT32_MAX)
			return UINT32_MAX;
		uint32_t *state = results ? &result_slot(ch, best)->state : &frame_slot(ch, best)->state;
		if (!ofs_cas_u32(state, OFS_SLOT_READY, OFS_SLOT_READING))
			continue;
		/* The producer may have reclaimed the slot and published a newer
		 * frame into it between the scan and the CAS (ABA). And the scan is
		 * no snapshot: it can pass a slot while frame N is still being
		 * written there and then find N + 1 READY further on. Oldest-first
		 * must in both cases hand the slot back and look again, or frames
		 * go out of order (a frame older than the claimed one stays READY
		 * until taken or reclaimed, so the second look sees it);
		 * newest-first is content with a newer one. */
		if (!newest && (ofs_load_relaxed_u64(results ? &result_slot(ch, best)->frame_id
							     : &frame_slot(ch, best)->frame_id) != best_id ||
				older_ready(ch, results, n, best_id))) {
			ofs_store_release_u32(state, OFS_SLOT_READY);
			continue;
		}
		return best;
	}
	return UINT32_MAX;
}

int ofs_result_read(struct ofs_channel *ch, uint8_t *buffer, uint32_t capacity, struct ofs_result *out)
{
	if (!ch || !ch->base || !buffer || !out || capacity < ofs_result_capacity(ch) || ((uintptr_t)buffer & 7u))
		return OFS_E_ARG;

	const uint32_t slot = claim_ready(ch, 1, 1);
	if (slot == UINT32_MAX)
		return OFS_EMPTY;

	struct ofs_result_slot *s = result_slot(ch, slot);
	const uint32_t slot_capacity = ofs_result_capacity(ch);
	struct ofs_result_slot hdr;

	const uint32_t g1 = ofs_load_acquire_u32(&s->generation);
	memcpy(&hdr, s, sizeof(hdr));
	int rc = OFS_OK;
	if (g1 & 1u)
		rc = OFS_E_GENERATION;
	else if (hdr.item_count > OFS_MAX_RESULT_ITEMS ||
		 (uint64_t)hdr.item_count * OFS_ITEM_SIZE > (uint64_t)slot_capacity)
		rc = OFS_E_ITEM_COUNT;
	else if (hdr.data_size > slot_capacity || (uint64_t)hdr.item_count * OFS_ITEM_SIZE > hdr.data_size)
		rc = OFS_E_DATA_SIZE;
	else if (!sent_frame_matches(ch, &hdr))
		rc = OFS_E_STALE;

	if (rc == OFS_OK) {
		memcpy(buffer, (const uint8_t *)s + OFS_SLOT_HEADER_SIZE, hdr.data_size);
		AFTER_COPY_HOOK(s);
		atomic_thread_fence(memory_order_acquire);
		if (ofs_load_relaxed_u32(&s->generation) != g1)
			rc = OFS_E_TORN;
	}
	ofs_store_release_u32(&s->state, OFS_SLOT_FREE);

	/* From here on only the private copy is used. */
	if (rc == OFS_OK)
		rc = validate_items((struct ofs_result_item *)(void *)buffer, hdr.item_count, hdr.data_size);

	struct ofs_channel_header *h = ofs_channel_header(ch);
	if (rc != OFS_OK) {
		atomic_store_explicit(&ch->last_reject_reason, rc, memory_order_relaxed);
		count(&ch->results_rejected, &h->results_rejected);
		return rc;
	}
	hdr.state = OFS_SLOT_FREE;
	hdr.generation = 0;
	out->header = hdr;
	out->items = (const struct ofs_result_item *)(const void *)buffer;
	out->payload = buffer;
	out->payload_size = hdr.data_size;
	atomic_store_explicit(&ch->last_result_frame_id, hdr.frame_id, memory_order_relaxed);
	count(&ch->results_consumed, &h->results_consumed);
	return OFS_OK;
}

/* ---- shim: reclaim -------------------------------------------------- */

uint32_t ofs_channel_reclaim_host_slots(struct ofs_channel *ch)
{
	if (!ch || !ch->base)
		return 0;
	uint32_t reclaimed = 0;
	for (uint32_t i = 0; i < ch->geo.frame_slot_count; i++) {
		struct ofs_frame_slot *s = frame_slot(ch, i);
		uint32_t st = ofs_load_acquire_u32(&s->state);
		/* FREE, WRITING and READY belong to the shim's producer. */
		if (st == OFS_SLOT_READING || st > OFS_SLOT_READING)
			reclaimed += (uint32_t)ofs_cas_u32(&s->state, st, OFS_SLOT_FREE);
	}
	for (uint32_t i = 0; i < ch->geo.result_slot_count; i++) {
		struct ofs_result_slot *s = result_slot(ch, i);
		uint32_t st = ofs_load_acquire_u32(&s->state);
		/* READING belongs to the shim's consumer; FREE and READY are fine. */
		if (st == OFS_SLOT_WRITING || st > OFS_SLOT_READING) {
			uint32_t g = ofs_load_relaxed_u32(&s->generation);
			if (g & 1u)
				ofs_store_relaxed_u32(&s->generation, g + 1u);
			reclaimed += (uint32_t)ofs_cas_u32(&s->state, st, OFS_SLOT_FREE);
		}
	}
	return reclaimed;
}

/* ---- host role ------------------------------------------------------ */

int ofs_channel_attach(struct ofs_channel *ch, void *memory, uint64_t mem_size)
{
	if (!ch || !memory || mem_size < OFS_CHANNEL_HEADER_SIZE || ((uintptr_t)memory % 8u) != 0)
		return OFS_E_ARG;
	struct ofs_channel_header h;
	memcpy(&h, memory, 64); /* geometry only: bytes 0..63 */

	if (h.magic != OFS_WIRE_MAGIC || h.version != OFS_WIRE_VERSION || h.header_size != OFS_CHANNEL_HEADER_SIZE)
		return OFS_E_HEADER;
	if (h.total_size > mem_size || h.total_size < OFS_CHANNEL_HEADER_SIZE)
		return OFS_E_HEADER;
	if (h.frame_slot_count < OFS_MIN_FRAME_SLOTS || h.frame_slot_count > OFS_MAX_FRAME_SLOTS ||
	    h.result_slot_count < OFS_MIN_RESULT_SLOTS || h.result_slot_count > OFS_MAX_RESULT_SLOTS)
		return OFS_E_HEADER;
	if (h.frame_slot_size % OFS_WIRE_ALIGN || h.result_slot_size % OFS_WIRE_ALIGN ||
	    h.frame_slot_size <= OFS_SLOT_HEADER_SIZE || h.result_slot_size <= OFS_SLOT_HEADER_SIZE ||
	    h.result_slot_size > OFS_MAX_RESULT_SLOT_SIZE)
		return OFS_E_HEADER;
	if (h.frame_slots_offset % OFS_WIRE_ALIGN || h.result_slots_offset % OFS_WIRE_ALIGN ||
	    h.frame_slots_offset < OFS_CHANNEL_HEADER_SIZE || h.frame_slots_offset > h.total_size ||
	    h.result_slots_offset > h.total_size)
		return OFS_E_HEADER;
	/* Frames first, then results, both inside total_size. All operands
	 * are below 2^33 here, so none of these sums can overflow. */
	const uint64_t frames_end = h.frame_slots_offset + (uint64_t)h.frame_slot_count * h.frame_slot_size;
	const uint64_t results_end = h.result_slots_offset + (uint64_t)h.result_slot_count * h.result_slot_size;
	if (frames_end > h.result_slots_offset || results_end > h.total_size)
		return OFS_E_HEADER;

	reset_private(ch);
	ch->base = memory;
	ch->geo.total_size = h.total_size;
	ch->geo.channel_id = h.channel_id;
	ch->geo.frame_slots_offset = h.frame_slots_offset;
	ch->geo.result_slots_offset = h.result_slots_offset;
	ch->geo.frame_slot_count = h.frame_slot_count;
	ch->geo.frame_slot_size = h.frame_slot_size;
	ch->geo.result_slot_count = h.result_slot_count;
	ch->geo.result_slot_size = h.result_slot_size;
	return OFS_OK;
}

int ofs_host_frame_take(struct ofs_channel *ch, uint8_t *dst, uint64_t dst_capacity, struct ofs_frame_info *info)
{
	if (!ch || !ch->base || !dst || !info)
		return OFS_E_ARG;
	const uint32_t slot = claim_ready(ch, 0, 0);
	if (slot == UINT32_MAX)
		return OFS_EMPTY;

	struct ofs_channel_header *h = ofs_channel_header(ch);
	uint64_t taken = atomic_fetch_add_explicit(&ch->host_frames_read, 1, memory_order_relaxed) + 1;
	ofs_store_relaxed_u64(&h->frames_read, taken);

	struct ofs_frame_slot *s = frame_slot(ch, slot);
	struct ofs_frame_slot hdr;
	const uint32_t g1 = ofs_load_acquire_u32(&s->generation);
	memcpy(&hdr, s, sizeof(hdr));
	info->frame_id = hdr.frame_id;
	info->timestamp_ns = hdr.timestamp_ns;
	info->pixel_format = hdr.pixel_format;
	info->width = hdr.width;
	info->height = hdr.height;
	info->stride = hdr.stride;
	info->uv_offset = hdr.uv_offset;
	info->uv_stride = hdr.uv_stride;
	info->data_size = hdr.data_size;
	info->source_width = hdr.source_width;
	info->source_height = hdr.source_height;

	int rc = (g1 & 1u) ? OFS_E_GENERATION : ofs_frame_check(info, ofs_frame_capacity(ch));
	if (rc == OFS_OK && info->data_size > dst_capacity)
		rc = OFS_E_TOO_BIG;
	if (rc == OFS_OK) {
		memcpy(dst, (const uint8_t *)s + OFS_SLOT_HEADER_SIZE, info->data_size);
		AFTER_COPY_HOOK(s);
		atomic_thread_fence(memory_order_acquire);
		if (ofs_load_relaxed_u32(&s->generation) != g1)
			rc = OFS_E_TORN;
	}
	ofs_store_release_u32(&s->state, OFS_SLOT_FREE);
	return rc;
}

int ofs_host_result_begin(struct ofs_channel *ch, struct ofs_result_writer *w)
{
	if (!ch || !ch->base || !w)
		return OFS_E_ARG;
	const uint32_t n = ch->geo.result_slot_count;
	uint32_t ready = 0, oldest = UINT32_MAX;
	uint64_t oldest_id = UINT64_MAX;
	for (uint32_t i = 0; i < n; i++) {
		struct ofs_result_slot *s = result_slot(ch, i);
		if (ofs_load_acquire_u32(&s->state) == OFS_SLOT_READY) {
			ready++;
			uint64_t id = ofs_load_relaxed_u64(&s->frame_id);
			if (id < oldest_id) {
				oldest_id = id;
				oldest = i;
			}
		}
	}
	uint32_t claimed = UINT32_MAX;
	int dropped = 0;
	if (ready >= 1u && ofs_cas_u32(&result_slot(ch, oldest)->state, OFS_SLOT_READY, OFS_SLOT_WRITING)) {
		claimed = oldest;
		dropped = 1;
	}
	for (uint32_t i = 0; claimed == UINT32_MAX && i < n; i++) {
		struct ofs_result_slot *s = result_slot(ch, i);
		if (ofs_load_acquire_u32(&s->state) == OFS_SLOT_FREE &&
		    ofs_cas_u32(&s->state, OFS_SLOT_FREE, OFS_SLOT_WRITING))
			claimed = i;
	}
	if (claimed == UINT32_MAX)
		return OFS_E_NO_SLOT;
	struct ofs_channel_header *h = ofs_channel_header(ch);
	if (dropped) {
		uint64_t v = atomic_fetch_add_explicit(&ch->host_results_dropped, 1, memory_order_relaxed) + 1;
		ofs_store_relaxed_u64(&h->results_dropped, v);
	}
	struct ofs_result_slot *s = result_slot(ch, claimed);
	w->slot = claimed;
	w->generation = generation_begin(&s->generation);
	w->data = (uint8_t *)s + OFS_SLOT_HEADER_SIZE;
	w->capacity = ofs_result_capacity(ch);
	w->dropped = dropped;
	return OFS_OK;
}

void ofs_host_result_commit(struct ofs_channel *ch, struct ofs_result_writer *w, const struct ofs_result_slot *fields)
{
	if (!ch || !w || !fields || w->slot >= ch->geo.result_slot_count)
		return;
	struct ofs_result_slot *s = result_slot(ch, w->slot);
	s->frame_id = fields->frame_id;
	s->timestamp_ns = fields->timestamp_ns;
	s->frame_width = fields->frame_width;
	s->frame_height = fields->frame_height;
	s->item_count = fields->item_count;
	s->data_size = fields->data_size;
	s->pipeline_ns = fields->pipeline_ns;
	s->status = fields->status;
	s->settings_generation = fields->settings_generation;
	memset(s->reserved, 0, sizeof(s->reserved));
	ofs_store_release_u32(&s->generation, w->generation + 1u);
	ofs_store_release_u32(&s->state, OFS_SLOT_READY);
	w->slot = UINT32_MAX;

	struct ofs_channel_header *h = ofs_channel_header(ch);
	uint64_t v = atomic_fetch_add_explicit(&ch->host_results_written, 1, memory_order_relaxed) + 1;
	ofs_store_relaxed_u64(&h->results_written, v);
	ofs_store_relaxed_u64(&h->last_pipeline_ns, fields->pipeline_ns);
}

/*
 * The "Face Swap" filter (docs/shim.md):
 * - video_render draws the source through a texrender, composites the
 *   newest validated host result on the GPU, renders a downscaled analysis
 *   copy, stages it into a ring of stage surfaces and copies the one staged
 *   a frame earlier into the shared-memory channel (never waiting on the
 *   GPU or the host);
 * - mode "privacy" masks the host's face boxes instead (pixelate, blur or
 *   solid colour); with fail_closed it keeps masking when results are late
 *   or missing, up to the whole frame (ofs-failclosed.h), host or no host;
 * - with no host attached, or mode "off", the filter skips itself and OBS
 *   renders the source untouched (not in privacy mode with fail_closed).
 * No allocation, blocking or logging per frame: GPU objects are
 * (re)created only when a size changes.
 */
#include "faceswap-filter.h"

#include <stdatomic.h>
#include <string.h>

#include <graphics/matrix4.h>
#include <graphics/vec2.h>
#include <graphics/vec4.h>
#include <util/bmem.h>
#include <util/platform.h>

#include "host-link.h"
#include "ofs-channel.h"
#include "ofs-failclosed.h"
#include "ofs-platform.h"
#include "ofs-sync.h"
#include "plugin-log.h"

#define T(key) obs_module_text(key)

#define STAGE_RING 3u              /* stage surfaces per plane */
#define STAGE_LAG 1u               /* map the surface staged this many frames earlier */
#define AUTO_ANALYSIS_MAX_WIDTH 1280u
#define RESULT_HOLD_NS 1000000000ull /* stop drawing a result this much older than the frame */
#define BOX_THICKNESS 2.0f

enum ofs_mode {
	OFS_MODE_OFF = 0,
	OFS_MODE_DIAGNOSTIC = 1,
	OFS_MODE_PRIVACY = 2,
	OFS_MODE_SWAP = 3,
};

enum privacy_style {
	PRIVACY_PIXELATE = 0,
	PRIVACY_BLUR = 1,
	PRIVACY_SOLID = 2,
};

#define FRESH_FRAMES 3u     /* a result is fresh if computed from one of the last 3 frames sent */
#define SWAP_MAX_AGE_NS 150000000ull /* swap: a patch this much older (or newer) than the shown frame is not drawn */
#define BLUR_SMALL_DIV 8u   /* blur: downscaled copies of the source, 1/8 and 1/32 */
#define BLUR_TINY_DIV 32u

struct stage_entry {
	gs_stagesurf_t *plane0; /* BGRA, or NV12 Y (R8) */
	gs_stagesurf_t *plane1; /* NV12 UV (R8G8), else NULL */
	bool pending;
	uint64_t render_seq; /* ofs_sync sequence number of the frame staged */
	uint64_t timestamp_ns;
	uint32_t source_width, source_height;
};

struct kept_result {
	struct ofs_result_slot header;
	uint8_t *data; /* items, then patch pixels (item offsets are relative to it) */
	uint32_t size, cap;
};

struct patch_texture {
	gs_texture_t *tex;
	uint32_t width, height;
};

#define IDENTITY_HOTKEYS 9u /* "Face Swap: identity 1..9" select identity #1..#9 */

struct ofs_filter {
	obs_source_t *source;
	struct ofs_link_client *link;
	obs_hotkey_id identity_hotkeys[IDENTITY_HOTKEYS];

	/* Settings: written by update, read by tick and render. */
	atomic_int mode;
	_Atomic uint32_t analysis_width;
	_Atomic uint32_t pixel_format;
	_Atomic uint32_t queue_depth;
	_Atomic uint32_t privacy_style, privacy_intensity, privacy_ellipse, privacy_padding, privacy_color;
	atomic_bool fail_closed;
	_Atomic uint32_t fail_closed_timeout_ms, fail_closed_growth;
	atomic_bool synced;                 /* latency_mode "synced" */
	_Atomic uint32_t mode_generation;   /* +1 whenever the mode changes (update thread); results carry it */
	int settings_mode;                  /* the mode update last applied (update thread only) */
	_Atomic uint32_t sync_delay_frames; /* 0: the measured latency */
	/* privacy_faces, under a sequence lock (odd while update writes). */
	_Atomic uint32_t faces_seq, faces_count;
	_Atomic uint32_t faces[OFS_FC_MAX_SELECTED];

	/* Graphics objects (render thread; created/destroyed in the graphics context). */
	gs_effect_t *composite;
	gs_eparam_t *composite_image, *composite_opacity;
	gs_eparam_t *p_region, *p_source_size, *p_ellipse, *p_cell, *p_blur, *p_color, *p_texel, *p_factor;
	bool privacy_ok; /* the effect has every privacy parameter */
	gs_texrender_t *blur_small_tr, *blur_tiny_tr;
	gs_effect_t *convert;
	gs_eparam_t *convert_image;
	gs_texrender_t *frame_tr[OFS_SYNC_FRAMES]; /* the last rendered frames (ofs_sync frame slots) */
	uint64_t frame_time[OFS_SYNC_FRAMES];
	gs_texrender_t *analysis_tr, *y_tr, *uv_tr;
	struct stage_entry stage[STAGE_RING];
	uint32_t stage_width, stage_height, stage_format;
	uint64_t stage_seq;
	struct patch_texture patches[OFS_MAX_RESULT_ITEMS];

	/* Render thread state. */
	bool in_render;
	uint64_t last_frame_time;
	uint8_t *result_buf; /* private copy of one result (preallocated) */
	uint32_t result_cap;
	/* Results kept by frame id (ofs_sync result slots): header and items
	 * (+ patches), copied once; grown only when a result is larger. */
	struct ofs_sync sync;
	const struct ofs_link_channel *sync_channel;
	int sync_mode;
	struct kept_result kept[OFS_SYNC_HISTORY];
	/* The kept result drawn last (items, patches uploaded); 0 = none. */
	uint64_t shown_id;
	struct ofs_result_item items[OFS_MAX_RESULT_ITEMS];
	uint32_t item_count;
	uint32_t result_width, result_height;
	uint64_t result_time;

	/* Privacy mode (render thread): face boxes to mask, as fractions of
	 * the frame (the union of two results in synced mode), and what
	 * ofs_fc_compute needs. */
	struct ofs_fc_region held[2u * OFS_MAX_RESULT_ITEMS];
	uint32_t held_count;
	/* Faces of the newest results for the shown frame that must be hidden
	 * unless swapped (privacy: every face; swap: faces with a patch or
	 * OFS_FACE_FLAG_UNSWAPPED); kept while no result arrives. */
	struct ofs_fc_region known[2u * OFS_MAX_RESULT_ITEMS];
	uint32_t known_count;
	/* Swap: the kept result whose patches were drawn on this frame, or
	 * OFS_SYNC_NONE. */
	uint32_t drawn_slot;
	bool have_fresh;
	uint64_t last_fresh_ns, last_readback_ns;
	bool privacy_seen;
	const struct ofs_link_channel *gate_channel;
	uint64_t gate_frame_id; /* results of earlier frames predate privacy mode */
};

/* ---- sizes -------------------------------------------------------------- */

/* Analysis size for a source: `setting` wide (0: source width capped at
 * 1280), height keeping the aspect, both even and within the wire limits. */
static bool analysis_size(uint32_t setting, uint32_t sw, uint32_t sh, uint32_t *aw, uint32_t *ah)
{
	if (!sw || !sh)
		return false;
	uint64_t w = setting ? setting : (sw < AUTO_ANALYSIS_MAX_WIDTH ? sw : AUTO_ANALYSIS_MAX_WIDTH);
	if (w > OFS_MAX_WIDTH)
		w = OFS_MAX_WIDTH;
	uint64_t h = (w * sh + sw / 2u) / sw;
	if (h > OFS_MAX_HEIGHT) {
		h = OFS_MAX_HEIGHT;
		w = (h * sw + sh / 2u) / sh;
	}
	w &= ~1ull;
	h &= ~1ull;
	if (w < 2u || h < 2u)
		return false;
	*aw = (uint32_t)w;
	*ah = (uint32_t)h;
	return true;
}

/* ---- drawing helpers (render thread) ------------------------------------ */

/* Renders the filter's target into `tr` at its base size, as libobs does
 * for filters that need the source as a texture. */
static bool render_target(gs_texrender_t *tr, obs_source_t *target, obs_source_t *parent, uint32_t w, uint32_t h)
{
	gs_texrender_reset(tr);
	if (!gs_texrender_begin(tr, w, h))
		return false;
	const uint32_t parent_flags = obs_source_get_output_flags(parent);
	const bool custom_draw = (parent_flags & OBS_SOURCE_CUSTOM_DRAW) != 0;
	const bool async = (parent_flags & OBS_SOURCE_ASYNC) != 0;
	struct vec4 clear;
	vec4_zero(&clear);
	gs_clear(GS_CLEAR_COLOR, &clear, 0.0f, 0);
	gs_ortho(0.0f, (float)w, 0.0f, (float)h, -100.0f, 100.0f);
	gs_blend_state_push();
	gs_blend_function(GS_BLEND_ONE, GS_BLEND_ZERO);
	if (target == parent && !custom_draw && !async)
		obs_source_default_render(target);
	else
		obs_source_video_render(target);
	gs_blend_state_pop();
	gs_texrender_end(tr);
	return true;
}

/* Draws the source texture to the filter's output (sRGB-aware, like
 * libobs's own filter path). */
static void draw_source(gs_texture_t *tex, uint32_t w, uint32_t h)
{
	gs_effect_t *effect = obs_get_base_effect(OBS_EFFECT_DEFAULT);
	gs_eparam_t *image = gs_effect_get_param_by_name(effect, "image");
	const bool linear = gs_get_linear_srgb();
	const bool previous = gs_framebuffer_srgb_enabled();
	gs_enable_framebuffer_srgb(linear);
	if (linear)
		gs_effect_set_texture_srgb(image, tex);
	else
		gs_effect_set_texture(image, tex);
	while (gs_effect_loop(effect, "Draw"))
		gs_draw_sprite(tex, 0, w, h);
	gs_enable_framebuffer_srgb(previous);
}

/* Draws `tex` scaled to w x h into `tr` with `technique`; values are
 * copied as stored (no sRGB conversion, no blending). */
static bool draw_into(gs_texrender_t *tr, gs_effect_t *effect, gs_eparam_t *image, const char *technique,
		      gs_texture_t *tex, uint32_t w, uint32_t h)
{
	gs_texrender_reset(tr);
	if (!gs_texrender_begin(tr, w, h))
		return false;
	struct vec4 clear;
	vec4_zero(&clear);
	gs_clear(GS_CLEAR_COLOR, &clear, 0.0f, 0);
	gs_ortho(0.0f, (float)w, 0.0f, (float)h, -100.0f, 100.0f);
	gs_blend_state_push();
	gs_blend_function(GS_BLEND_ONE, GS_BLEND_ZERO);
	const bool previous = gs_framebuffer_srgb_enabled();
	gs_enable_framebuffer_srgb(false);
	gs_effect_set_texture(image, tex);
	while (gs_effect_loop(effect, technique))
		gs_draw_sprite(tex, 0, w, h);
	gs_enable_framebuffer_srgb(previous);
	gs_blend_state_pop();
	gs_texrender_end(tr);
	return true;
}

/* ---- analysis frames: GPU -> stage ring -> shared memory ----------------- */

static void stage_destroy(struct ofs_filter *f)
{
	for (uint32_t i = 0; i < STAGE_RING; i++) {
		gs_stagesurface_destroy(f->stage[i].plane0);
		gs_stagesurface_destroy(f->stage[i].plane1);
		memset(&f->stage[i], 0, sizeof(f->stage[i]));
	}
	f->stage_width = f->stage_height = f->stage_format = 0;
}

/* (Re)creates the stage ring when the analysis size or format changes. */
static bool stage_ensure(struct ofs_filter *f, uint32_t w, uint32_t h, uint32_t format)
{
	if (f->stage_width == w && f->stage_height == h && f->stage_format == format)
		return true;
	stage_destroy(f);
	const bool nv12 = format == OFS_PIXEL_NV12;
	for (uint32_t i = 0; i < STAGE_RING; i++) {
		f->stage[i].plane0 = gs_stagesurface_create(w, h, nv12 ? GS_R8 : GS_BGRA);
		f->stage[i].plane1 = nv12 ? gs_stagesurface_create(w / 2u, h / 2u, GS_R8G8) : NULL;
		if (!f->stage[i].plane0 || (nv12 && !f->stage[i].plane1)) {
			stage_destroy(f);
			return false;
		}
	}
	f->stage_width = w;
	f->stage_height = h;
	f->stage_format = format;
	return true;
}

static void copy_plane(uint8_t *dst, uint32_t dst_stride, const uint8_t *src, uint32_t src_stride, uint32_t row_bytes,
		       uint32_t rows)
{
	if (dst_stride == row_bytes && src_stride == row_bytes) {
		memcpy(dst, src, (size_t)row_bytes * rows);
		return;
	}
	for (uint32_t y = 0; y < rows; y++)
		memcpy(dst + (size_t)y * dst_stride, src + (size_t)y * src_stride, row_bytes);
}

/* Maps a surface staged at least one frame ago (the GPU is done with it, so
 * the map does not wait) and copies it into a frame slot before unmapping. */
static void send_staged(struct ofs_filter *f, struct ofs_link_channel *ch, struct stage_entry *e)
{
	struct ofs_frame_info info = {
		.timestamp_ns = e->timestamp_ns,
		.source_width = e->source_width,
		.source_height = e->source_height,
	};
	if (ofs_frame_layout(&info, f->stage_format, f->stage_width, f->stage_height) != OFS_OK ||
	    info.data_size > ofs_frame_capacity(&ch->core))
		return;
	const bool nv12 = f->stage_format == OFS_PIXEL_NV12;
	const uint32_t row0 = nv12 ? info.width : info.width * 4u;
	uint8_t *p0 = NULL, *p1 = NULL;
	uint32_t l0 = 0, l1 = 0;
	if (!gs_stagesurface_map(e->plane0, &p0, &l0))
		return;
	if (nv12 && !gs_stagesurface_map(e->plane1, &p1, &l1)) {
		gs_stagesurface_unmap(e->plane0);
		return;
	}
	f->last_readback_ns = os_gettime_ns();
	if (l0 >= row0 && (!nv12 || l1 >= info.width)) {
		struct ofs_frame_writer w;
		if (ofs_frame_begin(&ch->core, atomic_load(&f->queue_depth), &w) == OFS_OK) {
			copy_plane(w.data, info.stride, p0, l0, row0, info.height);
			if (nv12)
				copy_plane(w.data + info.uv_offset, info.uv_stride, p1, l1, info.width, info.height / 2u);
			if (ofs_frame_commit(&ch->core, &w, &info) == OFS_OK) {
				ofs_sync_frame_sent(&f->sync, e->render_seq, info.frame_id);
				ofs_shm_wake(ch->shm, ofs_channel_frame_seq(&ch->core));
			}
		}
	}
	if (nv12)
		gs_stagesurface_unmap(e->plane1);
	gs_stagesurface_unmap(e->plane0);
}

static void analyze(struct ofs_filter *f, struct ofs_link_channel *ch, gs_texture_t *source_tex, uint32_t sw,
		    uint32_t sh, uint32_t aw, uint32_t ah, uint64_t frame_time, uint64_t render_seq)
{
	const uint32_t format = atomic_load(&f->pixel_format);
	/* Until the link thread has made a channel this large, send nothing. */
	if ((uint64_t)aw * ah * 4u > ofs_frame_capacity(&ch->core))
		return;
	if (!stage_ensure(f, aw, ah, format))
		return;

	/* Downscale pass only when the analysis size differs from the source. */
	gs_texture_t *analysis = source_tex;
	if (aw != sw || ah != sh) {
		gs_effect_t *def = obs_get_base_effect(OBS_EFFECT_DEFAULT);
		if (!draw_into(f->analysis_tr, def, gs_effect_get_param_by_name(def, "image"), "Draw", source_tex, aw,
			       ah))
			return;
		analysis = gs_texrender_get_texture(f->analysis_tr);
	}
	struct stage_entry *e = &f->stage[f->stage_seq % STAGE_RING];
	if (format == OFS_PIXEL_NV12) {
		/* RGB -> NV12 on the GPU: full-size Y, half-size interleaved UV. */
		if (!f->convert ||
		    !draw_into(f->y_tr, f->convert, f->convert_image, "ConvertY", analysis, aw, ah) ||
		    !draw_into(f->uv_tr, f->convert, f->convert_image, "ConvertUV", analysis, aw / 2u, ah / 2u))
			return;
		gs_stage_texture(e->plane0, gs_texrender_get_texture(f->y_tr));
		gs_stage_texture(e->plane1, gs_texrender_get_texture(f->uv_tr));
	} else {
		gs_stage_texture(e->plane0, analysis);
	}
	e->pending = true;
	e->render_seq = render_seq;
	e->timestamp_ns = frame_time;
	e->source_width = sw;
	e->source_height = sh;

	if (f->stage_seq >= STAGE_LAG) {
		struct stage_entry *old = &f->stage[(f->stage_seq - STAGE_LAG) % STAGE_RING];
		if (old->pending) {
			old->pending = false;
			send_staged(f, ch, old);
		}
	}
	f->stage_seq++;
}

/* ---- results -------------------------------------------------------------- */

static bool upload_patch(struct ofs_filter *f, uint32_t i, const struct ofs_result_item *it, const uint8_t *payload)
{
	struct patch_texture *p = &f->patches[i];
	if (!p->tex || p->width != it->patch_width || p->height != it->patch_height) {
		gs_texture_destroy(p->tex);
		p->tex = gs_texture_create(it->patch_width, it->patch_height, GS_BGRA, 1, NULL, GS_DYNAMIC);
		p->width = p->tex ? it->patch_width : 0;
		p->height = p->tex ? it->patch_height : 0;
		if (!p->tex)
			return false;
	}
	gs_texture_set_image(p->tex, payload + it->patch_offset, it->patch_stride, false);
	return true;
}

/* Privacy and swap modes take only results of frames sent after the mode
 * began, computed with the settings of the current mode (settings_generation
 * = mode_generation: a host that just started, or has not applied the new
 * mode yet, computes with other settings), with status OK; privacy also
 * refuses patches. */
static bool masking_result(const struct ofs_filter *f, const struct ofs_result *r, bool privacy)
{
	if (r->header.status != OFS_RESULT_OK || r->header.frame_id < f->gate_frame_id || !r->header.frame_width ||
	    !r->header.frame_height || r->header.settings_generation != atomic_load(&f->mode_generation))
		return false;
	for (uint32_t i = 0; privacy && i < r->header.item_count; i++)
		if (r->items[i].kind == OFS_ITEM_PATCH)
			return false;
	return true;
}

static const struct ofs_result_item *kept_items(const struct kept_result *k)
{
	return (const struct ofs_result_item *)k->data;
}

/* Takes the newest READY result, if any, and keeps a copy by its frame id
 * (a rejected one changes nothing). Live privacy mode: a result computed
 * from one of the last FRESH_FRAMES frames sent refreshes the fail-closed
 * clock (synced mode refreshes it when the shown frame has its result). */
static void keep_result(struct ofs_filter *f, struct ofs_link_channel *ch, int mode, bool synced)
{
	struct ofs_result r;
	if (ofs_result_read(&ch->core, f->result_buf, f->result_cap, &r) != OFS_OK)
		return; /* none, or rejected (counted in the channel): never refreshes */
	const bool masking = mode == OFS_MODE_PRIVACY || mode == OFS_MODE_SWAP;
	if (masking && !masking_result(f, &r, mode == OFS_MODE_PRIVACY))
		return;
	const uint32_t slot = ofs_sync_result(&f->sync, r.header.frame_id);
	if (slot == OFS_SYNC_NONE)
		return;
	struct kept_result *k = &f->kept[slot];
	if (k->cap < r.payload_size) {
		bfree(k->data);
		k->data = bmalloc(r.payload_size);
		k->cap = r.payload_size;
	}
	memcpy(k->data, r.payload, r.payload_size);
	k->size = r.payload_size;
	k->header = r.header;
	uint32_t faces = 0;
	for (uint32_t i = 0; r.header.status == OFS_RESULT_OK && i < r.header.item_count; i++)
		faces += kept_items(k)[i].kind == OFS_ITEM_FACE;
	ofs_link_set_face_count(f->link, faces);
	if (f->shown_id == r.header.frame_id)
		f->shown_id = 0; /* replaced: upload again */
	const uint64_t next = ch->core.next_frame_id; /* the last frame sent is next - 1 */
	if (masking && !synced && r.header.frame_id + FRESH_FRAMES >= next) {
		f->have_fresh = true;
		f->last_fresh_ns = os_gettime_ns();
	}
}

static void draw_box(gs_effect_t *solid, float x, float y, float w, float h)
{
	const float t = BOX_THICKNESS;
	const float rects[4][4] = {{x, y, w, t}, {x, y + h - t, w, t}, {x, y, t, h}, {x + w - t, y, t, h}};
	for (int i = 0; i < 4; i++) {
		if (rects[i][2] < 1.0f || rects[i][3] < 1.0f)
			continue;
		gs_matrix_push();
		gs_matrix_translate3f(rects[i][0], rects[i][1], 0.0f);
		while (gs_effect_loop(solid, "Solid"))
			gs_draw_sprite(NULL, 0, (uint32_t)rects[i][2], (uint32_t)rects[i][3]);
		gs_matrix_pop();
	}
}

/* Makes kept result `slot` the drawn one: its items, its patches uploaded
 * (once per result, not per draw). */
static void show_result(struct ofs_filter *f, uint32_t slot)
{
	const struct kept_result *k = &f->kept[slot];
	if (f->shown_id == k->header.frame_id)
		return;
	f->shown_id = k->header.frame_id;
	f->result_width = k->header.frame_width;
	f->result_height = k->header.frame_height;
	f->result_time = k->header.timestamp_ns;
	f->item_count = 0;
	if (k->header.status != OFS_RESULT_OK)
		return;
	const struct ofs_result_item *items = kept_items(k);
	for (uint32_t i = 0; i < k->header.item_count; i++) {
		const struct ofs_result_item *it = &items[i];
		if (it->kind == OFS_ITEM_PATCH && !upload_patch(f, f->item_count, it, k->data))
			continue;
		f->items[f->item_count++] = *it;
	}
}

/* Composites kept result `slot` (OFS_SYNC_NONE: nothing) over the output
 * of a frame shown at `frame_time`: each patch through its affine
 * transform (analysis -> source scale), alpha = mask * opacity,
 * straight-alpha blending. A result computed more than `max_age_ns` before
 * (or after) the frame is not drawn. Sets f->drawn_slot. */
static void composite(struct ofs_filter *f, uint32_t slot, uint64_t frame_time, uint64_t max_age_ns, uint32_t w,
		      uint32_t h)
{
	f->drawn_slot = OFS_SYNC_NONE;
	if (slot == OFS_SYNC_NONE)
		return;
	show_result(f, slot);
	if (f->item_count == 0 || !f->result_width || !f->result_height)
		return;
	const uint64_t age = frame_time > f->result_time ? frame_time - f->result_time : f->result_time - frame_time;
	if (age > max_age_ns)
		return;
	f->drawn_slot = slot;
	const float sx = (float)w / (float)f->result_width, sy = (float)h / (float)f->result_height;
	const bool linear = gs_get_linear_srgb();
	const bool previous = gs_framebuffer_srgb_enabled();
	gs_enable_framebuffer_srgb(linear);
	gs_blend_state_push();
	gs_blend_function_separate(GS_BLEND_SRCALPHA, GS_BLEND_INVSRCALPHA, GS_BLEND_ONE, GS_BLEND_INVSRCALPHA);

	for (uint32_t i = 0; i < f->item_count; i++) {
		const struct ofs_result_item *it = &f->items[i];
		if (it->kind != OFS_ITEM_PATCH || !f->patches[i].tex || it->opacity <= 0.0f)
			continue;
		const float *a = it->affine;
		struct matrix4 m; /* row vectors: (u, v, 0, 1) * m */
		vec4_set(&m.x, sx * a[0], sy * a[3], 0.0f, 0.0f);
		vec4_set(&m.y, sx * a[1], sy * a[4], 0.0f, 0.0f);
		vec4_set(&m.z, 0.0f, 0.0f, 1.0f, 0.0f);
		vec4_set(&m.t, sx * a[2], sy * a[5], 0.0f, 1.0f);
		gs_matrix_push();
		gs_matrix_mul(&m);
		if (linear)
			gs_effect_set_texture_srgb(f->composite_image, f->patches[i].tex);
		else
			gs_effect_set_texture(f->composite_image, f->patches[i].tex);
		gs_effect_set_float(f->composite_opacity, it->opacity);
		while (gs_effect_loop(f->composite, "Draw"))
			gs_draw_sprite(f->patches[i].tex, 0, it->patch_width, it->patch_height);
		gs_matrix_pop();
	}

	/* Diagnostic aid: thin boxes around detected faces. */
	if (atomic_load(&f->mode) == OFS_MODE_DIAGNOSTIC) {
		gs_effect_t *solid = obs_get_base_effect(OBS_EFFECT_SOLID);
		struct vec4 color;
		vec4_set(&color, 0.0f, 1.0f, 0.0f, 1.0f);
		gs_effect_set_vec4(gs_effect_get_param_by_name(solid, "color"), &color);
		for (uint32_t i = 0; i < f->item_count; i++) {
			const struct ofs_result_item *it = &f->items[i];
			if (it->kind == OFS_ITEM_FACE)
				draw_box(solid, it->box[0] * sx, it->box[1] * sy, it->box[2] * sx, it->box[3] * sy);
		}
	}
	gs_blend_state_pop();
	gs_enable_framebuffer_srgb(previous);
}

/* ---- privacy mode ------------------------------------------------------- */

/* True if kept result `k` carries a patch for face `id`. */
static bool has_patch(const struct kept_result *k, uint32_t id)
{
	const struct ofs_result_item *items = kept_items(k);
	for (uint32_t i = 0; id && i < k->header.item_count; i++)
		if (items[i].kind == OFS_ITEM_PATCH && items[i].face_id == id)
			return true;
	return false;
}

/* Appends to f->known the faces of kept result `slot` that must be hidden
 * unless swapped, as fractions of its frame: privacy every face; swap the
 * faces the host wants swapped (a patch, or OFS_FACE_FLAG_UNSWAPPED); faces
 * the face mapping leaves alone are not hidden. */
static void know_faces(struct ofs_filter *f, uint32_t slot, bool swap)
{
	const struct kept_result *k = &f->kept[slot];
	const float fw = (float)k->header.frame_width, fh = (float)k->header.frame_height;
	const struct ofs_result_item *items = kept_items(k);
	const uint32_t cap = (uint32_t)(sizeof(f->known) / sizeof(f->known[0]));
	for (uint32_t i = 0; i < k->header.item_count && f->known_count < cap; i++) {
		const struct ofs_result_item *it = &items[i];
		if (it->kind != OFS_ITEM_FACE ||
		    (swap && !(it->flags & OFS_FACE_FLAG_UNSWAPPED) && !has_patch(k, it->face_id)))
			continue;
		struct ofs_fc_region *r = &f->known[f->known_count++];
		r->x = it->box[0] / fw;
		r->y = it->box[1] / fh;
		r->w = it->box[2] / fw;
		r->h = it->box[3] / fh;
		r->face_id = it->face_id;
	}
}

/* Swap: true if face `r` is covered by a patch drawn on this frame: the
 * drawn result has a patch for the same track id, and that track's face
 * box there holds the centre of `r` (a face that jumped, e.g. at a cut,
 * is not covered by its old patch). */
static bool covered(const struct ofs_filter *f, const struct ofs_fc_region *r)
{
	if (f->drawn_slot == OFS_SYNC_NONE)
		return false;
	const struct kept_result *k = &f->kept[f->drawn_slot];
	if (!has_patch(k, r->face_id))
		return false;
	const float cx = r->x + r->w * 0.5f, cy = r->y + r->h * 0.5f;
	const float fw = (float)k->header.frame_width, fh = (float)k->header.frame_height;
	const struct ofs_result_item *items = kept_items(k);
	for (uint32_t i = 0; i < k->header.item_count; i++) {
		const struct ofs_result_item *it = &items[i];
		if (it->kind == OFS_ITEM_FACE && it->face_id == r->face_id && cx >= it->box[0] / fw &&
		    cx <= (it->box[0] + it->box[2]) / fw && cy >= it->box[1] / fh && cy <= (it->box[1] + it->box[3]) / fh)
			return true;
	}
	return false;
}

/* The kept result whose patches swap mode draws on the shown frame. */
static uint32_t swap_result(const struct ofs_filter *f, const struct ofs_sync_pick *p, bool synced)
{
	if (!synced)
		return ofs_sync_newest(&f->sync);
	return p->exact != OFS_SYNC_NONE ? p->exact : (p->earlier != OFS_SYNC_NONE ? p->earlier : p->later);
}

/* Privacy and swap modes: the face boxes to mask on the shown frame.
 * The faces come from: live, the newest result; synced, the shown frame's
 * own result, or if the host skipped that frame the results just before
 * and after it together (a cut between them is covered by the later one).
 * With only an earlier result the shown frame cannot be vouched for:
 * nothing counts as fresh, so fail_closed masks the whole frame until a
 * frame has its own (or a later) result. With no result at all (host gone)
 * the faces known last stay, growing with staleness. Privacy masks every
 * face; swap masks the faces it wants swapped that no patch drawn on this
 * frame covers (no swap, a model fault, a late or missing result). */
static void choose_faces(struct ofs_filter *f, const struct ofs_sync_pick *p, bool synced, bool swap)
{
	uint32_t a = OFS_SYNC_NONE, b = OFS_SYNC_NONE;
	bool fresh = false;
	if (!synced) {
		a = ofs_sync_newest(&f->sync);
	} else if (p->exact != OFS_SYNC_NONE) {
		a = p->exact;
		fresh = true;
	} else if (p->later != OFS_SYNC_NONE) {
		a = p->earlier;
		b = p->later;
		fresh = true;
	} else if (p->earlier != OFS_SYNC_NONE) {
		a = p->earlier;
		f->have_fresh = false; /* cannot vouch for this frame: the whole frame */
	}
	if (a != OFS_SYNC_NONE || b != OFS_SYNC_NONE) {
		f->known_count = 0;
		if (a != OFS_SYNC_NONE)
			know_faces(f, a, swap);
		if (b != OFS_SYNC_NONE)
			know_faces(f, b, swap);
	}
	if (fresh) {
		f->have_fresh = true;
		f->last_fresh_ns = os_gettime_ns();
	}
	f->held_count = 0;
	for (uint32_t i = 0; i < f->known_count; i++)
		if (!swap || !covered(f, &f->known[i]))
			f->held[f->held_count++] = f->known[i];
}

/* Leaves privacy mode: nothing held, nothing fresh. */
static void privacy_reset(struct ofs_filter *f)
{
	f->held_count = 0;
	f->known_count = 0;
	f->have_fresh = false;
	f->privacy_seen = false;
	f->gate_channel = NULL;
}


/* Snapshot of the privacy settings; a torn privacy_faces read selects
 * every face (masking more, never less). */
static void privacy_settings(struct ofs_filter *f, struct ofs_fc_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->fail_closed = atomic_load(&f->fail_closed);
	s->timeout_ms = atomic_load(&f->fail_closed_timeout_ms);
	s->growth_pct = atomic_load(&f->fail_closed_growth);
	s->padding_pct = atomic_load(&f->privacy_padding);
	for (int tries = 0; tries < 4; tries++) {
		const uint32_t seq = atomic_load(&f->faces_seq);
		if (seq & 1u)
			continue;
		uint32_t n = atomic_load(&f->faces_count);
		n = n > OFS_FC_MAX_SELECTED ? OFS_FC_MAX_SELECTED : n;
		for (uint32_t i = 0; i < n; i++)
			s->selected[i] = atomic_load(&f->faces[i]);
		if (atomic_load(&f->faces_seq) == seq) {
			s->selected_count = n;
			return;
		}
	}
	s->selected_count = 0;
}

/* Box-filtered downscale of `tex` (iw x ih) into `tr` (ow x oh). */
static bool downsample(struct ofs_filter *f, gs_texrender_t *tr, gs_texture_t *tex, uint32_t iw, uint32_t ih,
		       uint32_t ow, uint32_t oh, uint32_t factor)
{
	struct vec2 texel;
	vec2_set(&texel, 1.0f / (float)iw, 1.0f / (float)ih);
	gs_effect_set_vec2(f->p_texel, &texel);
	gs_effect_set_float(f->p_factor, (float)factor);
	return draw_into(tr, f->composite, f->composite_image, "Downsample", tex, ow, oh);
}

/* Masks `n` regions of the output (source pixels) with the privacy style;
 * `whole` draws a box over the whole frame. Blur samples a 1/8 or 1/32
 * downscaled copy of the source with a 9x9 box kernel spanning +-radius
 * (radius = intensity x a quarter of the region's longer side), pixelate
 * uses cells of intensity x 1/8 of the longer side, solid draws
 * privacy_color at intensity x its alpha. */
static void draw_privacy(struct ofs_filter *f, gs_texture_t *src, uint32_t w, uint32_t h,
			 const struct ofs_fc_region *r, uint32_t n, bool whole)
{
	const uint32_t style = atomic_load(&f->privacy_style);
	const float k = (float)atomic_load(&f->privacy_intensity) / 100.0f;
	const bool ellipse = !whole && atomic_load(&f->privacy_ellipse);
	/* OBS colour properties store 0xAABBGGRR (red in the low byte). */
	const uint32_t abgr = atomic_load(&f->privacy_color);
	const char *technique = style == PRIVACY_BLUR ? "Blur" : (style == PRIVACY_SOLID ? "Solid" : "Pixelate");

	/* Blur: downscaled copies (texrenders keep their texture unless the
	 * source size changes). */
	gs_texture_t *small = NULL, *tiny = NULL;
	if (style == PRIVACY_BLUR) {
		float max_radius = 0.0f;
		for (uint32_t i = 0; i < n; i++) {
			const float side = r[i].w > r[i].h ? r[i].w : r[i].h;
			max_radius = side * 0.25f * k > max_radius ? side * 0.25f * k : max_radius;
		}
		const uint32_t sw = (w + BLUR_SMALL_DIV - 1u) / BLUR_SMALL_DIV, sh = (h + BLUR_SMALL_DIV - 1u) / BLUR_SMALL_DIV;
		if (max_radius / 4.0f >= 4.0f && downsample(f, f->blur_small_tr, src, w, h, sw, sh, BLUR_SMALL_DIV))
			small = gs_texrender_get_texture(f->blur_small_tr);
		const uint32_t tw = (w + BLUR_TINY_DIV - 1u) / BLUR_TINY_DIV, th = (h + BLUR_TINY_DIV - 1u) / BLUR_TINY_DIV;
		if (small && max_radius / 4.0f >= (float)BLUR_TINY_DIV &&
		    downsample(f, f->blur_tiny_tr, small, sw, sh, tw, th, BLUR_TINY_DIV / BLUR_SMALL_DIV))
			tiny = gs_texrender_get_texture(f->blur_tiny_tr);
	}

	const bool linear = gs_get_linear_srgb();
	const bool previous = gs_framebuffer_srgb_enabled();
	gs_enable_framebuffer_srgb(linear);
	gs_blend_state_push();
	gs_blend_function_separate(GS_BLEND_SRCALPHA, GS_BLEND_INVSRCALPHA, GS_BLEND_ONE, GS_BLEND_INVSRCALPHA);

	struct vec2 size;
	vec2_set(&size, (float)w, (float)h);
	struct vec4 color;
	vec4_set(&color, (float)(abgr & 0xFFu) / 255.0f, (float)((abgr >> 8) & 0xFFu) / 255.0f,
		 (float)((abgr >> 16) & 0xFFu) / 255.0f, (float)((abgr >> 24) & 0xFFu) / 255.0f);
	for (uint32_t i = 0; i < n; i++) {
		const float side = r[i].w > r[i].h ? r[i].w : r[i].h;
		const float radius = side * 0.25f * k;
		float cell = side * k / 8.0f;
		cell = cell < 2.0f ? 2.0f : cell;
		gs_texture_t *image = src;
		if (style == PRIVACY_BLUR)
			image = (tiny && radius / 4.0f >= (float)BLUR_TINY_DIV) ? tiny
				: (small && radius / 4.0f >= 4.0f) ? small : src;
		if (linear)
			gs_effect_set_texture_srgb(f->composite_image, image);
		else
			gs_effect_set_texture(f->composite_image, image);
		struct vec4 region;
		vec4_set(&region, r[i].x, r[i].y, r[i].w, r[i].h);
		gs_effect_set_vec4(f->p_region, &region);
		gs_effect_set_vec2(f->p_source_size, &size);
		gs_effect_set_float(f->p_ellipse, ellipse ? 1.0f : 0.0f);
		gs_effect_set_float(f->p_cell, cell);
		gs_effect_set_float(f->p_blur, radius);
		gs_effect_set_vec4(f->p_color, &color);
		gs_effect_set_float(f->composite_opacity, style == PRIVACY_SOLID ? k : 1.0f);
		gs_matrix_push();
		gs_matrix_translate3f(r[i].x, r[i].y, 0.0f);
		gs_matrix_scale3f(r[i].w, r[i].h, 1.0f);
		while (gs_effect_loop(f->composite, technique))
			gs_draw_sprite(NULL, 0, 1, 1);
		gs_matrix_pop();
	}
	gs_blend_state_pop();
	gs_enable_framebuffer_srgb(previous);
}

/* Privacy: what to mask this frame (ofs_fc_compute on the held boxes
 * scaled to the output), then draws it. */
static void mask(struct ofs_filter *f, gs_texture_t *src, uint32_t w, uint32_t h, bool swap)
{
	struct ofs_fc_settings s;
	privacy_settings(f, &s);
	if (swap)
		s.selected_count = 0; /* the host chose the faces (OFS_FACE_FLAG_UNSWAPPED) */
	struct ofs_fc_region scaled[2u * OFS_MAX_RESULT_ITEMS], out[2u * OFS_MAX_RESULT_ITEMS];
	for (uint32_t i = 0; i < f->held_count; i++) {
		scaled[i].x = f->held[i].x * (float)w;
		scaled[i].y = f->held[i].y * (float)h;
		scaled[i].w = f->held[i].w * (float)w;
		scaled[i].h = f->held[i].h * (float)h;
		scaled[i].face_id = f->held[i].face_id;
	}
	const struct ofs_fc_input in = {
		.held = scaled,
		.held_count = f->held_count,
		.have_fresh = f->have_fresh,
		.last_fresh_ns = f->last_fresh_ns,
		.last_readback_ns = f->last_readback_ns,
		.now_ns = os_gettime_ns(),
		.frame_w = (float)w,
		.frame_h = (float)h,
	};
	uint32_t n = 0;
	const enum ofs_fc_verdict v = ofs_fc_compute(&s, &in, out, 2u * OFS_MAX_RESULT_ITEMS, &n);
	if (v != OFS_FC_NOTHING && n)
		draw_privacy(f, src, w, h, out, n, v == OFS_FC_WHOLE_FRAME);
}

/* Forgets the kept results (a new channel restarts frame ids; results of
 * another mode mean something else). The rendered frames stay. */
static void forget_results(struct ofs_filter *f)
{
	ofs_sync_forget_results(&f->sync);
	f->drawn_slot = OFS_SYNC_NONE;
	f->shown_id = 0;
	f->item_count = 0;
}

/* No host: forget what the pipeline held, so nothing stale is drawn or sent
 * when a host attaches again (privacy keeps its held boxes). */
static void reset_pipeline(struct ofs_filter *f)
{
	for (uint32_t i = 0; i < STAGE_RING; i++)
		f->stage[i].pending = false;
	forget_results(f);
}

/* ---- render and tick --------------------------------------------------- */

static void render(struct ofs_filter *f)
{
	obs_source_t *target = obs_filter_get_target(f->source);
	obs_source_t *parent = obs_filter_get_parent(f->source);
	const uint32_t w = target ? obs_source_get_base_width(target) : 0;
	const uint32_t h = target ? obs_source_get_base_height(target) : 0;
	struct ofs_link_channel *ch = ofs_link_acquire_channel(f->link);
	const bool attached = ch && atomic_load(&ch->attached);
	const int mode = atomic_load(&f->mode);
	const bool privacy = mode == OFS_MODE_PRIVACY;
	const bool swap = mode == OFS_MODE_SWAP;
	const bool masking = privacy || swap;
	const bool synced = atomic_load(&f->synced);
	/* Privacy and swap with fail_closed never show the raw source: no skipping. */
	const bool closed = masking && atomic_load(&f->fail_closed);
	if (!attached || mode == OFS_MODE_OFF)
		reset_pipeline(f);
	if (ch != f->sync_channel || mode != f->sync_mode) {
		forget_results(f);
		if (mode != f->sync_mode)
			privacy_reset(f); /* a new mode: its gate, nothing held */
		f->sync_channel = ch;
		f->sync_mode = mode;
	}
	if (!target || !parent || !w || !h || f->in_render) {
		obs_source_skip_video_filter(f->source);
		return;
	}
	if (closed && (!f->composite || !f->privacy_ok || !f->frame_tr[0]))
		return; /* cannot mask: draw nothing rather than the source */
	if (!closed && (!f->composite || !f->frame_tr[0] || !attached || mode == OFS_MODE_OFF)) {
		obs_source_skip_video_filter(f->source);
		ofs_link_set_video_delay(f->link, 0);
		ofs_sync_reset(&f->sync); /* kept frames would be stale when it starts again */
		return;
	}

	/* One new frame (and one analysis frame) per OBS frame; a second
	 * draw in the same frame shows the same picture again. */
	f->in_render = true;
	const uint64_t frame_time = obs_get_video_frame_time();
	const bool new_frame = frame_time != f->last_frame_time || f->sync.seq == 0;
	uint64_t seq = 0;
	uint32_t slot = 0;
	if (new_frame) {
		slot = ofs_sync_begin_frame(&f->sync, &seq);
		f->frame_time[slot] = frame_time;
		f->last_frame_time = frame_time;
		if (!render_target(f->frame_tr[slot], target, parent, w, h)) {
			f->in_render = false;
			if (!closed)
				obs_source_skip_video_filter(f->source);
			return;
		}
	}
	if (masking && attached && (!f->privacy_seen || f->gate_channel != ch)) {
		/* Results of frames sent before this point may predate the
		 * host's privacy or swap settings. */
		f->privacy_seen = true;
		f->gate_channel = ch;
		f->gate_frame_id = ch->core.next_frame_id;
	}
	if (attached)
		keep_result(f, ch, mode, synced);

	/* Live shows the newest frame with the newest result; synced the frame
	 * `delay` frames back with its own result. */
	const uint32_t delay = synced ? ofs_sync_delay(&f->sync, atomic_load(&f->sync_delay_frames)) : 0u;
	struct ofs_sync_pick pick;
	ofs_sync_pick(&f->sync, delay, &pick);
	gs_texture_t *shown = gs_texrender_get_texture(f->frame_tr[pick.frame]);
	draw_source(shown, w, h);
	if (!privacy)
		composite(f, swap_result(f, &pick, synced), f->frame_time[pick.frame], swap ? SWAP_MAX_AGE_NS : RESULT_HOLD_NS, w,
			  h);
	if (masking) {
		choose_faces(f, &pick, synced, swap);
		if (f->privacy_ok)
			mask(f, shown, w, h, swap);
	}
	ofs_link_set_video_delay(f->link, delay);

	uint32_t aw, ah;
	if (attached && new_frame && analysis_size(atomic_load(&f->analysis_width), w, h, &aw, &ah))
		analyze(f, ch, gs_texrender_get_texture(f->frame_tr[slot]), w, h, aw, ah, frame_time, seq);
	f->in_render = false;
}

void ofs_filter_video_render(void *data, gs_effect_t *effect)
{
	(void)effect;
	struct ofs_filter *f = data;
	const uint64_t start = os_gettime_ns();
	render(f);
	ofs_render_stats_add(ofs_link_render_stats(f->link), os_gettime_ns() - start);
}

void ofs_filter_video_tick(void *data, float seconds)
{
	(void)seconds;
	struct ofs_filter *f = data;
	uint32_t aw = 0, ah = 0;
	obs_source_t *target = obs_filter_get_target(f->source);
	if (target && f->composite && atomic_load(&f->mode) != OFS_MODE_OFF &&
	    !analysis_size(atomic_load(&f->analysis_width), obs_source_get_base_width(target),
			   obs_source_get_base_height(target), &aw, &ah))
		aw = ah = 0;
	ofs_link_request_size(f->link, aw, ah);
}

/* ---- settings ------------------------------------------------------------ */

const char *ofs_filter_get_name(void *type_data)
{
	(void)type_data;
	return T("FaceSwap.FilterName");
}

void ofs_filter_get_defaults(obs_data_t *settings)
{
	obs_data_set_default_string(settings, "mode", "diagnostic");
	obs_data_set_default_int(settings, "analysis_width", 0);
	obs_data_set_default_string(settings, "pixel_format", "bgra");
	obs_data_set_default_int(settings, "queue_depth", 1);
	obs_data_set_default_string(settings, "host_path", "");
	obs_data_set_default_string(settings, "privacy_style", "pixelate");
	obs_data_set_default_int(settings, "privacy_intensity", 100);
	obs_data_set_default_string(settings, "privacy_shape", "ellipse");
	obs_data_set_default_int(settings, "privacy_padding", 20);
	obs_data_set_default_int(settings, "privacy_color", 0xFF000000ll);
	obs_data_set_default_string(settings, "privacy_faces", "");
	obs_data_set_default_int(settings, "detect_interval", 1);
	obs_data_set_default_bool(settings, "fail_closed", true);
	obs_data_set_default_int(settings, "fail_closed_timeout_ms", 1000);
	obs_data_set_default_int(settings, "fail_closed_growth", 100);
	obs_data_set_default_string(settings, "latency_mode", "synced");
	obs_data_set_default_int(settings, "sync_delay_frames", 0);
	obs_data_set_default_string(settings, "execution_provider", "auto");
	obs_data_set_default_string(settings, "identity_folder", "");
	obs_data_set_default_string(settings, "identity", "#1");
	obs_data_set_default_string(settings, "face_mapping", "all");
	obs_data_set_default_string(settings, "face_map", "");
	obs_data_set_default_string(settings, "swapper_model", "inswapper-128");
	obs_data_set_default_string(settings, "embedder_model", "arcface-w600k-r50");
	obs_data_set_default_int(settings, "colour_correction", 50);
	obs_data_set_default_int(settings, "swap_opacity", 100);
}

/* execution_provider values, as the host parses them (PipelineSettings). */
static const char *const provider_names[] = {"auto", "cpu", "cuda", "tensorrt", "directml", "coreml"};
static const char *const provider_labels[] = {
	"FaceSwap.ExecutionProvider.Auto",     "FaceSwap.ExecutionProvider.CPU",
	"FaceSwap.ExecutionProvider.CUDA",     "FaceSwap.ExecutionProvider.TensorRT",
	"FaceSwap.ExecutionProvider.DirectML", "FaceSwap.ExecutionProvider.CoreML",
};

obs_properties_t *ofs_filter_get_properties(void *data)
{
	(void)data;
	obs_properties_t *props = obs_properties_create();
	obs_property_t *p = obs_properties_add_list(props, "mode", T("FaceSwap.Mode"), OBS_COMBO_TYPE_LIST,
						    OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(p, T("FaceSwap.Mode.Diagnostic"), "diagnostic");
	obs_property_list_add_string(p, T("FaceSwap.Mode.Swap"), "swap");
	obs_property_list_add_string(p, T("FaceSwap.Mode.Privacy"), "privacy");
	obs_property_list_add_string(p, T("FaceSwap.Mode.Off"), "off");
	obs_property_set_long_description(p, T("FaceSwap.Mode.Description"));

	p = obs_properties_add_int(props, "analysis_width", T("FaceSwap.AnalysisWidth"), 0, (int)OFS_MAX_WIDTH, 2);
	obs_property_int_set_suffix(p, " px");
	obs_property_set_long_description(p, T("FaceSwap.AnalysisWidth.Description"));

	p = obs_properties_add_list(props, "pixel_format", T("FaceSwap.PixelFormat"), OBS_COMBO_TYPE_LIST,
				    OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(p, T("FaceSwap.PixelFormat.BGRA"), "bgra");
	obs_property_list_add_string(p, T("FaceSwap.PixelFormat.NV12"), "nv12");
	obs_property_set_long_description(p, T("FaceSwap.PixelFormat.Description"));

	p = obs_properties_add_int(props, "queue_depth", T("FaceSwap.QueueDepth"), 1, 2, 1);
	obs_property_set_long_description(p, T("FaceSwap.QueueDepth.Description"));

	p = obs_properties_add_path(props, "host_path", T("FaceSwap.HostPath"), OBS_PATH_FILE, NULL, NULL);
	obs_property_set_long_description(p, T("FaceSwap.HostPath.Description"));

	p = obs_properties_add_list(props, "privacy_style", T("FaceSwap.PrivacyStyle"), OBS_COMBO_TYPE_LIST,
				    OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(p, T("FaceSwap.PrivacyStyle.Pixelate"), "pixelate");
	obs_property_list_add_string(p, T("FaceSwap.PrivacyStyle.Blur"), "blur");
	obs_property_list_add_string(p, T("FaceSwap.PrivacyStyle.Solid"), "solid");
	obs_property_set_long_description(p, T("FaceSwap.PrivacyStyle.Description"));
	p = obs_properties_add_int_slider(props, "privacy_intensity", T("FaceSwap.PrivacyIntensity"), 10, 100, 1);
	obs_property_int_set_suffix(p, " %");
	obs_property_set_long_description(p, T("FaceSwap.PrivacyIntensity.Description"));
	p = obs_properties_add_list(props, "privacy_shape", T("FaceSwap.PrivacyShape"), OBS_COMBO_TYPE_LIST,
				    OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(p, T("FaceSwap.PrivacyShape.Ellipse"), "ellipse");
	obs_property_list_add_string(p, T("FaceSwap.PrivacyShape.Box"), "box");
	p = obs_properties_add_int_slider(props, "privacy_padding", T("FaceSwap.PrivacyPadding"), 0, 100, 1);
	obs_property_int_set_suffix(p, " %");
	obs_property_set_long_description(p, T("FaceSwap.PrivacyPadding.Description"));
	p = obs_properties_add_color_alpha(props, "privacy_color", T("FaceSwap.PrivacyColor"));
	p = obs_properties_add_text(props, "privacy_faces", T("FaceSwap.PrivacyFaces"), OBS_TEXT_DEFAULT);
	obs_property_set_long_description(p, T("FaceSwap.PrivacyFaces.Description"));
	p = obs_properties_add_int(props, "detect_interval", T("FaceSwap.DetectInterval"), 1, 60, 1);
	obs_property_set_long_description(p, T("FaceSwap.DetectInterval.Description"));
	p = obs_properties_add_bool(props, "fail_closed", T("FaceSwap.FailClosed"));
	obs_property_set_long_description(p, T("FaceSwap.FailClosed.Description"));
	p = obs_properties_add_int(props, "fail_closed_timeout_ms", T("FaceSwap.FailClosedTimeout"), 0, 60000, 50);
	obs_property_int_set_suffix(p, " ms");
	obs_property_set_long_description(p, T("FaceSwap.FailClosedTimeout.Description"));
	p = obs_properties_add_int(props, "fail_closed_growth", T("FaceSwap.FailClosedGrowth"), 0, 1000, 10);
	obs_property_int_set_suffix(p, " %/s");
	obs_property_set_long_description(p, T("FaceSwap.FailClosedGrowth.Description"));

	p = obs_properties_add_list(props, "latency_mode", T("FaceSwap.LatencyMode"), OBS_COMBO_TYPE_LIST,
				    OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(p, T("FaceSwap.LatencyMode.Synced"), "synced");
	obs_property_list_add_string(p, T("FaceSwap.LatencyMode.Live"), "live");
	obs_property_set_long_description(p, T("FaceSwap.LatencyMode.Description"));
	p = obs_properties_add_int(props, "sync_delay_frames", T("FaceSwap.SyncDelayFrames"), 0,
				   (int)OFS_SYNC_MAX_DELAY, 1);
	obs_property_set_long_description(p, T("FaceSwap.SyncDelayFrames.Description"));

	p = obs_properties_add_path(props, "identity_folder", T("FaceSwap.IdentityFolder"), OBS_PATH_DIRECTORY, NULL,
				    NULL);
	obs_property_set_long_description(p, T("FaceSwap.IdentityFolder.Description"));
	p = obs_properties_add_text(props, "identity", T("FaceSwap.Identity"), OBS_TEXT_DEFAULT);
	obs_property_set_long_description(p, T("FaceSwap.Identity.Description"));
	p = obs_properties_add_list(props, "face_mapping", T("FaceSwap.FaceMapping"), OBS_COMBO_TYPE_LIST,
				    OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(p, T("FaceSwap.FaceMapping.All"), "all");
	obs_property_list_add_string(p, T("FaceSwap.FaceMapping.Order"), "order");
	obs_property_list_add_string(p, T("FaceSwap.FaceMapping.Position"), "position");
	obs_property_list_add_string(p, T("FaceSwap.FaceMapping.Similarity"), "similarity");
	obs_property_set_long_description(p, T("FaceSwap.FaceMapping.Description"));
	p = obs_properties_add_text(props, "face_map", T("FaceSwap.FaceMap"), OBS_TEXT_DEFAULT);
	obs_property_set_long_description(p, T("FaceSwap.FaceMap.Description"));
	p = obs_properties_add_list(props, "swapper_model", T("FaceSwap.SwapperModel"), OBS_COMBO_TYPE_LIST,
				    OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(p, "inswapper_128 (fp32)", "inswapper-128");
	obs_property_list_add_string(p, "inswapper_128 (fp16)", "inswapper-128-fp16");
	obs_property_set_long_description(p, T("FaceSwap.SwapperModel.Description"));
	p = obs_properties_add_int_slider(props, "colour_correction", T("FaceSwap.ColourCorrection"), 0, 100, 1);
	obs_property_int_set_suffix(p, " %");
	obs_property_set_long_description(p, T("FaceSwap.ColourCorrection.Description"));
	p = obs_properties_add_int_slider(props, "swap_opacity", T("FaceSwap.SwapOpacity"), 0, 100, 1);
	obs_property_int_set_suffix(p, " %");

	p = obs_properties_add_list(props, "execution_provider", T("FaceSwap.ExecutionProvider"),
				    OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_STRING);
	for (size_t i = 0; i < sizeof(provider_names) / sizeof(provider_names[0]); i++)
		obs_property_list_add_string(p, T(provider_labels[i]), provider_names[i]);
	obs_property_set_long_description(p, T("FaceSwap.ExecutionProvider.Description"));
	return props;
}

void ofs_filter_update(void *data, obs_data_t *settings)
{
	struct ofs_filter *f = data;
	const char *mode = obs_data_get_string(settings, "mode");
	const char *format = obs_data_get_string(settings, "pixel_format");
	const char *host_path = obs_data_get_string(settings, "host_path");
	long long width = obs_data_get_int(settings, "analysis_width");
	long long depth = obs_data_get_int(settings, "queue_depth");
	width = width < 0 ? 0 : (width > OFS_MAX_WIDTH ? OFS_MAX_WIDTH : width);
	depth = depth < 1 ? 1 : (depth > 2 ? 2 : depth);
	const bool off = mode && strcmp(mode, "off") == 0;
	const bool privacy = mode && strcmp(mode, "privacy") == 0;
	const bool swap = mode && strcmp(mode, "swap") == 0;
	const bool nv12 = format && strcmp(format, "nv12") == 0;
	const char *style = obs_data_get_string(settings, "privacy_style");
	const uint32_t style_id = style && strcmp(style, "blur") == 0	  ? PRIVACY_BLUR
				  : style && strcmp(style, "solid") == 0 ? PRIVACY_SOLID
									 : PRIVACY_PIXELATE;
	static const char *const style_names[] = {"pixelate", "blur", "solid"};
	const char *shape = obs_data_get_string(settings, "privacy_shape");
	const bool box = shape && strcmp(shape, "box") == 0;
	const char *faces = obs_data_get_string(settings, "privacy_faces");
	long long intensity = obs_data_get_int(settings, "privacy_intensity");
	long long padding = obs_data_get_int(settings, "privacy_padding");
	const long long color = obs_data_get_int(settings, "privacy_color");
	long long interval = obs_data_get_int(settings, "detect_interval");
	const bool fail_closed = obs_data_get_bool(settings, "fail_closed");
	long long timeout = obs_data_get_int(settings, "fail_closed_timeout_ms");
	long long growth = obs_data_get_int(settings, "fail_closed_growth");
	const char *latency = obs_data_get_string(settings, "latency_mode");
	const bool live = latency && strcmp(latency, "live") == 0;
	long long delay = obs_data_get_int(settings, "sync_delay_frames");
	delay = delay < 0 ? 0 : (delay > OFS_SYNC_MAX_DELAY ? OFS_SYNC_MAX_DELAY : delay);
	const char *provider = obs_data_get_string(settings, "execution_provider");
	const char *provider_name = provider_names[0];
	for (size_t i = 0; provider && i < sizeof(provider_names) / sizeof(provider_names[0]); i++)
		if (strcmp(provider, provider_names[i]) == 0)
			provider_name = provider_names[i];
	intensity = intensity < 10 ? 10 : (intensity > 100 ? 100 : intensity);
	padding = padding < 0 ? 0 : (padding > 100 ? 100 : padding);
	interval = interval < 1 ? 1 : interval;
	timeout = timeout < 0 ? 0 : (timeout > 3600000 ? 3600000 : timeout);
	growth = growth < 0 ? 0 : (growth > 100000 ? 100000 : growth);

	struct ofs_fc_settings sel;
	memset(&sel, 0, sizeof(sel));
	ofs_fc_parse_faces(&sel, faces);
	atomic_fetch_add(&f->faces_seq, 1u); /* odd: writing */
	for (uint32_t i = 0; i < sel.selected_count; i++)
		atomic_store(&f->faces[i], sel.selected[i]);
	atomic_store(&f->faces_count, sel.selected_count);
	atomic_fetch_add(&f->faces_seq, 1u);

	atomic_store(&f->privacy_style, style_id);
	atomic_store(&f->privacy_intensity, (uint32_t)intensity);
	atomic_store(&f->privacy_ellipse, box ? 0u : 1u);
	atomic_store(&f->privacy_padding, (uint32_t)padding);
	atomic_store(&f->privacy_color, (uint32_t)color);
	atomic_store(&f->fail_closed, fail_closed);
	atomic_store(&f->fail_closed_timeout_ms, (uint32_t)timeout);
	atomic_store(&f->fail_closed_growth, (uint32_t)growth);
	atomic_store(&f->synced, !live);
	atomic_store(&f->sync_delay_frames, (uint32_t)delay);
	/* A new mode gets a new generation, stored before the mode: the render
	 * thread never takes a result of the old mode as one of the new. */
	const int new_mode = off ? OFS_MODE_OFF : privacy ? OFS_MODE_PRIVACY : swap ? OFS_MODE_SWAP : OFS_MODE_DIAGNOSTIC;
	if (new_mode != f->settings_mode || atomic_load(&f->mode_generation) == 0) {
		atomic_fetch_add(&f->mode_generation, 1u);
		f->settings_mode = new_mode;
	}
	atomic_store(&f->mode, off ? OFS_MODE_OFF
				   : privacy ? OFS_MODE_PRIVACY
				   : swap  ? OFS_MODE_SWAP
					   : OFS_MODE_DIAGNOSTIC);
	atomic_store(&f->analysis_width, (uint32_t)width);
	atomic_store(&f->pixel_format, nv12 ? (uint32_t)OFS_PIXEL_NV12 : (uint32_t)OFS_PIXEL_BGRA);
	atomic_store(&f->queue_depth, (uint32_t)depth);

	/* The host gets every key with its effective value (obs_data_get_json
	 * of the filter's own settings would leave out the defaults). */
	obs_data_t *effective = obs_data_create();
	obs_data_set_string(effective, "mode", off ? "off" : privacy ? "privacy" : swap ? "swap" : "diagnostic");
	obs_data_set_int(effective, "analysis_width", width);
	obs_data_set_string(effective, "pixel_format", nv12 ? "nv12" : "bgra");
	obs_data_set_int(effective, "queue_depth", depth);
	obs_data_set_string(effective, "host_path", host_path ? host_path : "");
	obs_data_set_string(effective, "privacy_style", style_names[style_id]);
	obs_data_set_int(effective, "privacy_intensity", intensity);
	obs_data_set_string(effective, "privacy_shape", box ? "box" : "ellipse");
	obs_data_set_int(effective, "privacy_padding", padding);
	obs_data_set_int(effective, "privacy_color", (long long)(uint32_t)color);
	obs_data_set_string(effective, "privacy_faces", faces ? faces : "");
	obs_data_set_int(effective, "detect_interval", interval);
	obs_data_set_bool(effective, "fail_closed", fail_closed);
	obs_data_set_int(effective, "fail_closed_timeout_ms", timeout);
	obs_data_set_int(effective, "fail_closed_growth", growth);
	obs_data_set_string(effective, "latency_mode", live ? "live" : "synced");
	obs_data_set_int(effective, "sync_delay_frames", delay);
	obs_data_set_string(effective, "execution_provider", provider_name);
	obs_data_set_int(effective, "mode_generation", (long long)atomic_load(&f->mode_generation));
	static const char *const swap_keys[] = {"identity_folder", "identity", "face_mapping", "face_map",
						"swapper_model", "embedder_model"};
	for (size_t i = 0; i < sizeof(swap_keys) / sizeof(swap_keys[0]); i++) {
		const char *v = obs_data_get_string(settings, swap_keys[i]);
		obs_data_set_string(effective, swap_keys[i], v ? v : "");
	}
	long long correction = obs_data_get_int(settings, "colour_correction");
	long long opacity = obs_data_get_int(settings, "swap_opacity");
	obs_data_set_int(effective, "colour_correction", correction < 0 ? 0 : (correction > 100 ? 100 : correction));
	obs_data_set_int(effective, "swap_opacity", opacity < 0 ? 0 : (opacity > 100 ? 100 : opacity));
	ofs_link_set_settings(f->link, obs_data_get_json(effective), host_path, obs_source_get_name(f->source));
	obs_data_release(effective);
}

/* ---- identities ------------------------------------------------------------ */

void ofs_filter_set_identity(obs_source_t *filter, const char *identity)
{
	obs_data_t *settings = obs_source_get_settings(filter);
	obs_data_set_string(settings, "identity", identity);
	obs_source_update(filter, settings);
	obs_data_release(settings);
}

/* Hotkey thread: "identity N" sets the filter's identity to "#N" (the N-th
 * identity of the folder, by name; the host resolves it). */
static void identity_hotkey(void *data, obs_hotkey_id id, obs_hotkey_t *hotkey, bool pressed)
{
	(void)hotkey;
	struct ofs_filter *f = data;
	if (!pressed)
		return;
	for (uint32_t i = 0; i < IDENTITY_HOTKEYS; i++) {
		if (f->identity_hotkeys[i] == id) {
			char value[8];
			snprintf(value, sizeof(value), "#%u", i + 1u);
			ofs_filter_set_identity(f->source, value);
		}
	}
}

static void register_hotkeys(struct ofs_filter *f)
{
	for (uint32_t i = 0; i < IDENTITY_HOTKEYS; i++) {
		char name[48], description[96];
		snprintf(name, sizeof(name), "obs_faceswap.identity.%u", i + 1u);
		snprintf(description, sizeof(description), "%s %u", T("FaceSwap.IdentityHotkey"), i + 1u);
		f->identity_hotkeys[i] = obs_hotkey_register_source(f->source, name, description, identity_hotkey, f);
	}
}

/* ---- lifetime ---------------------------------------------------------------- */

static void graphics_destroy(struct ofs_filter *f)
{
	obs_enter_graphics();
	stage_destroy(f);
	for (uint32_t i = 0; i < OFS_MAX_RESULT_ITEMS; i++) {
		gs_texture_destroy(f->patches[i].tex);
		f->patches[i].tex = NULL;
	}
	for (uint32_t i = 0; i < OFS_SYNC_FRAMES; i++) {
		gs_texrender_destroy(f->frame_tr[i]);
		f->frame_tr[i] = NULL;
	}
	gs_texrender_destroy(f->analysis_tr);
	gs_texrender_destroy(f->y_tr);
	gs_texrender_destroy(f->uv_tr);
	gs_texrender_destroy(f->blur_small_tr);
	gs_texrender_destroy(f->blur_tiny_tr);
	f->analysis_tr = f->y_tr = f->uv_tr = f->blur_small_tr = f->blur_tiny_tr = NULL;
	gs_effect_destroy(f->composite);
	gs_effect_destroy(f->convert);
	f->composite = f->convert = NULL;
	obs_leave_graphics();
}

static gs_effect_t *load_effect(const char *file)
{
	char *path = obs_module_file(file);
	if (!path) {
		ofs_log(LOG_ERROR, "effect file '%s' not found in the module's data", file);
		return NULL;
	}
	char *errors = NULL;
	obs_enter_graphics();
	gs_effect_t *effect = gs_effect_create_from_file(path, &errors);
	obs_leave_graphics();
	if (!effect)
		ofs_log(LOG_ERROR, "cannot load effect '%s': %s", path, errors ? errors : "(no details)");
	bfree(errors);
	bfree(path);
	return effect;
}

void *ofs_filter_create(obs_data_t *settings, obs_source_t *source)
{
	struct ofs_filter *f = bzalloc(sizeof(*f));
	f->source = source;
	atomic_init(&f->mode, OFS_MODE_DIAGNOSTIC);
	atomic_init(&f->analysis_width, 0);
	atomic_init(&f->pixel_format, OFS_PIXEL_BGRA);
	atomic_init(&f->queue_depth, 1);
	atomic_init(&f->fail_closed, true);
	atomic_init(&f->fail_closed_timeout_ms, 1000);
	atomic_init(&f->fail_closed_growth, 100);
	atomic_init(&f->synced, true);
	atomic_init(&f->mode_generation, 0);
	f->settings_mode = -1;
	f->drawn_slot = OFS_SYNC_NONE;
	atomic_init(&f->sync_delay_frames, 0);
	atomic_init(&f->privacy_intensity, 100);
	atomic_init(&f->privacy_ellipse, 1);
	atomic_init(&f->privacy_padding, 20);
	atomic_init(&f->privacy_color, 0xFF000000u);
	f->result_cap = OFS_DEFAULT_RESULT_SLOT_SIZE - OFS_SLOT_HEADER_SIZE;
	f->result_buf = bmalloc(f->result_cap);

	f->composite = load_effect("effects/face-composite.effect");
	f->convert = load_effect("effects/frame-convert.effect");
	obs_enter_graphics();
	if (f->composite) {
		f->composite_image = gs_effect_get_param_by_name(f->composite, "image");
		f->composite_opacity = gs_effect_get_param_by_name(f->composite, "opacity");
		f->p_region = gs_effect_get_param_by_name(f->composite, "region");
		f->p_source_size = gs_effect_get_param_by_name(f->composite, "source_size");
		f->p_ellipse = gs_effect_get_param_by_name(f->composite, "ellipse");
		f->p_cell = gs_effect_get_param_by_name(f->composite, "cell_size");
		f->p_blur = gs_effect_get_param_by_name(f->composite, "blur_radius");
		f->p_color = gs_effect_get_param_by_name(f->composite, "color");
		f->p_texel = gs_effect_get_param_by_name(f->composite, "texel");
		f->p_factor = gs_effect_get_param_by_name(f->composite, "factor");
		f->privacy_ok = f->composite_image && f->composite_opacity && f->p_region && f->p_source_size &&
				f->p_ellipse && f->p_cell && f->p_blur && f->p_color && f->p_texel && f->p_factor;
	}
	if (f->convert)
		f->convert_image = gs_effect_get_param_by_name(f->convert, "image");
	for (uint32_t i = 0; i < OFS_SYNC_FRAMES; i++)
		f->frame_tr[i] = gs_texrender_create(GS_BGRA, GS_ZS_NONE);
	f->analysis_tr = gs_texrender_create(GS_BGRA, GS_ZS_NONE);
	f->y_tr = gs_texrender_create(GS_R8, GS_ZS_NONE);
	f->uv_tr = gs_texrender_create(GS_R8G8, GS_ZS_NONE);
	f->blur_small_tr = gs_texrender_create(GS_BGRA, GS_ZS_NONE);
	f->blur_tiny_tr = gs_texrender_create(GS_BGRA, GS_ZS_NONE);
	obs_leave_graphics();
	if (!f->composite || !f->composite_image || !f->composite_opacity)
		ofs_log(LOG_WARNING, "'%s': composite effect unavailable, the filter passes the source through",
			obs_source_get_name(source));

	f->link = ofs_link_register(source, obs_source_get_name(source));
	register_hotkeys(f);
	ofs_filter_update(f, settings);
	return f;
}

void ofs_filter_destroy(void *data)
{
	struct ofs_filter *f = data;
	if (!f)
		return;
	struct ofs_render_summary s;
	ofs_render_stats_total(ofs_link_render_stats(f->link), &s);
	ofs_log(LOG_INFO, "'%s' destroyed: render %llu calls, mean %.1f us, p95 %.1f us, max %.1f us",
		obs_source_get_name(f->source), (unsigned long long)s.count, s.mean_us, s.p95_us, s.max_us);
	for (uint32_t i = 0; i < IDENTITY_HOTKEYS; i++)
		obs_hotkey_unregister(f->identity_hotkeys[i]);
	ofs_link_unregister(f->link); /* the link thread closes and frees the channels */
	f->link = NULL;
	graphics_destroy(f);
	for (uint32_t i = 0; i < OFS_SYNC_HISTORY; i++)
		bfree(f->kept[i].data);
	bfree(f->result_buf);
	bfree(f);
}

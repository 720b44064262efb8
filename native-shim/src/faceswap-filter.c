/*
 * The "Face Swap" filter (docs/shim.md):
 * - video_render draws the source through a texrender, composites the
 *   newest validated host result on the GPU, renders a downscaled analysis
 *   copy, stages it into a ring of stage surfaces and copies the one staged
 *   a frame earlier into the shared-memory channel (never waiting on the
 *   GPU or the host);
 * - with no host attached, or mode "off", the filter skips itself and OBS
 *   renders the source untouched.
 * No allocation, blocking or logging per frame: GPU objects are
 * (re)created only when a size changes.
 */
#include "faceswap-filter.h"

#include <stdatomic.h>
#include <string.h>

#include <graphics/matrix4.h>
#include <graphics/vec4.h>
#include <util/bmem.h>
#include <util/platform.h>

#include "host-link.h"
#include "ofs-channel.h"
#include "ofs-platform.h"
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
};

struct stage_entry {
	gs_stagesurf_t *plane0; /* BGRA, or NV12 Y (R8) */
	gs_stagesurf_t *plane1; /* NV12 UV (R8G8), else NULL */
	bool pending;
	uint64_t timestamp_ns;
	uint32_t source_width, source_height;
};

struct patch_texture {
	gs_texture_t *tex;
	uint32_t width, height;
};

struct ofs_filter {
	obs_source_t *source;
	struct ofs_link_client *link;

	/* Settings: written by update, read by tick and render. */
	atomic_int mode;
	_Atomic uint32_t analysis_width;
	_Atomic uint32_t pixel_format;
	_Atomic uint32_t queue_depth;

	/* Graphics objects (render thread; created/destroyed in the graphics context). */
	gs_effect_t *composite;
	gs_eparam_t *composite_image, *composite_opacity;
	gs_effect_t *convert;
	gs_eparam_t *convert_image;
	gs_texrender_t *source_tr, *analysis_tr, *y_tr, *uv_tr;
	struct stage_entry stage[STAGE_RING];
	uint32_t stage_width, stage_height, stage_format;
	uint64_t stage_seq;
	struct patch_texture patches[OFS_MAX_RESULT_ITEMS];

	/* Render thread state. */
	bool in_render;
	uint64_t last_frame_time;
	uint8_t *result_buf; /* private copy of one result (preallocated) */
	uint32_t result_cap;
	struct ofs_result_item items[OFS_MAX_RESULT_ITEMS];
	uint32_t item_count;
	uint32_t result_width, result_height;
	uint64_t result_time;
	bool have_result;
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

/* Renders the filter's target into source_tr at its base size, as libobs
 * does for filters that need the source as a texture. */
static bool render_target(struct ofs_filter *f, obs_source_t *target, obs_source_t *parent, uint32_t w, uint32_t h)
{
	gs_texrender_reset(f->source_tr);
	if (!gs_texrender_begin(f->source_tr, w, h))
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
	gs_texrender_end(f->source_tr);
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
	if (l0 >= row0 && (!nv12 || l1 >= info.width)) {
		struct ofs_frame_writer w;
		if (ofs_frame_begin(&ch->core, atomic_load(&f->queue_depth), &w) == OFS_OK) {
			copy_plane(w.data, info.stride, p0, l0, row0, info.height);
			if (nv12)
				copy_plane(w.data + info.uv_offset, info.uv_stride, p1, l1, info.width, info.height / 2u);
			if (ofs_frame_commit(&ch->core, &w, &info) == OFS_OK)
				ofs_shm_wake(ch->shm, ofs_channel_frame_seq(&ch->core));
		}
	}
	if (nv12)
		gs_stagesurface_unmap(e->plane1);
	gs_stagesurface_unmap(e->plane0);
}

static void analyze(struct ofs_filter *f, struct ofs_link_channel *ch, gs_texture_t *source_tex, uint32_t sw,
		    uint32_t sh, uint32_t aw, uint32_t ah, uint64_t frame_time)
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

/* Takes the newest READY result, if any; a rejected one keeps the previous. */
static void take_result(struct ofs_filter *f, struct ofs_link_channel *ch)
{
	struct ofs_result r;
	if (ofs_result_read(&ch->core, f->result_buf, f->result_cap, &r) != OFS_OK)
		return; /* none, or rejected (counted in the channel) */
	f->have_result = true;
	f->result_width = r.header.frame_width;
	f->result_height = r.header.frame_height;
	f->result_time = r.header.timestamp_ns;
	f->item_count = 0;
	if (r.header.status != OFS_RESULT_OK)
		return;
	for (uint32_t i = 0; i < r.header.item_count; i++) {
		const struct ofs_result_item *it = &r.items[i];
		if (it->kind == OFS_ITEM_PATCH && !upload_patch(f, f->item_count, it, r.payload))
			continue;
		f->items[f->item_count++] = *it;
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

/* Composites the held result over the output: each patch through its
 * affine transform (analysis -> source scale), alpha = mask * opacity,
 * straight-alpha blending. */
static void composite(struct ofs_filter *f, uint32_t w, uint32_t h)
{
	if (!f->have_result || f->item_count == 0 || !f->result_width || !f->result_height)
		return;
	const uint64_t now = obs_get_video_frame_time();
	if (now > f->result_time && now - f->result_time > RESULT_HOLD_NS) {
		f->have_result = false;
		return;
	}
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

/* No host: forget what the pipeline held, so nothing stale is drawn or sent
 * when a host attaches again. */
static void reset_pipeline(struct ofs_filter *f)
{
	for (uint32_t i = 0; i < STAGE_RING; i++)
		f->stage[i].pending = false;
	f->have_result = false;
	f->item_count = 0;
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
	if (!attached || atomic_load(&f->mode) == OFS_MODE_OFF)
		reset_pipeline(f);
	if (!target || !parent || !w || !h || f->in_render || !f->composite || !f->source_tr || !attached ||
	    atomic_load(&f->mode) == OFS_MODE_OFF) {
		obs_source_skip_video_filter(f->source);
		return;
	}

	f->in_render = true;
	if (!render_target(f, target, parent, w, h)) {
		f->in_render = false;
		obs_source_skip_video_filter(f->source);
		return;
	}
	gs_texture_t *tex = gs_texrender_get_texture(f->source_tr);
	draw_source(tex, w, h);
	take_result(f, ch);
	composite(f, w, h);

	/* One analysis frame per OBS frame, even if the source is drawn twice. */
	const uint64_t frame_time = obs_get_video_frame_time();
	uint32_t aw, ah;
	if (frame_time != f->last_frame_time && analysis_size(atomic_load(&f->analysis_width), w, h, &aw, &ah)) {
		f->last_frame_time = frame_time;
		analyze(f, ch, tex, w, h, aw, ah, frame_time);
	}
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
}

obs_properties_t *ofs_filter_get_properties(void *data)
{
	(void)data;
	obs_properties_t *props = obs_properties_create();
	obs_property_t *p = obs_properties_add_list(props, "mode", T("FaceSwap.Mode"), OBS_COMBO_TYPE_LIST,
						    OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(p, T("FaceSwap.Mode.Diagnostic"), "diagnostic");
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
	const bool nv12 = format && strcmp(format, "nv12") == 0;

	atomic_store(&f->mode, off ? OFS_MODE_OFF : OFS_MODE_DIAGNOSTIC);
	atomic_store(&f->analysis_width, (uint32_t)width);
	atomic_store(&f->pixel_format, nv12 ? (uint32_t)OFS_PIXEL_NV12 : (uint32_t)OFS_PIXEL_BGRA);
	atomic_store(&f->queue_depth, (uint32_t)depth);

	/* The host gets every key with its effective value (obs_data_get_json
	 * of the filter's own settings would leave out the defaults). */
	obs_data_t *effective = obs_data_create();
	obs_data_set_string(effective, "mode", off ? "off" : "diagnostic");
	obs_data_set_int(effective, "analysis_width", width);
	obs_data_set_string(effective, "pixel_format", nv12 ? "nv12" : "bgra");
	obs_data_set_int(effective, "queue_depth", depth);
	obs_data_set_string(effective, "host_path", host_path ? host_path : "");
	ofs_link_set_settings(f->link, obs_data_get_json(effective), host_path, obs_source_get_name(f->source));
	obs_data_release(effective);
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
	gs_texrender_destroy(f->source_tr);
	gs_texrender_destroy(f->analysis_tr);
	gs_texrender_destroy(f->y_tr);
	gs_texrender_destroy(f->uv_tr);
	f->source_tr = f->analysis_tr = f->y_tr = f->uv_tr = NULL;
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
	f->result_cap = OFS_DEFAULT_RESULT_SLOT_SIZE - OFS_SLOT_HEADER_SIZE;
	f->result_buf = bmalloc(f->result_cap);

	f->composite = load_effect("effects/face-composite.effect");
	f->convert = load_effect("effects/frame-convert.effect");
	obs_enter_graphics();
	if (f->composite) {
		f->composite_image = gs_effect_get_param_by_name(f->composite, "image");
		f->composite_opacity = gs_effect_get_param_by_name(f->composite, "opacity");
	}
	if (f->convert)
		f->convert_image = gs_effect_get_param_by_name(f->convert, "image");
	f->source_tr = gs_texrender_create(GS_BGRA, GS_ZS_NONE);
	f->analysis_tr = gs_texrender_create(GS_BGRA, GS_ZS_NONE);
	f->y_tr = gs_texrender_create(GS_R8, GS_ZS_NONE);
	f->uv_tr = gs_texrender_create(GS_R8G8, GS_ZS_NONE);
	obs_leave_graphics();
	if (!f->composite || !f->composite_image || !f->composite_opacity)
		ofs_log(LOG_WARNING, "'%s': composite effect unavailable, the filter passes the source through",
			obs_source_get_name(source));

	f->link = ofs_link_register(source, obs_source_get_name(source));
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
	ofs_link_unregister(f->link); /* the link thread closes and frees the channels */
	f->link = NULL;
	graphics_destroy(f);
	bfree(f->result_buf);
	bfree(f);
}

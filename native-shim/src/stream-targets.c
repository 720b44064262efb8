/*
 * Stream targets: one obs_output per target ("rtmp_output" for rtmp/rtmps,
 * "ffmpeg_mpegts_muxer" for srt, as OBS 29's own frontend picks), with a
 * private "rtmp_custom" service (server + key) and either the main stream's
 * encoders ("shared") or its own x264 + AAC encoders.
 *
 * Threads and locks:
 * - obs-websocket's thread (vendor requests) and the UI thread (frontend
 *   events) only validate, edit the registry and set flags: they never call
 *   into an output, so a target that blocks (a connect that hangs, a peer
 *   that stops reading) cannot block them.
 * - Each target has its own control thread, the only thread that creates,
 *   starts, stops and releases that target's OBS objects; it also samples the
 *   output's counters once a second into atomics for ListStreamTargets and,
 *   for a target with its own encoders, adapts the video bitrate to the
 *   output's congestion (read every 250 ms; rule: ofs_abr_* in ofs-targets.c).
 *   A stalled target blocks at most its own control thread.
 * - Output signals ("start", "stop", "reconnect", "reconnect_success") arrive
 *   on libobs's output threads: they update atomics, the target's error text
 *   (its mutex, never held across a call into OBS) and emit the vendor event.
 * - Locks: registry_mutex (the list) may be taken before a target's mutex,
 *   never the other way; neither is held across a call into OBS or
 *   obs-websocket.
 * Data never waits on a target: each rtmp_output queues packets and has its
 * own send thread, dropping non-key frames once its queue holds more than
 * 700 ms (b-frames) / 900 ms (p-frames) (rtmp-stream.c check_to_drop_frames),
 * so a stalled peer costs that target's frames only, not the encoders.
 */
#include "stream-targets.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <callback/calldata.h>
#include <callback/signal.h>
#include <obs-frontend-api.h>
#include <obs-module.h>
#include <util/bmem.h>
#include <util/platform.h>
#include <util/threading.h>

#include "ofs-targets.h"
#include "plugin-log.h"

enum target_state { ST_STOPPED, ST_STARTING, ST_ACTIVE, ST_RECONNECTING, ST_ERROR };

static const char *state_name(long state)
{
	switch (state) {
	case ST_STOPPED:
		return "stopped";
	case ST_STARTING:
		return "starting";
	case ST_ACTIVE:
		return "active";
	case ST_RECONNECTING:
		return "reconnecting";
	default:
		return "error";
	}
}

/* libobs's own reconnect after a drop: 2 s, then x1.5 per try (libobs adds
 * the backoff), 10 tries. After libobs gives up, or when a start fails
 * before the first connect, the control thread retries: 2 s doubling to
 * 30 s, 10 tries, then the target is in state error. */
#define OBS_RECONNECT_RETRIES 10
#define OBS_RECONNECT_DELAY_SEC 2
#define RETRY_FIRST_MS 2000
#define RETRY_MAX_MS 30000
#define RETRY_LIMIT 10
#define SAMPLE_MS 1000
#define POLL_MS 250 /* congestion is read this often; the counters once per SAMPLE_MS */
#define STOP_WAIT_MS 5000

struct target {
	struct ofs_target_config cfg; /* immutable once registered */
	long refs;                    /* os_atomic */
	struct target *predecessor;   /* the target this one replaced (a reference), until it is gone */

	pthread_mutex_t mutex; /* the fields below up to last_error */
	bool want_active;
	bool kick; /* retry a target in state error */
	bool removed;
	char last_error[256];
	uint64_t retry_at_ns; /* when the control thread retries a failed start */

	os_event_t *wake;
	pthread_t thread;
	bool thread_started;
	long thread_done; /* os_atomic */

	/* Read by any thread, written by the control thread and signals. */
	long state;          /* enum target_state */
	long reconnects;     /* reconnect attempts, libobs's and ours */
	long bitrate_kbps;   /* over the last sample */
	long dropped_frames; /* obs_output_get_frames_dropped */
	long total_frames;   /* obs_output_get_total_frames */
	long retry_count;    /* consecutive failed starts */
	long adapted_kbps;   /* own encoders: the video encoder's bitrate now; 0 for shared */
	long congestion_pm;  /* the highest obs_output_get_congestion over the last sample, per mille */

	/* Control thread only (signals read output through calldata). */
	uint64_t stop_requested_ns; /* obs_output_stop called (once: another call moves a muxer's stop point) */
	obs_output_t *output;
	obs_service_t *service;
	obs_encoder_t *venc, *aenc; /* own encoders, or refs to the shared ones */
	uint64_t last_bytes, last_sample_ns;
	struct ofs_abr abr;      /* own encoders only */
	float window_congestion; /* the highest congestion read since the last sample */
};

static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct target *registry[OFS_TARGETS_MAX];
static size_t registry_count;
static long shutting_down; /* os_atomic */
static bool initialised;
static bool frontend_hooked;
static void frontend_event(enum obs_frontend_event event, void *param);
static char *store_path; /* bmalloc'd */
/* Set once from obs_module_post_load while control threads may already run
 * (targets loaded at module load): release/acquire, so that what the sink
 * reads (obs-websocket's handler) is visible with it. */
typedef void (*event_sink_fn)(const char *event_type, obs_data_t *data);
static _Atomic(event_sink_fn) event_sink;

void ofs_targets_set_event_sink(void (*emit)(const char *event_type, obs_data_t *data))
{
	atomic_store_explicit(&event_sink, emit, memory_order_release);
}

/* --- targets: lifetime, state, events ------------------------------------ */

static void target_ref(struct target *t)
{
	os_atomic_inc_long(&t->refs);
}

static void target_unref(struct target *t)
{
	if (os_atomic_dec_long(&t->refs) != 0)
		return;
	pthread_mutex_destroy(&t->mutex);
	if (t->wake)
		os_event_destroy(t->wake);
	/* The key lives in cfg: wipe it. */
	volatile char *k = t->cfg.key;
	for (size_t i = 0; i < sizeof(t->cfg.key); i++)
		k[i] = 0;
	bfree(t);
}

static void wake(struct target *t)
{
	os_event_signal(t->wake);
}

static void set_error(struct target *t, const char *format, ...) OFS_PRINTF(2, 3);
static void set_error(struct target *t, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	pthread_mutex_lock(&t->mutex);
	vsnprintf(t->last_error, sizeof(t->last_error), format, args);
	pthread_mutex_unlock(&t->mutex);
	va_end(args);
}

/* Sets the state and, if it changed (or always), emits
 * StreamTargetStateChanged {name, state, reconnects, error?}. */
static void set_state(struct target *t, enum target_state state, bool emit_always)
{
	long old = os_atomic_set_long(&t->state, state);
	if (old == (long)state && !emit_always)
		return;
	char error[256];
	pthread_mutex_lock(&t->mutex);
	snprintf(error, sizeof(error), "%s", t->last_error);
	pthread_mutex_unlock(&t->mutex);
	ofs_log(LOG_INFO, "stream target '%s': %s -> %s%s%s", t->cfg.name, state_name(old), state_name(state),
		(state == ST_ERROR || state == ST_RECONNECTING) && error[0] ? ": " : "",
		(state == ST_ERROR || state == ST_RECONNECTING) ? error : "");
	const event_sink_fn emit = atomic_load_explicit(&event_sink, memory_order_acquire);
	if (!emit || os_atomic_load_long(&shutting_down))
		return;
	obs_data_t *data = obs_data_create();
	obs_data_set_string(data, "name", t->cfg.name);
	obs_data_set_string(data, "state", state_name(state));
	obs_data_set_int(data, "reconnects", os_atomic_load_long(&t->reconnects));
	if ((state == ST_ERROR || state == ST_RECONNECTING) && error[0])
		obs_data_set_string(data, "error", error);
	emit("StreamTargetStateChanged", data);
	obs_data_release(data);
}

static const char *stop_code_text(long long code)
{
	switch (code) {
	case OBS_OUTPUT_BAD_PATH:
		return "bad server URL";
	case OBS_OUTPUT_CONNECT_FAILED:
		return "could not connect to the server";
	case OBS_OUTPUT_INVALID_STREAM:
		return "the server refused the stream (check the key)";
	case OBS_OUTPUT_DISCONNECTED:
		return "disconnected";
	case OBS_OUTPUT_UNSUPPORTED:
		return "unsupported by the server or the encoders";
	case OBS_OUTPUT_ENCODE_ERROR:
		return "encoder error";
	default:
		return "output error";
	}
}

/* --- output signals (libobs's output threads) ---------------------------- */

static void on_active(void *param, calldata_t *cd)
{
	(void)cd;
	struct target *t = param;
	os_atomic_set_long(&t->retry_count, 0);
	set_state(t, ST_ACTIVE, false);
}

static void on_reconnect(void *param, calldata_t *cd)
{
	(void)cd;
	struct target *t = param;
	const long n = os_atomic_inc_long(&t->reconnects);
	set_error(t, "disconnected; reconnecting (attempt %ld)", n);
	set_state(t, ST_RECONNECTING, true);
}

static void on_stop(void *param, calldata_t *cd)
{
	struct target *t = param;
	const long long code = calldata_int(cd, "code");
	if (code == OBS_OUTPUT_SUCCESS) {
		set_state(t, ST_STOPPED, false);
		wake(t);
		return;
	}
	obs_output_t *output = calldata_ptr(cd, "output");
	const char *detail = output ? obs_output_get_last_error(output) : NULL;
	const long tries = os_atomic_load_long(&t->retry_count);
	uint64_t delay_ms = RETRY_FIRST_MS;
	for (long i = 0; i < tries && delay_ms < RETRY_MAX_MS; i++)
		delay_ms *= 2;
	if (delay_ms > RETRY_MAX_MS)
		delay_ms = RETRY_MAX_MS;
	pthread_mutex_lock(&t->mutex);
	const bool want = t->want_active && !t->removed;
	t->retry_at_ns = os_gettime_ns() + delay_ms * 1000000ULL;
	pthread_mutex_unlock(&t->mutex);
	if (want && tries < RETRY_LIMIT) {
		set_error(t, "%s (code %lld)%s%s; retrying in %llu ms", stop_code_text(code), code,
			  detail && *detail ? ": " : "", detail && *detail ? detail : "",
			  (unsigned long long)delay_ms);
		set_state(t, ST_RECONNECTING, true);
	} else {
		set_error(t, "%s (code %lld)%s%s%s", stop_code_text(code), code, detail && *detail ? ": " : "",
			  detail && *detail ? detail : "", want ? "; gave up after repeated failures" : "");
		set_state(t, ST_ERROR, true);
	}
	wake(t);
}

/* --- OBS objects (control thread) ----------------------------------------- */

static void release_encoders(struct target *t)
{
	if (t->output && !obs_output_active(t->output)) {
		obs_output_set_video_encoder(t->output, NULL);
		obs_output_set_audio_encoder(t->output, NULL, 0);
	}
	obs_encoder_release(t->venc);
	obs_encoder_release(t->aenc);
	t->venc = t->aenc = NULL;
}

/* The main stream's encoders, each with a reference of ours: the frontend's
 * streaming output's if it has them, else the frontend's encoders by the
 * names OBS 29 gives them (simple and advanced output mode), which exist
 * before the main stream first starts. */
static bool find_shared_encoders(obs_encoder_t **venc, obs_encoder_t **aenc)
{
	*venc = *aenc = NULL;
	obs_output_t *main_output = obs_frontend_get_streaming_output();
	if (main_output) {
		obs_encoder_t *v = obs_output_get_video_encoder(main_output);
		obs_encoder_t *a = obs_output_get_audio_encoder(main_output, 0);
		*venc = v ? obs_encoder_get_ref(v) : NULL;
		*aenc = a ? obs_encoder_get_ref(a) : NULL;
		obs_output_release(main_output);
	}
	static const char *const video_names[] = {"advanced_video_stream", "simple_video_stream"};
	static const char *const audio_names[] = {"adv_stream_audio", "adv_stream_aac", "simple_aac"};
	for (size_t i = 0; !*venc && i < sizeof(video_names) / sizeof(video_names[0]); i++)
		*venc = obs_get_encoder_by_name(video_names[i]);
	for (size_t i = 0; !*aenc && i < sizeof(audio_names) / sizeof(audio_names[0]); i++)
		*aenc = obs_get_encoder_by_name(audio_names[i]);
	if (*venc && *aenc)
		return true;
	obs_encoder_release(*venc);
	obs_encoder_release(*aenc);
	*venc = *aenc = NULL;
	return false;
}

static bool create_own_encoders(struct target *t)
{
	const struct ofs_target_encoder *e = &t->cfg.encoder;
	char name[OFS_TARGET_NAME_MAX + 48];
	obs_data_t *vs = obs_data_create();
	obs_data_set_string(vs, "rate_control", "CBR");
	obs_data_set_int(vs, "bitrate", e->bitrate_kbps);
	obs_data_set_int(vs, "keyint_sec", e->keyint_sec);
	obs_data_set_string(vs, "preset", "veryfast");
	obs_data_set_string(vs, "profile", "main");
	snprintf(name, sizeof(name), "obs-faceswap target %s video", t->cfg.name);
	t->venc = obs_video_encoder_create("obs_x264", name, vs, NULL);
	obs_data_release(vs);
	obs_data_t *as = obs_data_create();
	obs_data_set_int(as, "bitrate", e->audio_bitrate_kbps);
	snprintf(name, sizeof(name), "obs-faceswap target %s audio", t->cfg.name);
	t->aenc = obs_audio_encoder_create("ffmpeg_aac", name, as, 0, NULL);
	obs_data_release(as);
	if (!t->venc || !t->aenc) {
		set_error(t, "could not create the encoders (obs_x264 %s, ffmpeg_aac %s)", t->venc ? "ok" : "failed",
			  t->aenc ? "ok" : "failed");
		release_encoders(t);
		return false;
	}
	obs_encoder_set_scaled_size(t->venc, (uint32_t)e->width, (uint32_t)e->height);
	obs_encoder_set_video(t->venc, obs_get_video());
	obs_encoder_set_audio(t->aenc, obs_get_audio());
	return true;
}

/* Attaches encoders before each start (shared ones are looked up again: the
 * frontend may have recreated them since). */
static bool attach_encoders(struct target *t)
{
	if (t->cfg.encoder.shared) {
		release_encoders(t);
		if (!find_shared_encoders(&t->venc, &t->aenc)) {
			set_error(t, "encoder shared: the main stream's encoders were not found "
				     "(start the main stream once, or give this target its own encoder)");
			return false;
		}
		/* Before the main stream first starts, the frontend may not have
		 * given its encoders video/audio yet. */
		if (!obs_encoder_video(t->venc) && !obs_encoder_active(t->venc))
			obs_encoder_set_video(t->venc, obs_get_video());
		if (!obs_encoder_audio(t->aenc) && !obs_encoder_active(t->aenc))
			obs_encoder_set_audio(t->aenc, obs_get_audio());
	} else if (!t->venc && !create_own_encoders(t)) {
		return false;
	}
	obs_output_set_video_encoder(t->output, t->venc);
	obs_output_set_audio_encoder(t->output, t->aenc, 0);
	return true;
}

/* Shared encoders carry the profile's settings, which this target does not
 * choose: check them against the platform's limits and keep a warning in
 * lastError (the target still starts; the platform may refuse or degrade
 * the stream). Before the main stream (or a recording using the stream
 * encoder) first starts, OBS's frontend has not applied the profile yet and
 * the encoders have their defaults (x264: 2500 kbps, keyint 250 frames). */
static void check_shared_limits(struct target *t)
{
	const struct ofs_platform_limits *lim = ofs_platform_limits(t->cfg.platform);
	obs_data_t *vs = obs_encoder_get_settings(t->venc);
	const long long kbps = obs_data_get_int(vs, "bitrate");
	const long long keyint = obs_data_get_int(vs, "keyint_sec");
	const char *opts = obs_data_get_string(vs, "x264opts");
	const bool keyint_in_opts = opts && strstr(opts, "keyint=") != NULL;
	const uint32_t w = obs_encoder_get_width(t->venc), h = obs_encoder_get_height(t->venc);
	const uint32_t longer = w > h ? w : h, shorter = w > h ? h : w;
	char warning[200] = "";
	if (lim->max_video_kbps && kbps > lim->max_video_kbps)
		snprintf(warning, sizeof(warning), "bitrate %lld kbps exceeds %s's maximum of %d kbps", kbps, lim->name,
			 lim->max_video_kbps);
	else if (lim->max_keyint_sec && keyint > lim->max_keyint_sec)
		snprintf(warning, sizeof(warning), "keyframe interval %lld s exceeds %s's %d s", keyint, lim->name,
			 lim->max_keyint_sec);
	else if (lim->max_keyint_sec && keyint == 0 && !keyint_in_opts)
		snprintf(warning, sizeof(warning),
			 "keyframe interval automatic (x264: up to 250 frames), %s needs at most %d s; set it in "
			 "OBS's output settings (applied when the main stream starts) or give this target its own encoder",
			 lim->name, lim->max_keyint_sec);
	else if (lim->max_long_side && (longer > (uint32_t)lim->max_long_side || shorter > (uint32_t)lim->max_short_side))
		snprintf(warning, sizeof(warning), "%ux%u exceeds %s's maximum of %dx%d", w, h, lim->name,
			 lim->max_long_side, lim->max_short_side);
	obs_data_release(vs);
	if (!warning[0])
		return;
	set_error(t, "warning: shared encoder: %s", warning);
	ofs_log(LOG_WARNING, "stream target '%s': shared encoder: %s", t->cfg.name, warning);
}

static bool create_objects(struct target *t)
{
	enum ofs_protocol protocol = OFS_PROTOCOL_RTMP;
	ofs_protocol_of_url(t->cfg.server, &protocol);
	const char *output_id = protocol == OFS_PROTOCOL_SRT ? "ffmpeg_mpegts_muxer" : "rtmp_output";

	obs_data_t *ss = obs_data_create();
	obs_data_set_string(ss, "server", t->cfg.server);
	obs_data_set_string(ss, "key", t->cfg.key);
	char name[OFS_TARGET_NAME_MAX + 48];
	snprintf(name, sizeof(name), "obs-faceswap target %s", t->cfg.name);
	/* Private: not listed, not saved with the profile or the collection. */
	t->service = obs_service_create_private("rtmp_custom", name, ss);
	obs_data_release(ss);
	if (!t->service) {
		set_error(t, "could not create the rtmp_custom service");
		return false;
	}

	obs_data_t *os = obs_data_create();
	/* Dynamic bitrate changes the encoder's bitrate: with shared encoders
	 * one congested target would lower the main stream's and every other
	 * target's quality, and with it on rtmp_output stops dropping frames
	 * (its queue then grows while the peer is stalled). Off. */
	if (protocol != OFS_PROTOCOL_SRT)
		obs_data_set_bool(os, "dyn_bitrate", false);
	t->output = obs_output_create(output_id, name, os, NULL);
	obs_data_release(os);
	if (!t->output) {
		set_error(t, "could not create a %s output%s", output_id,
			  protocol == OFS_PROTOCOL_SRT ? " (SRT needs obs-ffmpeg's mpegts muxer)" : "");
		return false;
	}
	obs_output_set_service(t->output, t->service);
	obs_output_set_reconnect_settings(t->output, OBS_RECONNECT_RETRIES, OBS_RECONNECT_DELAY_SEC);
	signal_handler_t *sh = obs_output_get_signal_handler(t->output);
	signal_handler_connect(sh, "start", on_active, t);
	signal_handler_connect(sh, "reconnect_success", on_active, t);
	signal_handler_connect(sh, "reconnect", on_reconnect, t);
	signal_handler_connect(sh, "stop", on_stop, t);
	return true;
}

static void destroy_objects(struct target *t)
{
	if (t->output) {
		if (obs_output_active(t->output) || obs_output_reconnecting(t->output)) {
			obs_output_stop(t->output);
			/* Bounded wait for a clean stop, then force it. */
			for (int i = 0; i < STOP_WAIT_MS / 50 && obs_output_active(t->output); i++)
				os_sleep_ms(50);
			if (obs_output_active(t->output))
				obs_output_force_stop(t->output);
		}
		signal_handler_t *sh = obs_output_get_signal_handler(t->output);
		signal_handler_disconnect(sh, "start", on_active, t);
		signal_handler_disconnect(sh, "reconnect_success", on_active, t);
		signal_handler_disconnect(sh, "reconnect", on_reconnect, t);
		signal_handler_disconnect(sh, "stop", on_stop, t);
	}
	release_encoders(t);
	obs_output_release(t->output);
	obs_service_release(t->service);
	t->output = NULL;
	t->service = NULL;
}

static void start_output(struct target *t)
{
	if (!t->output) {
		set_state(t, ST_ERROR, true);
		return;
	}
	if (!attach_encoders(t)) {
		set_state(t, ST_ERROR, true);
		return;
	}
	if (t->cfg.encoder.shared)
		check_shared_limits(t);
	set_state(t, ST_STARTING, false);
	if (!obs_output_start(t->output)) {
		const char *detail = obs_output_get_last_error(t->output);
		set_error(t, "the output did not start%s%s", detail && *detail ? ": " : "",
			  detail && *detail ? detail : "");
		set_state(t, ST_ERROR, true);
	}
}

/* Emits StreamTargetBitrateChanged {name, adaptedBitrateKbps,
 * configuredBitrateKbps, congestion}. */
static void emit_bitrate_changed(struct target *t, long kbps, double congestion)
{
	const event_sink_fn emit = atomic_load_explicit(&event_sink, memory_order_acquire);
	if (!emit || os_atomic_load_long(&shutting_down))
		return;
	obs_data_t *data = obs_data_create();
	obs_data_set_string(data, "name", t->cfg.name);
	obs_data_set_int(data, "adaptedBitrateKbps", kbps);
	obs_data_set_int(data, "configuredBitrateKbps", t->cfg.encoder.bitrate_kbps);
	obs_data_set_double(data, "congestion", congestion);
	emit("StreamTargetBitrateChanged", data);
	obs_data_release(data);
}

/* Sets the own video encoder's bitrate (x264 reconfigures while encoding,
 * as rtmp_output's dynamic bitrate does). */
static void apply_bitrate(struct target *t, int kbps, double congestion)
{
	const long old = os_atomic_set_long(&t->adapted_kbps, kbps);
	if (old == kbps || !t->venc)
		return;
	obs_data_t *vs = obs_data_create();
	obs_data_set_int(vs, "bitrate", kbps);
	obs_encoder_update(t->venc, vs);
	obs_data_release(vs);
	ofs_log(LOG_INFO, "stream target '%s': congestion %.2f: video bitrate %ld -> %d kbps (configured %d)",
		t->cfg.name, congestion, old, kbps, t->cfg.encoder.bitrate_kbps);
	emit_bitrate_changed(t, kbps, congestion);
}

/* Adaptive bitrate, own encoders only (a shared encoder's bitrate is the
 * main stream's and every other target's): one sample a second while the
 * output is active, the highest congestion read in that second (1 if the
 * output dropped frames in it: rtmp_output's congestion falls back as soon
 * as dropping has emptied its queue); back to the configured bitrate when
 * the output is not active. */
static void adapt(struct target *t, double congestion, bool dropped)
{
	const bool active = obs_output_active(t->output) && !obs_output_reconnecting(t->output) &&
			    os_atomic_load_long(&t->state) == ST_ACTIVE;
	if (!active) {
		os_atomic_set_long(&t->congestion_pm, 0);
		if (t->abr.current_kbps != t->abr.configured_kbps) {
			ofs_abr_reset(&t->abr);
			apply_bitrate(t, t->abr.current_kbps, 0.0);
		}
		return;
	}
	os_atomic_set_long(&t->congestion_pm, (long)(congestion * 1000.0 + 0.5));
	if (t->cfg.encoder.shared || !t->venc)
		return;
	if (dropped)
		congestion = 1.0;
	apply_bitrate(t, ofs_abr_sample(&t->abr, congestion), congestion);
}

static void sample(struct target *t)
{
	const uint64_t now = os_gettime_ns();
	if (!t->output)
		return;
	const float congestion = obs_output_get_congestion(t->output);
	if (congestion > t->window_congestion)
		t->window_congestion = congestion;
	if (t->last_sample_ns && now - t->last_sample_ns < (SAMPLE_MS - POLL_MS / 2) * 1000000ULL)
		return;
	const uint64_t bytes = obs_output_get_total_bytes(t->output);
	if (t->last_sample_ns && now > t->last_sample_ns) {
		const uint64_t delta = bytes >= t->last_bytes ? bytes - t->last_bytes : 0;
		const double kbps = (double)delta * 8.0 / ((double)(now - t->last_sample_ns) / 1e9) / 1000.0;
		os_atomic_set_long(&t->bitrate_kbps, obs_output_active(t->output) ? (long)(kbps + 0.5) : 0);
	}
	t->last_bytes = bytes;
	t->last_sample_ns = now;
	const long dropped = obs_output_get_frames_dropped(t->output);
	const long dropped_before = os_atomic_set_long(&t->dropped_frames, dropped);
	os_atomic_set_long(&t->total_frames, obs_output_get_total_frames(t->output));
	adapt(t, t->window_congestion, dropped > dropped_before);
	t->window_congestion = 0.0f;
}

/* Brings the output to the wanted state. */
static void reconcile(struct target *t, bool want, bool kick, uint64_t retry_at_ns)
{
	const long state = os_atomic_load_long(&t->state);
	const bool running = t->output && (obs_output_active(t->output) || obs_output_reconnecting(t->output));
	if (!running && state != ST_STARTING)
		t->stop_requested_ns = 0;
	if (want) {
		if (state == ST_STOPPED || (state == ST_ERROR && kick)) {
			os_atomic_set_long(&t->retry_count, 0);
			start_output(t);
		} else if (state == ST_RECONNECTING && !running && os_gettime_ns() >= retry_at_ns) {
			os_atomic_inc_long(&t->retry_count);
			os_atomic_inc_long(&t->reconnects);
			start_output(t);
		}
	} else if (running || state == ST_STARTING) {
		/* Stop once; an output that has not stopped within STOP_WAIT_MS
		 * (a muxer waiting on a peer) is forced to. */
		const uint64_t now = os_gettime_ns();
		if (!t->stop_requested_ns) {
			t->stop_requested_ns = now;
			obs_output_stop(t->output);
		} else if (now - t->stop_requested_ns > STOP_WAIT_MS * 1000000ULL && running) {
			ofs_log(LOG_WARNING, "stream target '%s' did not stop within %d ms: forcing it", t->cfg.name,
				STOP_WAIT_MS);
			obs_output_force_stop(t->output);
			t->stop_requested_ns = now;
		}
	} else if (state != ST_STOPPED) {
		set_state(t, ST_STOPPED, false);
	}
}

static void *target_thread(void *param)
{
	struct target *t = param;
	os_set_thread_name("obs-faceswap: stream target");
	/* A replaced target with the same name (and key) stops first, so that
	 * the platform does not see two publishers (bounded: 10 s). */
	if (t->predecessor) {
		for (int i = 0; i < 500 && !os_atomic_load_long(&t->predecessor->thread_done); i++)
			os_sleep_ms(20);
		target_unref(t->predecessor);
		t->predecessor = NULL;
	}
	if (!create_objects(t))
		set_state(t, ST_ERROR, true);
	for (;;) {
		pthread_mutex_lock(&t->mutex);
		const bool removed = t->removed, want = t->want_active, kick = t->kick;
		const uint64_t retry_at_ns = t->retry_at_ns;
		t->kick = false;
		pthread_mutex_unlock(&t->mutex);
		if (removed)
			break;
		reconcile(t, want, kick, retry_at_ns);
		sample(t);
		os_event_timedwait(t->wake, POLL_MS);
	}
	destroy_objects(t);
	os_atomic_set_long(&t->thread_done, 1);
	return NULL;
}

static struct target *target_create(const struct ofs_target_config *cfg, bool want_active, struct target *predecessor)
{
	struct target *t = bzalloc(sizeof(*t));
	t->cfg = *cfg;
	t->refs = 1; /* the registry's */
	t->want_active = want_active;
	t->state = ST_STOPPED;
	if (!cfg->encoder.shared) {
		ofs_abr_init(&t->abr, cfg->encoder.bitrate_kbps);
		t->adapted_kbps = cfg->encoder.bitrate_kbps;
	}
	if (pthread_mutex_init(&t->mutex, NULL) != 0 || os_event_init(&t->wake, OS_EVENT_TYPE_AUTO) != 0) {
		bfree(t);
		return NULL;
	}
	if (predecessor) {
		target_ref(predecessor);
		t->predecessor = predecessor;
	}
	target_ref(t); /* the control thread's, released by whoever joins it */
	if (pthread_create(&t->thread, NULL, target_thread, t) != 0) {
		os_atomic_dec_long(&t->refs);
		snprintf(t->last_error, sizeof(t->last_error), "could not start the target's control thread");
		t->state = ST_ERROR;
		t->thread_done = 1;
	} else {
		t->thread_started = true;
	}
	return t;
}

/* Tells a target's control thread to stop and release everything, and
 * hands the join to a detached reaper so that no caller waits on a stalled
 * output. Drops the registry's reference. */
static void *reaper(void *param)
{
	struct target *t = param;
	pthread_join(t->thread, NULL);
	target_unref(t); /* the control thread's */
	target_unref(t); /* the registry's */
	return NULL;
}

static void target_retire(struct target *t)
{
	pthread_mutex_lock(&t->mutex);
	t->removed = true;
	pthread_mutex_unlock(&t->mutex);
	wake(t);
	pthread_t r;
	if (t->thread_started && pthread_create(&r, NULL, reaper, t) == 0) {
		pthread_detach(r);
		return;
	}
	if (t->thread_started)
		pthread_detach(t->thread); /* leaks the thread's reference: better than waiting here */
	target_unref(t);
}

/* --- the registry and the store ------------------------------------------ */

static long find_locked(const char *name)
{
	for (size_t i = 0; i < registry_count; i++)
		if (strcmp(registry[i]->cfg.name, name) == 0)
			return (long)i;
	return -1;
}

/* Writes every target to the store (registry_mutex held: a short file
 * write, no OBS call). */
static bool save_locked(char *error, size_t size)
{
	if (!store_path) {
		snprintf(error, size, "no module config path");
		return false;
	}
	struct ofs_target_config *cfgs = bzalloc(sizeof(*cfgs) * (registry_count ? registry_count : 1));
	for (size_t i = 0; i < registry_count; i++)
		cfgs[i] = registry[i]->cfg;
	const bool ok = ofs_targets_store_write(store_path, cfgs, registry_count, error, size) == 0;
	volatile char *wipe = (char *)cfgs;
	for (size_t i = 0; i < sizeof(*cfgs) * (registry_count ? registry_count : 1); i++)
		wipe[i] = 0;
	bfree(cfgs);
	return ok;
}

void ofs_targets_init(void)
{
	if (initialised)
		return;
	initialised = true;
	os_atomic_set_long(&shutting_down, 0);
	char *dir = obs_module_config_path("");
	if (dir)
		os_mkdirs(dir);
	bfree(dir);
	store_path = obs_module_config_path("stream-targets.conf");
	if (!store_path)
		return;
	struct ofs_target_config *cfgs = bzalloc(sizeof(*cfgs) * OFS_TARGETS_MAX);
	size_t skipped = 0;
	char error[256] = "";
	const int n = ofs_targets_store_read(store_path, cfgs, OFS_TARGETS_MAX, &skipped, error, sizeof(error));
	if (n < 0)
		ofs_log(LOG_WARNING, "stream targets: %s", error);
	pthread_mutex_lock(&registry_mutex);
	for (int i = 0; i < n; i++) {
		struct target *t = target_create(&cfgs[i], false, NULL);
		if (t)
			registry[registry_count++] = t;
	}
	pthread_mutex_unlock(&registry_mutex);
	if (n > 0 || skipped)
		ofs_log(LOG_INFO, "stream targets: %d loaded from %s%s", n > 0 ? n : 0, store_path,
			skipped ? " (some invalid entries skipped)" : "");
	volatile char *wipe = (char *)cfgs;
	for (size_t i = 0; i < sizeof(*cfgs) * OFS_TARGETS_MAX; i++)
		wipe[i] = 0;
	bfree(cfgs);
	/* The frontend's API is up before modules load; without the frontend
	 * (a libobs-only host) this does nothing. */
	obs_frontend_add_event_callback(frontend_event, NULL);
	frontend_hooked = true;
}

/* Stops and releases every target (bounded); the registry ends empty. */
static void stop_all_targets(void)
{
	os_atomic_set_long(&shutting_down, 1);
	pthread_mutex_lock(&registry_mutex);
	struct target *list[OFS_TARGETS_MAX];
	const size_t n = registry_count;
	memcpy(list, registry, sizeof(list[0]) * n);
	registry_count = 0;
	pthread_mutex_unlock(&registry_mutex);
	/* Stop all at once, then wait for each, bounded (a stalled peer can
	 * hold an rtmp send thread; it is then left behind, not waited on). */
	for (size_t i = 0; i < n; i++) {
		pthread_mutex_lock(&list[i]->mutex);
		list[i]->removed = true;
		pthread_mutex_unlock(&list[i]->mutex);
		wake(list[i]);
	}
	const uint64_t deadline = os_gettime_ns() + 8000000000ULL;
	for (size_t i = 0; i < n; i++) {
		struct target *t = list[i];
		while (t->thread_started && !os_atomic_load_long(&t->thread_done) && os_gettime_ns() < deadline)
			os_sleep_ms(20);
		if (!t->thread_started) {
			target_unref(t);
		} else if (os_atomic_load_long(&t->thread_done)) {
			pthread_join(t->thread, NULL);
			target_unref(t);
			target_unref(t);
		} else {
			ofs_log(LOG_WARNING, "stream target '%s' did not stop within 8 s; left behind", t->cfg.name);
			pthread_detach(t->thread);
		}
	}
}

void ofs_targets_shutdown(void)
{
	if (!initialised)
		return;
	if (frontend_hooked) {
		obs_frontend_remove_event_callback(frontend_event, NULL);
		frontend_hooked = false;
	}
	stop_all_targets();
	pthread_mutex_lock(&registry_mutex);
	bfree(store_path);
	store_path = NULL;
	pthread_mutex_unlock(&registry_mutex);
	initialised = false;
}

/* Sets want_active on the targets selected (name NULL: all; only_auto:
 * only autoStart ones). Returns how many matched. */
static size_t set_wanted(const char *name, bool only_auto, bool want)
{
	size_t matched = 0;
	pthread_mutex_lock(&registry_mutex);
	for (size_t i = 0; i < registry_count; i++) {
		struct target *t = registry[i];
		if ((name && strcmp(t->cfg.name, name) != 0) || (only_auto && !t->cfg.auto_start))
			continue;
		pthread_mutex_lock(&t->mutex);
		const bool changed = t->want_active != want;
		t->want_active = want;
		t->kick = want;
		pthread_mutex_unlock(&t->mutex);
		if (changed)
			ofs_log(LOG_INFO, "stream target '%s': %s requested", t->cfg.name, want ? "start" : "stop");
		wake(t);
		matched++;
	}
	pthread_mutex_unlock(&registry_mutex);
	return matched;
}

/* The UI thread: only flags. Targets with autoStart follow the main stream
 * once it is live (STREAMING_STARTED: the frontend has set up its encoders
 * by then) and stop when it stops. */
static void frontend_event(enum obs_frontend_event event, void *param)
{
	(void)param;
	switch (event) {
	case OBS_FRONTEND_EVENT_STREAMING_STARTED:
		set_wanted(NULL, true, true);
		break;
	case OBS_FRONTEND_EVENT_STREAMING_STOPPED:
		set_wanted(NULL, true, false);
		break;
	case OBS_FRONTEND_EVENT_EXIT:
		/* Not ofs_targets_shutdown: removing a callback from inside the
		 * frontend's callback loop is not allowed. */
		stop_all_targets();
		break;
	default:
		break;
	}
}

/* --- vendor requests (obs-websocket's thread) ----------------------------- */

static void answer_error(obs_data_t *response, const char *format, ...) OFS_PRINTF(2, 3);
static void answer_error(obs_data_t *response, const char *format, ...)
{
	char text[320];
	va_list args;
	va_start(args, format);
	vsnprintf(text, sizeof(text), format, args);
	va_end(args);
	obs_data_set_bool(response, "success", false);
	obs_data_set_string(response, "error", text);
}

/* A target's public description plus its live fields (no key). */
static obs_data_t *describe(struct target *t)
{
	char json[2048];
	ofs_target_public_json(&t->cfg, json, sizeof(json));
	obs_data_t *d = obs_data_create_from_json(json);
	if (!d)
		d = obs_data_create();
	char error[256];
	pthread_mutex_lock(&t->mutex);
	snprintf(error, sizeof(error), "%s", t->last_error);
	pthread_mutex_unlock(&t->mutex);
	obs_data_set_string(d, "state", state_name(os_atomic_load_long(&t->state)));
	obs_data_set_int(d, "bitrateKbps", os_atomic_load_long(&t->bitrate_kbps));
	obs_data_set_int(d, "droppedFrames", os_atomic_load_long(&t->dropped_frames));
	obs_data_set_int(d, "totalFrames", os_atomic_load_long(&t->total_frames));
	obs_data_set_int(d, "reconnects", os_atomic_load_long(&t->reconnects));
	obs_data_set_string(d, "lastError", error);
	obs_data_set_double(d, "congestion", (double)os_atomic_load_long(&t->congestion_pm) / 1000.0);
	if (!t->cfg.encoder.shared)
		obs_data_set_int(d, "adaptedBitrateKbps", os_atomic_load_long(&t->adapted_kbps));
	return d;
}

static bool read_int_field(obs_data_t *obj, const char *field, bool required, int *out, obs_data_t *response)
{
	if (!obs_data_has_user_value(obj, field)) {
		if (required) {
			answer_error(response, "encoder.%s: required when encoder is an object", field);
			return false;
		}
		*out = 0;
		return true;
	}
	const long long v = obs_data_get_int(obj, field);
	if (v < -1000000 || v > 1000000) {
		answer_error(response, "encoder.%s: out of range", field);
		return false;
	}
	*out = (int)v;
	return true;
}

static bool parse_encoder(obs_data_t *request, struct ofs_target_encoder *e, obs_data_t *response)
{
	memset(e, 0, sizeof(*e));
	obs_data_item_t *item = obs_data_item_byname(request, "encoder");
	if (!item) {
		e->shared = true;
		return true;
	}
	const enum obs_data_type type = obs_data_item_gettype(item);
	bool ok = false;
	if (type == OBS_DATA_STRING) {
		const char *s = obs_data_item_get_string(item);
		ok = s && strcmp(s, "shared") == 0;
		e->shared = ok;
		if (!ok)
			answer_error(response, "encoder: \"shared\" or {width, height, bitrateKbps, keyintSec, fps?, "
					       "audioBitrateKbps?}");
	} else if (type == OBS_DATA_OBJECT) {
		obs_data_t *obj = obs_data_item_get_obj(item);
		ok = read_int_field(obj, "width", true, &e->width, response) &&
		     read_int_field(obj, "height", true, &e->height, response) &&
		     read_int_field(obj, "bitrateKbps", true, &e->bitrate_kbps, response) &&
		     read_int_field(obj, "keyintSec", true, &e->keyint_sec, response) &&
		     read_int_field(obj, "fps", false, &e->fps, response) &&
		     read_int_field(obj, "audioBitrateKbps", false, &e->audio_bitrate_kbps, response);
		obs_data_release(obj);
	} else {
		answer_error(response, "encoder: \"shared\" or an object");
	}
	obs_data_item_release(&item);
	return ok;
}

static bool copy_string(obs_data_t *request, const char *field, char *dst, size_t size, obs_data_t *response)
{
	const char *s = obs_data_get_string(request, field);
	if (!s)
		s = "";
	if (strlen(s) >= size) {
		answer_error(response, "%s: longer than %zu characters", field, size - 1);
		return false;
	}
	snprintf(dst, size, "%s", s);
	return true;
}

void ofs_targets_request_add(obs_data_t *request, obs_data_t *response)
{
	struct ofs_target_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	char platform[32];
	if (!copy_string(request, "name", cfg.name, sizeof(cfg.name), response) ||
	    !copy_string(request, "platform", platform, sizeof(platform), response) ||
	    !copy_string(request, "server", cfg.server, sizeof(cfg.server), response) ||
	    !copy_string(request, "key", cfg.key, sizeof(cfg.key), response))
		goto out;
	if (!ofs_platform_parse(platform, &cfg.platform)) {
		answer_error(response, "platform: one of twitch, youtube, facebook, tiktok, custom");
		goto out;
	}
	if (!parse_encoder(request, &cfg.encoder, response))
		goto out;
	cfg.auto_start = obs_data_has_user_value(request, "autoStart") ? obs_data_get_bool(request, "autoStart")
									 : true;
	char error[256];
	if (!ofs_target_validate(&cfg, error, sizeof(error))) {
		answer_error(response, "%s", error);
		goto out;
	}
	/* libobs 29 encodes every output at the canvas rate (no per-encoder
	 * frame rate divisor before OBS 30). */
	struct obs_video_info ovi;
	if (!cfg.encoder.shared && cfg.encoder.fps && obs_get_video_info(&ovi) && ovi.fps_den &&
	    (uint32_t)cfg.encoder.fps * ovi.fps_den != ovi.fps_num) {
		answer_error(response, "encoder.fps: %d differs from the canvas rate %.2f (OBS 29 encodes at the canvas "
				       "rate; give 0)",
			     cfg.encoder.fps, (double)ovi.fps_num / ovi.fps_den);
		goto out;
	}

	pthread_mutex_lock(&registry_mutex);
	long index = find_locked(cfg.name);
	if (index < 0 && registry_count >= OFS_TARGETS_MAX) {
		pthread_mutex_unlock(&registry_mutex);
		answer_error(response, "name: at most %d stream targets", OFS_TARGETS_MAX);
		goto out;
	}
	struct target *old = index >= 0 ? registry[index] : NULL;
	/* A replacement keeps the old target's running state; a new autoStart
	 * target joins a main stream that is already live. */
	bool want = false;
	if (old) {
		pthread_mutex_lock(&old->mutex);
		want = old->want_active;
		pthread_mutex_unlock(&old->mutex);
	} else {
		want = cfg.auto_start && obs_frontend_streaming_active();
	}
	struct target *t = target_create(&cfg, want, old);
	if (!t) {
		pthread_mutex_unlock(&registry_mutex);
		answer_error(response, "could not create the target");
		goto out;
	}
	if (old)
		registry[index] = t;
	else
		registry[registry_count++] = t;
	const bool saved = save_locked(error, sizeof(error));
	obs_data_t *d = describe(t);
	pthread_mutex_unlock(&registry_mutex);
	if (old)
		target_retire(old);
	if (!saved)
		ofs_log(LOG_WARNING, "stream targets: not saved: %s", error);
	ofs_log(LOG_INFO, "stream target '%s' %s (%s, %s, encoder %s, autoStart %s)", cfg.name,
		old ? "replaced" : "added", ofs_platform_name(cfg.platform), cfg.server,
		cfg.encoder.shared ? "shared" : "own", cfg.auto_start ? "true" : "false");
	obs_data_set_bool(response, "success", true);
	obs_data_set_obj(response, "target", d);
	if (!saved)
		obs_data_set_string(response, "warning", "the target was added but could not be saved");
	obs_data_release(d);
out:;
	volatile char *wipe = cfg.key;
	for (size_t i = 0; i < sizeof(cfg.key); i++)
		wipe[i] = 0;
}

static const char *request_name(obs_data_t *request, obs_data_t *response, const char *what)
{
	const char *name = obs_data_get_string(request, "name");
	if (!name || !*name) {
		answer_error(response, "%s needs requestData {name}", what);
		return NULL;
	}
	return name;
}

void ofs_targets_request_remove(obs_data_t *request, obs_data_t *response)
{
	const char *name = request_name(request, response, "RemoveStreamTarget");
	if (!name)
		return;
	pthread_mutex_lock(&registry_mutex);
	long index = find_locked(name);
	struct target *t = NULL;
	char error[256] = "";
	bool saved = true;
	if (index >= 0) {
		t = registry[index];
		memmove(&registry[index], &registry[index + 1],
			sizeof(registry[0]) * (registry_count - (size_t)index - 1));
		registry_count--;
		saved = save_locked(error, sizeof(error));
	}
	pthread_mutex_unlock(&registry_mutex);
	if (!t) {
		answer_error(response, "name: no stream target named '%s'", name);
		return;
	}
	ofs_log(LOG_INFO, "stream target '%s' removed", t->cfg.name);
	target_retire(t);
	if (!saved)
		ofs_log(LOG_WARNING, "stream targets: not saved: %s", error);
	obs_data_set_bool(response, "success", true);
}

void ofs_targets_request_list(obs_data_t *request, obs_data_t *response)
{
	(void)request;
	obs_data_array_t *array = obs_data_array_create();
	pthread_mutex_lock(&registry_mutex);
	for (size_t i = 0; i < registry_count; i++) {
		obs_data_t *d = describe(registry[i]);
		obs_data_array_push_back(array, d);
		obs_data_release(d);
	}
	pthread_mutex_unlock(&registry_mutex);
	obs_data_set_bool(response, "success", true);
	obs_data_set_array(response, "targets", array);
	obs_data_array_release(array);
}

static void start_stop(obs_data_t *request, obs_data_t *response, bool want, const char *what)
{
	const char *name = request_name(request, response, what);
	if (!name)
		return;
	if (!set_wanted(name, false, want)) {
		answer_error(response, "name: no stream target named '%s'", name);
		return;
	}
	obs_data_set_bool(response, "success", true);
}

void ofs_targets_request_start(obs_data_t *request, obs_data_t *response)
{
	start_stop(request, response, true, "StartStreamTarget");
}

void ofs_targets_request_stop(obs_data_t *request, obs_data_t *response)
{
	start_stop(request, response, false, "StopStreamTarget");
}

void ofs_targets_request_start_all(obs_data_t *request, obs_data_t *response)
{
	(void)request;
	obs_data_set_bool(response, "success", true);
	obs_data_set_int(response, "targets", (long long)set_wanted(NULL, false, true));
}

void ofs_targets_request_stop_all(obs_data_t *request, obs_data_t *response)
{
	(void)request;
	obs_data_set_bool(response, "success", true);
	obs_data_set_int(response, "targets", (long long)set_wanted(NULL, false, false));
}

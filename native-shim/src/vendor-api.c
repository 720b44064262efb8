/*
 * obs-websocket vendor requests. Callbacks run on obs-websocket's thread and
 * only read atomics and shared-memory counters (under the link's registry
 * mutex, which nobody holds across I/O): they never wait for the host.
 *
 *   CallVendorRequest {vendorName: "obs-faceswap", requestType: "GetStats"}
 *     -> {filters: [{sourceName, filterName, channelId, faces, ...}],
 *         hostConnected, hostPid, hostRestarts,
 *         host?: the host's STATS_REPLY (channels[].stages[]: per-stage ms)}
 *   CallVendorRequest {vendorName: "obs-faceswap", requestType: "GetVersion"}
 *   CallVendorRequest {vendorName: "obs-faceswap", requestType: "SetIdentity",
 *                      requestData: {sourceName, filterName?, identity}}
 *   Stream targets (stream-targets.c; they only set flags and read atomics):
 *   AddStreamTarget, RemoveStreamTarget, ListStreamTargets,
 *   StartStreamTarget, StopStreamTarget, StartStreamTargets,
 *   StopStreamTargets; vendor event StreamTargetStateChanged.
 */
#include "vendor-api.h"

#include <string.h>

#include <callback/calldata.h>
#include <callback/proc.h>
#include <obs-module.h>
#include <util/darray.h>

#include "faceswap-filter.h"
#include "host-link.h"
#include "plugin-log.h"
#include "stream-targets.h"

#define VENDOR_NAME "obs-faceswap"

/* The callback record obs-websocket copies (obs-websocket-api.h's
 * struct obs_websocket_request_callback). */
struct ofs_ws_request_callback {
	void (*callback)(obs_data_t *request, obs_data_t *response, void *priv);
	void *priv_data;
};

struct filter_entry {
	struct ofs_link_client_stats stats;
	char source_name[256];
	char filter_name[256];
	bool named;
};

struct stats_ctx {
	DARRAY(struct filter_entry) entries;
};

static void collect(const struct ofs_link_client_stats *stats, void *param)
{
	struct stats_ctx *ctx = param;
	struct filter_entry *e = da_push_back_new(ctx->entries);
	e->stats = *stats;
}

static void name_filter(obs_source_t *parent, obs_source_t *child, void *param)
{
	struct stats_ctx *ctx = param;
	const char *id = obs_source_get_id(child);
	if (!id || strcmp(id, OFS_FILTER_ID) != 0)
		return;
	for (size_t i = 0; i < ctx->entries.num; i++) {
		struct filter_entry *e = &ctx->entries.array[i];
		if (e->stats.filter == (const void *)child && !e->named) {
			const char *sn = obs_source_get_name(parent), *fn = obs_source_get_name(child);
			snprintf(e->source_name, sizeof(e->source_name), "%s", sn ? sn : "");
			snprintf(e->filter_name, sizeof(e->filter_name), "%s", fn ? fn : "");
			e->named = true;
		}
	}
}

static bool name_source(void *param, obs_source_t *source)
{
	obs_source_enum_filters(source, name_filter, param);
	return true;
}

static void get_stats(obs_data_t *request, obs_data_t *response, void *priv)
{
	(void)request;
	(void)priv;
	struct stats_ctx ctx;
	da_init(ctx.entries);
	struct ofs_link_stats link;
	ofs_link_collect_stats(collect, &ctx, &link);

	/* Names through OBS's own enumeration (it holds references), outside
	 * the link's mutex. */
	obs_enum_sources(name_source, &ctx);
	obs_enum_scenes(name_source, &ctx);

	const uint64_t frame_ns = obs_get_frame_interval_ns();
	obs_data_array_t *filters = obs_data_array_create();
	for (size_t i = 0; i < ctx.entries.num; i++) {
		const struct filter_entry *e = &ctx.entries.array[i];
		const struct ofs_link_client_stats *s = &e->stats;
		obs_data_t *f = obs_data_create();
		obs_data_set_string(f, "sourceName", e->named ? e->source_name : "");
		obs_data_set_string(f, "filterName", e->named ? e->filter_name : s->filter_name);
		obs_data_set_int(f, "channelId", (long long)s->channel_id);
		obs_data_set_bool(f, "hostConnected", s->host_connected);
		obs_data_set_int(f, "hostPid", s->host_pid);
		obs_data_set_int(f, "renderCount", (long long)s->render.count);
		obs_data_set_double(f, "renderTimeMeanUs", s->render.mean_us);
		obs_data_set_double(f, "renderTimeMaxUs", s->render.max_us);
		obs_data_set_double(f, "renderTimeP95Us", s->render.p95_us);
		obs_data_set_int(f, "framesWritten", (long long)s->frames_written);
		obs_data_set_int(f, "framesDropped", (long long)s->frames_dropped);
		obs_data_set_int(f, "framesSkipped", (long long)s->frames_skipped);
		obs_data_set_int(f, "resultsConsumed", (long long)s->results_consumed);
		obs_data_set_int(f, "resultsRejected", (long long)s->results_rejected);
		obs_data_set_int(f, "hostFramesRead", (long long)s->host_frames_read);
		obs_data_set_int(f, "hostResultsWritten", (long long)s->host_results_written);
		obs_data_set_int(f, "lastResultFrameId", (long long)s->last_result_frame_id);
		obs_data_set_double(f, "lastPipelineUs", (double)s->last_pipeline_ns / 1000.0);
		/* Synced latency mode delays the video: a controller offsets the
		 * audio by videoDelayMs to keep lip sync. */
		obs_data_set_string(f, "latencyMode", s->video_delay_frames ? "synced" : "live");
		obs_data_set_int(f, "videoDelayFrames", s->video_delay_frames);
		obs_data_set_double(f, "videoDelayMs", (double)s->video_delay_frames * (double)frame_ns / 1e6);
		obs_data_set_int(f, "faces", s->face_count);
		obs_data_array_push_back(filters, f);
		obs_data_release(f);
	}
	obs_data_set_array(response, "filters", filters);
	obs_data_array_release(filters);
	obs_data_set_bool(response, "hostConnected", link.host_connected);
	obs_data_set_int(response, "hostPid", link.host_pid);
	obs_data_set_int(response, "hostRestarts", (long long)link.host_restarts);
	/* The host's own view (per-stage times, per channel; see docs/host.md),
	 * as the link last fetched it: no waiting for the host here. */
	char *host_json = ofs_link_copy_host_stats();
	obs_data_t *host = host_json ? obs_data_create_from_json(host_json) : NULL;
	if (host) {
		obs_data_set_obj(response, "host", host);
		obs_data_release(host);
	}
	bfree(host_json);
	da_free(ctx.entries);
}

static void get_version(obs_data_t *request, obs_data_t *response, void *priv)
{
	(void)request;
	(void)priv;
	obs_data_set_string(response, "name", OFS_PLUGIN_NAME);
	obs_data_set_string(response, "version", OFS_PLUGIN_VERSION);
	obs_data_set_int(response, "wireVersion", OFS_WIRE_VERSION);
}

struct identity_ctx {
	const char *filter_name; /* NULL: every Face Swap filter of the source */
	const char *identity;
	long long updated;
};

static void set_identity_on(obs_source_t *parent, obs_source_t *child, void *param)
{
	(void)parent;
	struct identity_ctx *ctx = param;
	const char *id = obs_source_get_id(child);
	const char *name = obs_source_get_name(child);
	if (!id || strcmp(id, OFS_FILTER_ID) != 0 || (ctx->filter_name && (!name || strcmp(name, ctx->filter_name) != 0)))
		return;
	ofs_filter_set_identity(child, ctx->identity);
	ctx->updated++;
}

/* SetIdentity: sets the live identity of the source's Face Swap filters
 * (or the one named filterName). Answers {success, filtersUpdated} or
 * {success: false, error}. */
static void set_identity(obs_data_t *request, obs_data_t *response, void *priv)
{
	(void)priv;
	const char *source_name = obs_data_get_string(request, "sourceName");
	const char *filter_name = obs_data_get_string(request, "filterName");
	const char *identity = obs_data_get_string(request, "identity");
	if (!source_name || !*source_name || !identity || !*identity) {
		obs_data_set_bool(response, "success", false);
		obs_data_set_string(response, "error",
				    "SetIdentity needs requestData {sourceName, identity} (identity: a name or #N)");
		return;
	}
	obs_source_t *source = obs_get_source_by_name(source_name);
	if (!source) {
		obs_data_set_bool(response, "success", false);
		obs_data_set_string(response, "error", "SetIdentity: no source with that sourceName");
		return;
	}
	struct identity_ctx ctx = {filter_name && *filter_name ? filter_name : NULL, identity, 0};
	obs_source_enum_filters(source, set_identity_on, &ctx);
	obs_source_release(source);
	obs_data_set_bool(response, "success", ctx.updated > 0);
	obs_data_set_int(response, "filtersUpdated", ctx.updated);
	if (!ctx.updated)
		obs_data_set_string(response, "error", "SetIdentity: the source has no matching Face Swap filter");
}

/* Stream targets: the handlers have the vendor callback's shape. */
#define TARGET_REQUEST(fn)                                                               \
	static void fn##_cb(obs_data_t *request, obs_data_t *response, void *priv)      \
	{                                                                                \
		(void)priv;                                                              \
		fn(request, response);                                                   \
	}                                                                                \
	static const struct ofs_ws_request_callback fn##_record = {fn##_cb, NULL};
TARGET_REQUEST(ofs_targets_request_add)
TARGET_REQUEST(ofs_targets_request_remove)
TARGET_REQUEST(ofs_targets_request_list)
TARGET_REQUEST(ofs_targets_request_start)
TARGET_REQUEST(ofs_targets_request_stop)
TARGET_REQUEST(ofs_targets_request_start_all)
TARGET_REQUEST(ofs_targets_request_stop_all)

/* obs-websocket's proc handler and our vendor, set once in
 * ofs_vendor_register before any event can be emitted. */
static proc_handler_t *ws_ph;
static void *ws_vendor;

/* vendor_event_emit {vendor, type, data}: a VendorEvent to every client
 * subscribed to Vendors events. Any thread. */
static void emit_vendor_event(const char *event_type, obs_data_t *data)
{
	if (!ws_ph || !ws_vendor)
		return;
	calldata_t cd;
	calldata_init(&cd);
	calldata_set_ptr(&cd, "vendor", ws_vendor);
	calldata_set_string(&cd, "type", event_type);
	calldata_set_ptr(&cd, "data", data);
	proc_handler_call(ws_ph, "vendor_event_emit", &cd);
	calldata_free(&cd);
}

static bool register_request(proc_handler_t *ph, void *vendor, const char *type,
			     const struct ofs_ws_request_callback *cb)
{
	calldata_t cd;
	calldata_init(&cd);
	calldata_set_ptr(&cd, "vendor", vendor);
	calldata_set_string(&cd, "type", type);
	calldata_set_ptr(&cd, "callback", (void *)cb);
	bool ok = proc_handler_call(ph, "vendor_request_register", &cd) && calldata_bool(&cd, "success");
	calldata_free(&cd);
	return ok;
}

void ofs_vendor_register(void)
{
	static const struct ofs_ws_request_callback stats_cb = {get_stats, NULL};
	static const struct ofs_ws_request_callback version_cb = {get_version, NULL};
	static const struct ofs_ws_request_callback identity_cb = {set_identity, NULL};

	calldata_t cd;
	calldata_init(&cd);
	proc_handler_t *ph = NULL;
	if (proc_handler_call(obs_get_proc_handler(), "obs_websocket_api_get_ph", &cd))
		ph = calldata_ptr(&cd, "ph");
	calldata_free(&cd);
	if (!ph) {
		ofs_log(LOG_INFO, "obs-websocket not loaded: vendor requests unavailable");
		return;
	}

	long long api_version = 0;
	calldata_init(&cd);
	if (proc_handler_call(ph, "get_api_version", &cd))
		api_version = calldata_int(&cd, "version");
	calldata_free(&cd);

	calldata_init(&cd);
	calldata_set_string(&cd, "name", VENDOR_NAME);
	void *vendor = NULL;
	if (proc_handler_call(ph, "vendor_register", &cd) && calldata_bool(&cd, "success"))
		vendor = calldata_ptr(&cd, "vendor");
	calldata_free(&cd);
	if (!vendor) {
		ofs_log(LOG_WARNING, "obs-websocket refused the vendor '%s'", VENDOR_NAME);
		return;
	}
	const bool ok = register_request(ph, vendor, "GetStats", &stats_cb) &&
			register_request(ph, vendor, "GetVersion", &version_cb) &&
			register_request(ph, vendor, "SetIdentity", &identity_cb);
	const bool targets_ok =
		register_request(ph, vendor, "AddStreamTarget", &ofs_targets_request_add_record) &&
		register_request(ph, vendor, "RemoveStreamTarget", &ofs_targets_request_remove_record) &&
		register_request(ph, vendor, "ListStreamTargets", &ofs_targets_request_list_record) &&
		register_request(ph, vendor, "StartStreamTarget", &ofs_targets_request_start_record) &&
		register_request(ph, vendor, "StopStreamTarget", &ofs_targets_request_stop_record) &&
		register_request(ph, vendor, "StartStreamTargets", &ofs_targets_request_start_all_record) &&
		register_request(ph, vendor, "StopStreamTargets", &ofs_targets_request_stop_all_record);
	ws_ph = ph;
	ws_vendor = vendor;
	ofs_targets_set_event_sink(emit_vendor_event);
	ofs_log(ok && targets_ok ? LOG_INFO : LOG_WARNING, "obs-websocket vendor '%s' (API version %lld): %s%s",
		VENDOR_NAME, api_version, ok ? "GetStats, GetVersion, SetIdentity registered" : "request registration failed",
		targets_ok ? "; stream targets: AddStreamTarget, RemoveStreamTarget, ListStreamTargets, "
			     "Start/StopStreamTarget, Start/StopStreamTargets"
			   : "; stream target registration failed");
}

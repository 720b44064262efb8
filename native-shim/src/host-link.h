/*
 * The host link: ONE per module. A background thread owns the control
 * connection to the inference host, starts the host when nobody answers,
 * creates every filter's channel memory, opens the channels on the host,
 * forwards settings, and reclaims slots when the host goes away.
 *
 * Threads:
 * - filter create/update/destroy (OBS UI or destruction threads):
 *   ofs_link_register/ofs_link_set_settings/ofs_link_unregister take the
 *   registry mutex briefly and never do I/O.
 * - render and tick threads: only the lock-free calls marked below.
 * - link thread: everything else; it never holds the mutex during I/O.
 * - obs-websocket thread: ofs_link_collect_stats, ofs_link_copy_host_stats
 *   (mutex, no I/O).
 */
#ifndef OFS_HOST_LINK_H
#define OFS_HOST_LINK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ofs-channel.h"
#include "render-stats.h"

struct ofs_shm;
struct ofs_link_client;

/* One channel: shared memory laid out by ofs-core. Created and destroyed
 * by the link thread; the render thread uses the one it acquired. */
struct ofs_link_channel {
	uint64_t id;
	uint32_t max_width, max_height; /* what its frame slots hold (BGRA) */
	struct ofs_shm *shm;
	struct ofs_channel core; /* shim view; producer/consumer state: render thread only */
	atomic_bool attached;    /* the host confirmed CHANNEL_OPENED and is still connected */
	bool open_sent;          /* link thread only */
	char shm_name[OFS_SHM_NAME_MAX];
	char wake_name[OFS_SHM_NAME_MAX];
	struct ofs_link_channel *next; /* link thread only */
};

/* Statistics of one filter, copied under the registry mutex. */
struct ofs_link_client_stats {
	const void *filter; /* the filter's obs_source_t, as a key only */
	char filter_name[128];
	uint64_t channel_id;
	bool host_connected;
	uint32_t host_pid;
	struct ofs_render_summary render;
	uint64_t frames_written, frames_dropped, frames_skipped;
	uint64_t results_consumed, results_rejected, last_result_frame_id;
	uint64_t host_frames_read, host_results_written, last_pipeline_ns;
	uint32_t video_delay_frames; /* synced latency mode: frames the output is delayed; 0 = live */
	uint32_t face_count;         /* faces in the newest result taken */
};

struct ofs_link_stats {
	bool host_connected;
	uint32_t host_pid;
	uint64_t host_restarts;
};

/* ---- module lifetime (obs_module_load / obs_module_unload) --------- */

/* Remembers where the module lives (default host path) and where the host
 * log goes. Starts nothing: the thread starts with the first filter. */
void ofs_link_init(const char *module_dir, const char *host_log_path);

/* Stops the thread, closes the connection, frees everything. Idempotent. */
void ofs_link_shutdown(void);

/* ---- filter lifetime (not the render thread) ----------------------- */

struct ofs_link_client *ofs_link_register(void *filter_source, const char *filter_name);

/* Hands the client and its channels to the link thread, which closes them
 * on the host and frees them. The caller must not use `client` after. */
void ofs_link_unregister(struct ofs_link_client *client);

/* Queues the filter's settings for the host (SETTINGS, sent now if
 * connected, and again after every reconnect) and its host_path. */
void ofs_link_set_settings(struct ofs_link_client *client, const char *json, const char *host_path,
			   const char *filter_name);

/* ---- render and tick threads: lock-free ------------------------------ */

/* Asks for a channel whose frames hold width x height (analysis size);
 * 0 x 0 asks for none. The link thread creates a larger channel (new id)
 * when the current one is too small. */
void ofs_link_request_size(struct ofs_link_client *client, uint32_t width, uint32_t height);

/* The channel the render thread may use until its next call (NULL if none).
 * Render thread only. */
struct ofs_link_channel *ofs_link_acquire_channel(struct ofs_link_client *client);

/* The filter's render-time counters (written by the render thread). */
struct ofs_render_stats *ofs_link_render_stats(struct ofs_link_client *client);

/* How many frames the filter currently delays its output (synced latency
 * mode; 0 = live). Render thread; one relaxed atomic store. */
void ofs_link_set_video_delay(struct ofs_link_client *client, uint32_t frames);

/* How many faces (OFS_ITEM_FACE items) the newest result the filter took
 * has. Render thread, once per result; one relaxed atomic store. */
void ofs_link_set_face_count(struct ofs_link_client *client, uint32_t faces);

/* ---- obs-websocket thread -------------------------------------------- */

/* Calls `fn` with each filter's statistics (under the registry mutex:
 * `fn` must be quick and must not call back into OBS sources). */
void ofs_link_collect_stats(void (*fn)(const struct ofs_link_client_stats *stats, void *param), void *param,
			    struct ofs_link_stats *link);

/* A copy (bfree it) of the host's last STATS_REPLY JSON (docs/host.md: hostPid,
 * uptimeSeconds, channels[] with per-stage times in ms), refreshed every 2 s
 * while the host is connected; NULL before the first reply or after the
 * host is lost. Never waits for the host. */
char *ofs_link_copy_host_stats(void);

#endif /* OFS_HOST_LINK_H */

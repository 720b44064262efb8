/*
 * The host link (see host-link.h and docs/shim.md): one background thread
 * per module owns the control connection, the host process and every
 * filter's channel memory.
 */
#include "host-link.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <obs-module.h>
#include <util/bmem.h>
#include <util/platform.h>
#include <util/threading.h>

#include "ofs-atomic.h"
#include "ofs-control.h"
#include "ofs-platform.h"
#include "plugin-log.h"

#define LINK_POLL_MS 50u
#define CONNECT_TIMEOUT_MS 200u
#define SEND_TIMEOUT_MS 500u
#define HELLO_TIMEOUT_NS (3ull * 1000000000ull)
#define BACKOFF_MIN_MS 100u
#define BACKOFF_MAX_MS 5000u
#define SUMMARY_INTERVAL_NS (10ull * 1000000000ull)
#define HOST_MISSING_LOG_INTERVAL_NS (60ull * 1000000000ull)
/* How often the link asks the host for its STATS_REPLY (per-stage times),
 * which vendor GetStats then returns without waiting for the host. */
#define HOST_STATS_INTERVAL_NS (2ull * 1000000000ull)
#define HOST_STATS_MAX_BYTES (64u * 1024u)

#ifdef _WIN32
#define HOST_EXE_NAME "obs-faceswap-host.exe"
#else
#define HOST_EXE_NAME "obs-faceswap-host"
#endif

struct ofs_link_client {
	void *filter;

	/* Render/tick thread -> link thread, lock-free. */
	_Atomic uint64_t desired_size; /* (width << 32) | height; 0 = no channel */
	_Atomic(struct ofs_link_channel *) published; /* newest channel (link thread writes) */
	_Atomic(struct ofs_link_channel *) in_use;    /* hazard: what the render thread uses */
	struct ofs_link_channel *render_current;      /* render thread only */
	struct ofs_render_stats render;
	_Atomic uint32_t video_delay_frames;
	_Atomic uint32_t face_count; /* OFS_ITEM_FACE items of the newest result taken */

	/* Registry mutex. */
	char name[128];
	char *settings_json;
	bool settings_dirty;
	char *host_path;
	bool removed;

	/* Link thread only. */
	struct ofs_link_channel *channels; /* every channel not yet freed */
	uint64_t failed_size;              /* last size whose creation failed (logged once) */
	struct ofs_render_stats_snapshot summary_prev;
	uint64_t summary_prev_rejected;
	struct ofs_link_client *next;
};

static struct {
	pthread_mutex_t mutex;

	/* Registry mutex. */
	struct ofs_link_client *clients;
	bool thread_started;
	char *module_dir;
	char *log_path;
	char *host_stats_json; /* the host's last STATS_REPLY (NUL-terminated), NULL when none */

	pthread_t thread;
	os_event_t *stop_event;
	atomic_bool stopping;

	/* Status, read anywhere. */
	atomic_bool connected; /* HELLO_ACK received on the current connection */
	_Atomic uint32_t host_pid;
	_Atomic uint64_t host_restarts;
	_Atomic uint64_t next_channel_id;

	/* Link thread only. */
	char endpoint[512];
	struct ofs_conn *conn;
	bool hello_acked;
	uint64_t hello_deadline_ns;
	struct ofs_control_reader *reader;
	struct ofs_process *child;
	uint64_t spawns;
	uint32_t backoff_ms;
	uint64_t next_attempt_ns;
	uint64_t missing_logged_ns;
	uint64_t missing_attempts;
	uint64_t next_summary_ns;
	uint64_t next_stats_ns;
	uint32_t request_id;
	uint8_t *out;
	size_t out_len, out_cap;
} link = {
	.mutex = PTHREAD_MUTEX_INITIALIZER,
};

/* ---- outgoing messages (link thread) --------------------------------- */

static void queue_msg(uint16_t type, const void *p1, size_t n1, const void *p2, size_t n2)
{
	if (!link.conn || !link.hello_acked)
		return;
	const size_t need = link.out_len + OFS_CONTROL_HEADER_SIZE + n1 + n2;
	if (need > link.out_cap) {
		size_t cap = link.out_cap ? link.out_cap : 4096;
		while (cap < need)
			cap *= 2;
		link.out = brealloc(link.out, cap);
		link.out_cap = cap;
	}
	size_t n = ofs_control_encode(link.out + link.out_len, link.out_cap - link.out_len, type, ++link.request_id,
				      p1, n1, p2, n2);
	if (n == 0)
		ofs_log(LOG_WARNING, "control message type %u too large (%zu bytes), not sent", type, n1 + n2);
	link.out_len += n;
}

static void queue_open(struct ofs_link_channel *ch)
{
	struct ofs_msg_open_channel m;
	memset(&m, 0, sizeof(m));
	m.channel_id = ch->id;
	m.size = ofs_shm_size(ch->shm);
	snprintf(m.shm_name, sizeof(m.shm_name), "%s", ch->shm_name);
	snprintf(m.wake_name, sizeof(m.wake_name), "%s", ch->wake_name);
	queue_msg(OFS_MSG_OPEN_CHANNEL, &m, sizeof(m), NULL, 0);
	ch->open_sent = true;
}

static void queue_close(struct ofs_link_channel *ch)
{
	if (ch->open_sent) {
		struct ofs_msg_channel_ref ref = {.channel_id = ch->id};
		queue_msg(OFS_MSG_CLOSE_CHANNEL, &ref, sizeof(ref), NULL, 0);
	}
	ch->open_sent = false;
	atomic_store(&ch->attached, false);
}

/* ---- channels (link thread, registry mutex held) -------------------- */

static void channel_destroy(struct ofs_link_channel *ch)
{
	ofs_shm_destroy(ch->shm);
	bfree(ch);
}

static struct ofs_link_channel *channel_create(uint32_t width, uint32_t height)
{
	const uint64_t id = atomic_fetch_add(&link.next_channel_id, 1);
	const uint32_t pid = ofs_current_pid();
	struct ofs_link_channel *ch = bzalloc(sizeof(*ch));
	struct ofs_geometry geo;
	ch->id = id;
	ch->max_width = width;
	ch->max_height = height;
	atomic_init(&ch->attached, false);
	if (ofs_channel_names(pid, id, ch->shm_name, sizeof(ch->shm_name), ch->wake_name, sizeof(ch->wake_name)) != 0 ||
	    ofs_geometry_compute(&geo, id, width, height, OFS_DEFAULT_FRAME_SLOTS, OFS_DEFAULT_RESULT_SLOTS,
				 OFS_DEFAULT_RESULT_SLOT_SIZE) != OFS_OK ||
	    ofs_shm_create(ch->shm_name, ch->wake_name, geo.total_size, &ch->shm) != 0 ||
	    ofs_channel_init(&ch->core, ofs_shm_data(ch->shm), ofs_shm_size(ch->shm), &geo, pid, 1) != OFS_OK) {
		ofs_shm_destroy(ch->shm);
		bfree(ch);
		return NULL;
	}
	return ch;
}

/* Creates a larger channel when the render thread asks for one. */
static void update_channel(struct ofs_link_client *c)
{
	const uint64_t want = atomic_load(&c->desired_size);
	const uint32_t w = (uint32_t)(want >> 32), h = (uint32_t)want;
	struct ofs_link_channel *cur = atomic_load(&c->published);
	if (!w || !h || want == c->failed_size)
		return;
	if (cur && (uint64_t)w * h * 4u <= ofs_frame_capacity(&cur->core))
		return;

	struct ofs_link_channel *ch = channel_create(w, h);
	if (!ch) {
		c->failed_size = want;
		ofs_log(LOG_WARNING, "'%s': cannot create channel memory for %ux%u frames", c->name, w, h);
		return;
	}
	ch->next = c->channels;
	c->channels = ch;
	atomic_store(&c->published, ch);
	ofs_log(LOG_INFO, "'%s': channel %" PRIu64 " created for %ux%u frames (%" PRIu64 " bytes, %s)", c->name,
		ch->id, w, h, ofs_shm_size(ch->shm), ch->shm_name);
	if (cur)
		queue_close(cur); /* the render thread may use it one frame longer: freed below once released */
	if (link.hello_acked) {
		queue_open(ch);
		c->settings_dirty = true;
	}
}

/* Frees channels the render thread can no longer reach. */
static void free_retired(struct ofs_link_client *c, bool all)
{
	struct ofs_link_channel **pp = &c->channels;
	struct ofs_link_channel *published = atomic_load(&c->published);
	struct ofs_link_channel *in_use = atomic_load(&c->in_use);
	while (*pp) {
		struct ofs_link_channel *ch = *pp;
		if (all || (ch != published && ch != in_use)) {
			*pp = ch->next;
			queue_close(ch);
			channel_destroy(ch);
		} else {
			pp = &ch->next;
		}
	}
}

static void client_free(struct ofs_link_client *c)
{
	bfree(c->settings_json);
	bfree(c->host_path);
	bfree(c);
}

/* One pass over the registry; returns true if any filter needs a host. */
static bool process_clients(void)
{
	bool want_host = false;
	pthread_mutex_lock(&link.mutex);
	struct ofs_link_client **pp = &link.clients;
	while (*pp) {
		struct ofs_link_client *c = *pp;
		if (c->removed) {
			*pp = c->next;
			free_retired(c, true);
			client_free(c);
			continue;
		}
		update_channel(c);
		free_retired(c, false);
		struct ofs_link_channel *ch = atomic_load(&c->published);
		if (ch) {
			want_host = true;
			if (ch->open_sent && c->settings_dirty && c->settings_json) {
				struct ofs_msg_channel_ref ref = {.channel_id = ch->id};
				queue_msg(OFS_MSG_SETTINGS, &ref, sizeof(ref), c->settings_json, strlen(c->settings_json));
				c->settings_dirty = false;
			}
		}
		pp = &c->next;
	}
	pthread_mutex_unlock(&link.mutex);
	return want_host;
}

/* ---- connection (link thread) ------------------------------------------ */

static void disconnect(const char *why)
{
	const uint64_t now = ofs_monotonic_ns();
	const bool was_ready = link.hello_acked;
	ofs_conn_close(link.conn);
	link.conn = NULL;
	link.hello_acked = false;
	link.out_len = 0;
	atomic_store(&link.connected, false);
	const uint32_t pid = atomic_exchange(&link.host_pid, 0);

	/* Detach first (the render thread stops sending), then reclaim. */
	uint32_t reclaimed = 0;
	pthread_mutex_lock(&link.mutex);
	for (struct ofs_link_client *c = link.clients; c; c = c->next) {
		for (struct ofs_link_channel *ch = c->channels; ch; ch = ch->next) {
			atomic_store(&ch->attached, false);
			ch->open_sent = false;
			reclaimed += ofs_channel_reclaim_host_slots(&ch->core);
		}
		c->settings_dirty = true;
	}
	bfree(link.host_stats_json); /* a dead host's figures are not shown as current */
	link.host_stats_json = NULL;
	pthread_mutex_unlock(&link.mutex);

	if (was_ready)
		ofs_log(LOG_WARNING, "host (pid %u) connection lost: %s; reclaimed %u slot(s), reconnecting", pid, why,
			reclaimed);
	else
		ofs_log(LOG_INFO, "host connection closed before HELLO_ACK: %s", why);
	link.backoff_ms = BACKOFF_MIN_MS;
	link.next_attempt_ns = now + (uint64_t)BACKOFF_MIN_MS * 1000000ull;
}

static bool flush_out(void)
{
	if (!link.conn || link.out_len == 0)
		return true;
	int rc = ofs_conn_send(link.conn, link.out, link.out_len, SEND_TIMEOUT_MS);
	link.out_len = 0;
	if (rc != 0) {
		disconnect("send failed");
		return false;
	}
	return true;
}

/* host_path of the first filter that has one, else $OBS_FACESWAP_HOST,
 * else beside the module. */
static void pick_host_path(char *buf, size_t cap)
{
	buf[0] = '\0';
	pthread_mutex_lock(&link.mutex);
	for (struct ofs_link_client *c = link.clients; c && !buf[0]; c = c->next)
		if (!c->removed && c->host_path && c->host_path[0])
			snprintf(buf, cap, "%s", c->host_path);
	pthread_mutex_unlock(&link.mutex);
	if (buf[0])
		return;
	const char *env = getenv("OBS_FACESWAP_HOST");
	if (env && env[0])
		snprintf(buf, cap, "%s", env);
	else if (link.module_dir)
		snprintf(buf, cap, "%s/obs-faceswap-host/%s", link.module_dir, HOST_EXE_NAME);
}

static void check_child(void)
{
	int code = 0;
	if (link.child && !ofs_process_running(link.child, &code)) {
		ofs_log(LOG_WARNING, "host process %u exited with code %d", ofs_process_pid(link.child), code);
		ofs_process_release(link.child);
		link.child = NULL;
	}
}

static void spawn_host(uint64_t now)
{
	check_child();
	if (link.child)
		return; /* ours is still starting (or hung): wait for it */
	char path[1024];
	pick_host_path(path, sizeof(path));
	const bool log_now = link.missing_attempts == 0 || now - link.missing_logged_ns >= HOST_MISSING_LOG_INTERVAL_NS;
	if (!ofs_file_executable(path)) {
		if (log_now) {
			ofs_log(LOG_WARNING,
				"no host answers at %s and no host executable at '%s' (set the filter's host_path or "
				"OBS_FACESWAP_HOST); sources render unchanged (masked in privacy mode with fail_closed); "
				"retrying (%" PRIu64 " attempts so far)",
				link.endpoint, path, link.missing_attempts + 1);
			link.missing_logged_ns = now;
		}
		link.missing_attempts++;
		return;
	}
	const char *argv[] = {path, "--endpoint", link.endpoint, NULL};
	if (ofs_process_spawn(path, argv, link.log_path, &link.child) != 0) {
		if (log_now) {
			ofs_log(LOG_WARNING, "cannot start the host '%s'; retrying", path);
			link.missing_logged_ns = now;
		}
		link.missing_attempts++;
		return;
	}
	link.missing_attempts = 0;
	if (++link.spawns > 1)
		atomic_fetch_add(&link.host_restarts, 1);
	ofs_log(LOG_INFO, "started the host '%s' (pid %u, endpoint %s, log %s)", path, ofs_process_pid(link.child),
		link.endpoint, link.log_path ? link.log_path : "none");
}

static void try_connect(uint64_t now)
{
	if (ofs_conn_connect(link.endpoint, CONNECT_TIMEOUT_MS, &link.conn) == 0) {
		ofs_control_reader_reset(link.reader);
		link.hello_acked = false;
		link.hello_deadline_ns = now + HELLO_TIMEOUT_NS;
		struct ofs_msg_hello hello = {.pid = ofs_current_pid(), .wire_version = OFS_WIRE_VERSION};
		uint8_t msg[OFS_CONTROL_HEADER_SIZE + sizeof(hello)];
		size_t n = ofs_control_encode(msg, sizeof(msg), OFS_MSG_HELLO, ++link.request_id, &hello, sizeof(hello),
					      NULL, 0);
		if (ofs_conn_send(link.conn, msg, n, SEND_TIMEOUT_MS) != 0)
			disconnect("HELLO not sent");
		return;
	}
	spawn_host(now);
	link.next_attempt_ns = now + (uint64_t)link.backoff_ms * 1000000ull;
	link.backoff_ms = link.backoff_ms * 2u > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : link.backoff_ms * 2u;
}

static void on_hello_ack(const uint8_t *payload, uint32_t len)
{
	struct ofs_msg_hello hello;
	if (ofs_control_decode_hello(payload, len, &hello) != OFS_CTL_OK) {
		disconnect("malformed HELLO_ACK");
		return;
	}
	if (hello.wire_version != OFS_WIRE_VERSION) {
		ofs_log(LOG_ERROR, "host speaks wire version %u, this module %u: update the host or the module",
			hello.wire_version, OFS_WIRE_VERSION);
		disconnect("wire version mismatch");
		return;
	}
	link.hello_acked = true;
	link.backoff_ms = BACKOFF_MIN_MS;
	link.missing_attempts = 0;
	atomic_store(&link.host_pid, hello.pid);
	atomic_store(&link.connected, true);
	ofs_log(LOG_INFO, "connected to the host (pid %u) at %s", hello.pid, link.endpoint);

	pthread_mutex_lock(&link.mutex);
	for (struct ofs_link_client *c = link.clients; c; c = c->next) {
		struct ofs_link_channel *ch = atomic_load(&c->published);
		if (!c->removed && ch) {
			queue_open(ch);
			c->settings_dirty = true;
		}
	}
	pthread_mutex_unlock(&link.mutex);
}

static void on_channel_opened(const uint8_t *payload, uint32_t len)
{
	struct ofs_msg_channel_ref ref;
	if (ofs_control_decode_channel_ref(payload, len, &ref) != OFS_CTL_OK)
		return;
	pthread_mutex_lock(&link.mutex);
	for (struct ofs_link_client *c = link.clients; c; c = c->next) {
		struct ofs_link_channel *ch = atomic_load(&c->published);
		if (ch && ch->id == ref.channel_id && ch->open_sent) {
			atomic_store(&ch->attached, true);
			ofs_log(LOG_INFO, "'%s': channel %" PRIu64 " attached by the host", c->name, ch->id);
		}
	}
	pthread_mutex_unlock(&link.mutex);
}

/* Keeps the host's STATS_REPLY JSON for vendor GetStats (parsed there, on
 * obs-websocket's thread; a reply that is not JSON is dropped there). */
static void on_stats_reply(const uint8_t *payload, uint32_t len)
{
	if (len == 0 || len > HOST_STATS_MAX_BYTES)
		return;
	char *json = bmalloc((size_t)len + 1);
	memcpy(json, payload, len);
	json[len] = '\0';
	pthread_mutex_lock(&link.mutex);
	bfree(link.host_stats_json);
	link.host_stats_json = json;
	pthread_mutex_unlock(&link.mutex);
}

/* Asks the connected host for its stats every HOST_STATS_INTERVAL_NS. */
static void request_host_stats(uint64_t now)
{
	if (!link.conn || !link.hello_acked || now < link.next_stats_ns)
		return;
	struct ofs_msg_channel_ref all = {.channel_id = 0};
	queue_msg(OFS_MSG_STATS_REQUEST, &all, sizeof(all), NULL, 0);
	link.next_stats_ns = now + HOST_STATS_INTERVAL_NS;
}

static void on_message(const struct ofs_control_header *h, const uint8_t *payload)
{
	switch (h->type) {
	case OFS_MSG_HELLO_ACK:
		on_hello_ack(payload, h->length);
		break;
	case OFS_MSG_CHANNEL_OPENED:
		on_channel_opened(payload, h->length);
		break;
	case OFS_MSG_ERROR: {
		struct ofs_msg_error e;
		const char *text = "";
		uint32_t text_len = 0;
		if (ofs_control_decode_error(payload, h->length, &e, &text, &text_len) == OFS_CTL_OK)
			ofs_log(LOG_WARNING, "host error %u (request %u): %.*s", e.code, h->request_id,
				(int)(text_len > 512 ? 512 : text_len), text);
		break;
	}
	case OFS_MSG_STATS_REPLY:
		on_stats_reply(payload, h->length);
		break;
	default:
		break; /* types this version does not know: ignored */
	}
}

static void receive(void)
{
	uint8_t *dst;
	size_t space = ofs_control_reader_space(link.reader, &dst);
	int64_t n = ofs_conn_recv(link.conn, dst, space, LINK_POLL_MS);
	if (n < 0) {
		disconnect("closed by the host");
		return;
	}
	ofs_control_reader_commit(link.reader, (size_t)n);
	struct ofs_control_header h;
	const uint8_t *payload;
	int rc;
	while (link.conn && (rc = ofs_control_reader_next(link.reader, &h, &payload)) == OFS_CTL_OK)
		on_message(&h, payload);
	if (link.conn && rc < 0)
		disconnect("malformed message header");
}

/* ---- periodic summary (link thread) ------------------------------------ */

static void log_summaries(void)
{
	pthread_mutex_lock(&link.mutex);
	for (struct ofs_link_client *c = link.clients; c; c = c->next) {
		if (c->removed)
			continue;
		struct ofs_render_summary s;
		ofs_render_stats_window(&c->render, &c->summary_prev, &s);
		if (s.count == 0)
			continue;
		struct ofs_link_channel *ch = atomic_load(&c->published);
		if (ch) {
			const uint64_t rejected = atomic_load(&ch->core.results_rejected);
			ofs_log(LOG_INFO,
				"'%s': render %" PRIu64 " calls, mean %.1f us, p95 %.1f us, max %.1f us; channel %" PRIu64
				" %s: frames written %" PRIu64 ", dropped %" PRIu64 ", skipped %" PRIu64
				"; results consumed %" PRIu64 ", rejected %" PRIu64 " (+%" PRIu64 ", last: %s)",
				c->name, s.count, s.mean_us, s.p95_us, s.max_us, ch->id,
				atomic_load(&ch->attached) ? "attached" : "detached", atomic_load(&ch->core.frames_written),
				atomic_load(&ch->core.frames_dropped), atomic_load(&ch->core.frames_skipped),
				atomic_load(&ch->core.results_consumed), rejected, rejected - c->summary_prev_rejected,
				ofs_status_name(atomic_load(&ch->core.last_reject_reason)));
			c->summary_prev_rejected = rejected;
		} else {
			ofs_log(LOG_INFO, "'%s': render %" PRIu64 " calls, mean %.1f us, p95 %.1f us, max %.1f us; no channel",
				c->name, s.count, s.mean_us, s.p95_us, s.max_us);
		}
	}
	pthread_mutex_unlock(&link.mutex);
}

/* ---- the thread ---------------------------------------------------- */

static void *link_thread(void *arg)
{
	(void)arg;
	os_set_thread_name("obs-faceswap: host link");
	link.backoff_ms = BACKOFF_MIN_MS;
	link.next_attempt_ns = 0;
	link.next_summary_ns = ofs_monotonic_ns() + SUMMARY_INTERVAL_NS;

	while (!atomic_load(&link.stopping)) {
		const uint64_t now = ofs_monotonic_ns();
		const bool want_host = process_clients();
		request_host_stats(now);
		flush_out();
		if (!link.conn && want_host && now >= link.next_attempt_ns)
			try_connect(now);
		if (link.conn && !link.hello_acked && now > link.hello_deadline_ns)
			disconnect("no HELLO_ACK in time");
		check_child();
		if (now >= link.next_summary_ns) {
			log_summaries();
			link.next_summary_ns = now + SUMMARY_INTERVAL_NS;
		}
		if (link.conn)
			receive();
		else
			os_event_timedwait(link.stop_event, LINK_POLL_MS);
	}

	/* Shutdown: close channels on the host, then the connection. */
	pthread_mutex_lock(&link.mutex);
	struct ofs_link_client **pp = &link.clients;
	while (*pp) {
		struct ofs_link_client *c = *pp;
		if (c->removed) {
			*pp = c->next;
			free_retired(c, true);
			client_free(c);
		} else {
			/* A filter that outlives the module (OBS destroys sources
			 * first, so this should not happen): close its channels on
			 * the host but keep the memory, the render thread might
			 * still hold it. */
			for (struct ofs_link_channel *ch = c->channels; ch; ch = ch->next)
				queue_close(ch);
			pp = &c->next;
		}
	}
	pthread_mutex_unlock(&link.mutex);
	flush_out();
	if (link.conn) {
		ofs_conn_close(link.conn);
		link.conn = NULL;
	}
	atomic_store(&link.connected, false);
	if (link.child) {
		/* The host serves other OBS instances too and exits by itself
		 * when its last connection closes: leave it running. */
		ofs_process_release(link.child);
		link.child = NULL;
	}
	return NULL;
}

/* ---- public API ----------------------------------------------------- */

void ofs_link_init(const char *module_dir, const char *host_log_path)
{
	pthread_mutex_lock(&link.mutex);
	bfree(link.module_dir);
	bfree(link.log_path);
	bfree(link.host_stats_json);
	link.host_stats_json = NULL;
	link.module_dir = module_dir ? bstrdup(module_dir) : NULL;
	link.log_path = host_log_path ? bstrdup(host_log_path) : NULL;
	atomic_store(&link.stopping, false);
	if (atomic_load(&link.next_channel_id) == 0)
		atomic_store(&link.next_channel_id, 1);
	pthread_mutex_unlock(&link.mutex);
}

/* Registry mutex held. */
static void start_thread_locked(void)
{
	if (link.thread_started || atomic_load(&link.stopping))
		return;
	if (ofs_endpoint_default(link.endpoint, sizeof(link.endpoint)) != 0) {
		ofs_log(LOG_ERROR, "the host endpoint path is too long");
		return;
	}
	if (!link.reader)
		link.reader = bmalloc(sizeof(*link.reader));
	ofs_control_reader_reset(link.reader);
	if (!link.stop_event && os_event_init(&link.stop_event, OS_EVENT_TYPE_MANUAL) != 0) {
		ofs_log(LOG_ERROR, "cannot create the host link event");
		return;
	}
	if (pthread_create(&link.thread, NULL, link_thread, NULL) != 0) {
		ofs_log(LOG_ERROR, "cannot start the host link thread");
		return;
	}
	link.thread_started = true;
	ofs_log(LOG_INFO, "host link started (endpoint %s)", link.endpoint);
}

void ofs_link_shutdown(void)
{
	pthread_mutex_lock(&link.mutex);
	const bool started = link.thread_started;
	atomic_store(&link.stopping, true);
	pthread_mutex_unlock(&link.mutex);
	if (started) {
		os_event_signal(link.stop_event);
		pthread_join(link.thread, NULL);
		ofs_log(LOG_INFO, "host link stopped");
	}
	pthread_mutex_lock(&link.mutex);
	link.thread_started = false;
	if (link.stop_event) {
		os_event_destroy(link.stop_event);
		link.stop_event = NULL;
	}
	bfree(link.reader);
	link.reader = NULL;
	bfree(link.out);
	link.out = NULL;
	link.out_len = link.out_cap = 0;
	bfree(link.module_dir);
	link.module_dir = NULL;
	bfree(link.log_path);
	link.log_path = NULL;
	bfree(link.host_stats_json);
	link.host_stats_json = NULL;
	pthread_mutex_unlock(&link.mutex);
}

struct ofs_link_client *ofs_link_register(void *filter_source, const char *filter_name)
{
	struct ofs_link_client *c = bzalloc(sizeof(*c));
	c->filter = filter_source;
	atomic_init(&c->desired_size, 0);
	atomic_init(&c->published, NULL);
	atomic_init(&c->in_use, NULL);
	ofs_render_stats_init(&c->render);
	snprintf(c->name, sizeof(c->name), "%s", filter_name ? filter_name : "");
	pthread_mutex_lock(&link.mutex);
	c->next = link.clients;
	link.clients = c;
	start_thread_locked();
	pthread_mutex_unlock(&link.mutex);
	return c;
}

void ofs_link_unregister(struct ofs_link_client *client)
{
	if (!client)
		return;
	pthread_mutex_lock(&link.mutex);
	if (link.thread_started) {
		client->removed = true; /* the link thread closes and frees it */
		pthread_mutex_unlock(&link.mutex);
		return;
	}
	/* No thread (never started, or shut down): free it here. */
	for (struct ofs_link_client **pp = &link.clients; *pp; pp = &(*pp)->next) {
		if (*pp == client) {
			*pp = client->next;
			break;
		}
	}
	pthread_mutex_unlock(&link.mutex);
	struct ofs_link_channel *ch = client->channels;
	while (ch) {
		struct ofs_link_channel *next = ch->next;
		channel_destroy(ch);
		ch = next;
	}
	client_free(client);
}

void ofs_link_set_settings(struct ofs_link_client *client, const char *json, const char *host_path,
			   const char *filter_name)
{
	if (!client)
		return;
	char *j = json ? bstrdup(json) : NULL;
	char *hp = host_path ? bstrdup(host_path) : NULL;
	pthread_mutex_lock(&link.mutex);
	char *old_j = client->settings_json, *old_hp = client->host_path;
	client->settings_json = j;
	client->host_path = hp;
	client->settings_dirty = true;
	if (filter_name)
		snprintf(client->name, sizeof(client->name), "%s", filter_name);
	pthread_mutex_unlock(&link.mutex);
	bfree(old_j);
	bfree(old_hp);
}

void ofs_link_request_size(struct ofs_link_client *client, uint32_t width, uint32_t height)
{
	const uint64_t v = ((uint64_t)width << 32) | height;
	if (atomic_load_explicit(&client->desired_size, memory_order_relaxed) != v)
		atomic_store(&client->desired_size, v);
}

struct ofs_link_channel *ofs_link_acquire_channel(struct ofs_link_client *client)
{
	struct ofs_link_channel *p = atomic_load(&client->published);
	if (p != client->render_current) {
		/* Hazard pointer: announce, then confirm it is still published,
		 * so the link thread never frees a channel this thread uses. */
		for (;;) {
			atomic_store(&client->in_use, p);
			struct ofs_link_channel *q = atomic_load(&client->published);
			if (q == p)
				break;
			p = q;
		}
		client->render_current = p;
	}
	return p;
}

struct ofs_render_stats *ofs_link_render_stats(struct ofs_link_client *client)
{
	return &client->render;
}

void ofs_link_set_video_delay(struct ofs_link_client *client, uint32_t frames)
{
	atomic_store_explicit(&client->video_delay_frames, frames, memory_order_relaxed);
}

void ofs_link_set_face_count(struct ofs_link_client *client, uint32_t faces)
{
	atomic_store_explicit(&client->face_count, faces, memory_order_relaxed);
}

char *ofs_link_copy_host_stats(void)
{
	pthread_mutex_lock(&link.mutex);
	char *copy = link.host_stats_json ? bstrdup(link.host_stats_json) : NULL;
	pthread_mutex_unlock(&link.mutex);
	return copy;
}

void ofs_link_collect_stats(void (*fn)(const struct ofs_link_client_stats *stats, void *param), void *param,
			    struct ofs_link_stats *out)
{
	if (out) {
		out->host_connected = atomic_load(&link.connected);
		out->host_pid = atomic_load(&link.host_pid);
		out->host_restarts = atomic_load(&link.host_restarts);
	}
	if (!fn)
		return;
	pthread_mutex_lock(&link.mutex);
	for (struct ofs_link_client *c = link.clients; c; c = c->next) {
		if (c->removed)
			continue;
		struct ofs_link_client_stats s;
		memset(&s, 0, sizeof(s));
		s.filter = c->filter;
		snprintf(s.filter_name, sizeof(s.filter_name), "%s", c->name);
		s.host_pid = atomic_load(&link.host_pid);
		ofs_render_stats_total(&c->render, &s.render);
		s.video_delay_frames = atomic_load_explicit(&c->video_delay_frames, memory_order_relaxed);
		s.face_count = atomic_load_explicit(&c->face_count, memory_order_relaxed);
		struct ofs_link_channel *ch = atomic_load(&c->published);
		if (ch) {
			struct ofs_channel_header *h = ofs_channel_header(&ch->core);
			s.channel_id = ch->id;
			s.host_connected = atomic_load(&ch->attached);
			s.frames_written = atomic_load(&ch->core.frames_written);
			s.frames_dropped = atomic_load(&ch->core.frames_dropped);
			s.frames_skipped = atomic_load(&ch->core.frames_skipped);
			s.results_consumed = atomic_load(&ch->core.results_consumed);
			s.results_rejected = atomic_load(&ch->core.results_rejected);
			s.last_result_frame_id = atomic_load(&ch->core.last_result_frame_id);
			/* Host counters: informational, read from shared memory. */
			s.host_frames_read = ofs_load_relaxed_u64(&h->frames_read);
			s.host_results_written = ofs_load_relaxed_u64(&h->results_written);
			s.last_pipeline_ns = ofs_load_relaxed_u64(&h->last_pipeline_ns);
		}
		fn(&s, param);
	}
	pthread_mutex_unlock(&link.mutex);
}

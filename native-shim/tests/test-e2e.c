/*
 * End to end over the real platform layer, without OBS: this test plays the
 * module's host link (spawn, connect, HELLO, shared-memory channel,
 * OPEN_CHANNEL, SETTINGS, frames with futex wake-ups, results) against
 * ofs-fake-host, then kills the host mid-stream and checks reclaim, restart
 * and re-attachment of the same channel memory.
 *
 *   test-e2e <path of ofs-fake-host>
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ofs-control.h"
#include "ofs-platform.h"
#include "test-util.h"

#define W 64u
#define H 48u

static const char *host_exe;
static char endpoint[128];
static struct ofs_control_reader *reader;

struct link {
	struct ofs_conn *conn;
	struct ofs_process *proc;
};

static int send_msg(struct link *l, uint16_t type, const void *p1, size_t n1, const void *p2, size_t n2)
{
	uint8_t buf[OFS_CONTROL_HEADER_SIZE + 1024];
	size_t n = ofs_control_encode(buf, sizeof(buf), type, 1, p1, n1, p2, n2);
	return n ? ofs_conn_send(l->conn, buf, n, 1000) : -1;
}

/* Waits for a message of `type`; returns its payload length or -1. */
static int64_t wait_msg(struct link *l, uint16_t type, uint8_t *payload_out, size_t cap, uint32_t timeout_ms)
{
	const uint64_t deadline = ofs_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	while (ofs_monotonic_ns() < deadline) {
		struct ofs_control_header h;
		const uint8_t *payload;
		int rc;
		while ((rc = ofs_control_reader_next(reader, &h, &payload)) == OFS_CTL_OK) {
			if (h.type == type) {
				size_t n = h.length < cap ? h.length : cap;
				memcpy(payload_out, payload, n);
				return (int64_t)h.length;
			}
		}
		if (rc < 0)
			return -1;
		uint8_t *dst;
		size_t space = ofs_control_reader_space(reader, &dst);
		int64_t n = ofs_conn_recv(l->conn, dst, space, 20);
		if (n < 0)
			return -1;
		ofs_control_reader_commit(reader, (size_t)n);
	}
	return -1;
}

static int start_host(struct link *l, const char *crash_after)
{
	const char *argv[] = {host_exe, "--endpoint", endpoint, crash_after ? "--crash-after" : NULL, crash_after,
			      NULL};
	char log[160];
	snprintf(log, sizeof(log), "%s.log", endpoint);
	if (ofs_process_spawn(host_exe, argv, log, &l->proc) != 0)
		return -1;
	/* Connect with backoff while it starts, as the link does. */
	uint32_t backoff = 10;
	for (int i = 0; i < 12; i++) {
		if (ofs_conn_connect(endpoint, 200, &l->conn) == 0)
			break;
		usleep(backoff * 1000u);
		backoff = backoff * 2u > 500u ? 500u : backoff * 2u;
	}
	if (!l->conn)
		return -1;
	ofs_control_reader_reset(reader);
	struct ofs_msg_hello hello = {.pid = ofs_current_pid(), .wire_version = OFS_WIRE_VERSION};
	uint8_t payload[64];
	if (send_msg(l, OFS_MSG_HELLO, &hello, sizeof(hello), NULL, 0) != 0 ||
	    wait_msg(l, OFS_MSG_HELLO_ACK, payload, sizeof(payload), 3000) != sizeof(hello))
		return -1;
	struct ofs_msg_hello ack;
	memcpy(&ack, payload, sizeof(ack));
	CHECK_EQ(ack.pid, ofs_process_pid(l->proc));
	CHECK_EQ(ack.wire_version, OFS_WIRE_VERSION);
	return 0;
}

static int open_channel(struct link *l, struct ofs_shm *shm, const char *name, uint64_t id)
{
	struct ofs_msg_open_channel m;
	memset(&m, 0, sizeof(m));
	m.channel_id = id;
	m.size = ofs_shm_size(shm);
	snprintf(m.shm_name, sizeof(m.shm_name), "%s", name);
	uint8_t payload[64];
	if (send_msg(l, OFS_MSG_OPEN_CHANNEL, &m, sizeof(m), NULL, 0) != 0 ||
	    wait_msg(l, OFS_MSG_CHANNEL_OPENED, payload, sizeof(payload), 3000) != 8)
		return -1;
	struct ofs_msg_channel_ref ref = {.channel_id = id};
	const char *json = "{\"mode\":\"diagnostic\"}";
	return send_msg(l, OFS_MSG_SETTINGS, &ref, sizeof(ref), json, strlen(json));
}

/* Sends one BGRA frame and waits for its result; checks the inverted centre.
 * Returns 1 on a good result, 0 if none came (host gone), -1 on a bad one. */
static int frame_round_trip(struct ofs_channel *ch, struct ofs_shm *shm, uint8_t seed, uint8_t *buf)
{
	struct ofs_frame_writer w;
	if (ofs_frame_begin(ch, 1, &w) != OFS_OK)
		return -1;
	struct ofs_frame_info info = {.timestamp_ns = ofs_monotonic_ns(), .source_width = W * 2, .source_height = H * 2};
	ofs_frame_layout(&info, OFS_PIXEL_BGRA, W, H);
	for (uint32_t i = 0; i < info.data_size; i++)
		w.data[i] = (i % 4u == 3u) ? 255 : (uint8_t)(seed + i * 3u);
	uint8_t expect = (uint8_t)(255 - (uint8_t)(seed + ((H / 4u) * W * 4u + (W / 4u) * 4u) * 3u));
	if (ofs_frame_commit(ch, &w, &info) != OFS_OK)
		return -1;
	ofs_shm_wake(shm, ofs_channel_frame_seq(ch));

	const uint64_t deadline = ofs_monotonic_ns() + 2000000000ull;
	while (ofs_monotonic_ns() < deadline) {
		struct ofs_result r;
		int rc = ofs_result_read(ch, buf, ofs_result_capacity(ch), &r);
		if (rc == OFS_EMPTY) {
			usleep(500);
			continue;
		}
		if (rc != OFS_OK || r.header.frame_id != info.frame_id)
			return -1;
		const struct ofs_result_item *it = &r.items[0];
		if (r.header.item_count != 1 || it->kind != OFS_ITEM_PATCH || it->patch_width != W / 2u ||
		    it->patch_height != H / 2u || it->affine[2] != (float)(W / 4u) || it->affine[5] != (float)(H / 4u))
			return -1;
		/* Top-left patch pixel = inverted frame pixel (W/4, H/4), blue. */
		return r.payload[it->patch_offset] == expect && r.payload[it->patch_offset + 3] == 255 ? 1 : -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test-e2e <ofs-fake-host>\n");
		return 2;
	}
	host_exe = argv[1];
	signal(SIGPIPE, SIG_IGN);
	char dir[] = "/tmp/ofs-e2e-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	snprintf(endpoint, sizeof(endpoint), "%s/control.sock", dir);
	reader = malloc(sizeof(*reader));

	/* The channel memory belongs to this process ("the shim"). */
	char name[OFS_SHM_NAME_MAX], wake[OFS_SHM_NAME_MAX];
	struct ofs_geometry geo;
	struct ofs_shm *shm = NULL;
	struct ofs_channel ch;
	CHECK_RC(ofs_geometry_compute(&geo, 1, W, H, OFS_DEFAULT_FRAME_SLOTS, OFS_DEFAULT_RESULT_SLOTS,
				      OFS_DEFAULT_RESULT_SLOT_SIZE),
		 OFS_OK);
	CHECK(ofs_channel_names(ofs_current_pid(), 1, name, sizeof(name), wake, sizeof(wake)) == 0);
	CHECK(ofs_shm_create(name, wake, geo.total_size, &shm) == 0);
	if (!shm)
		return test_finish("test-e2e");
	CHECK_RC(ofs_channel_init(&ch, ofs_shm_data(shm), ofs_shm_size(shm), &geo, ofs_current_pid(), 1), OFS_OK);
	uint8_t *buf = aligned_alloc(8, ofs_result_capacity(&ch));

	/* 1. A host that crashes after 20 frames. */
	struct link l = {0};
	CHECK(start_host(&l, "20") == 0);
	CHECK(open_channel(&l, shm, name, 1) == 0);
	int good = 0, rc = 1;
	for (int n = 0; n < 100 && rc == 1; n++) {
		rc = frame_round_trip(&ch, shm, (uint8_t)n, buf);
		good += rc == 1;
	}
	CHECK_EQ(good, 19); /* the 20th frame's result never comes */
	CHECK_EQ(rc, 0);
	struct ofs_channel_header *h = ofs_channel_header(&ch);
	CHECK(h->host_pid == ofs_process_pid(l.proc));
	CHECK_EQ(h->host_epoch, 1);

	/* The link notices the closed connection and the exit code. */
	uint8_t tmp[8];
	CHECK(wait_msg(&l, OFS_MSG_STATS_REPLY, tmp, sizeof(tmp), 2000) == -1);
	int code = 0;
	for (int i = 0; i < 200 && ofs_process_running(l.proc, &code); i++)
		usleep(10000);
	CHECK_EQ(code, 3);
	ofs_process_release(l.proc);
	ofs_conn_close(l.conn);
	/* The crashed host took frame 20 (READING) and never freed it. */
	uint32_t reclaimed = ofs_channel_reclaim_host_slots(&ch);
	printf("reclaimed %u slot(s) after the crash\n", reclaimed);
	CHECK(reclaimed >= 1);

	/* 2. A new host re-attaches the same memory and carries on. */
	struct link l2 = {0};
	CHECK(start_host(&l2, NULL) == 0);
	CHECK(open_channel(&l2, shm, name, 1) == 0);
	good = 0;
	for (int n = 0; n < 30; n++)
		good += frame_round_trip(&ch, shm, (uint8_t)(n * 7), buf) == 1;
	CHECK_EQ(good, 30);
	CHECK_EQ(h->host_epoch, 2);
	CHECK_EQ(h->frames_skipped, 0);
	CHECK_EQ(atomic_load(&ch.results_rejected), 0);

	/* NV12 through the host: Y = 100, U = V = 128 is a grey of about 98,
	 * inverted about 157. */
	struct ofs_frame_writer w;
	CHECK_RC(ofs_frame_begin(&ch, 1, &w), OFS_OK);
	struct ofs_frame_info info = {.timestamp_ns = 1};
	ofs_frame_layout(&info, OFS_PIXEL_NV12, W, H);
	memset(w.data, 100, info.uv_offset);
	memset(w.data + info.uv_offset, 128, info.data_size - info.uv_offset);
	CHECK_RC(ofs_frame_commit(&ch, &w, &info), OFS_OK);
	ofs_shm_wake(shm, ofs_channel_frame_seq(&ch));
	struct ofs_result r;
	rc = OFS_EMPTY;
	for (int i = 0; i < 2000 && rc == OFS_EMPTY; i++) {
		rc = ofs_result_read(&ch, buf, ofs_result_capacity(&ch), &r);
		if (rc == OFS_EMPTY)
			usleep(1000);
	}
	CHECK_RC(rc, OFS_OK);
	if (rc == OFS_OK) {
		const uint8_t *px = r.payload + r.items[0].patch_offset;
		CHECK(px[0] >= 155 && px[0] <= 159 && px[1] >= 155 && px[1] <= 159 && px[2] >= 155 && px[2] <= 159);
	}

	/* 3. Close the channel and the connection; the host waits for the next
	 * shim, and exits on SIGTERM. */
	struct ofs_msg_channel_ref ref = {.channel_id = 1};
	CHECK(send_msg(&l2, OFS_MSG_CLOSE_CHANNEL, &ref, sizeof(ref), NULL, 0) == 0);
	usleep(100000);
	ofs_conn_close(l2.conn);
	usleep(100000);
	CHECK(ofs_process_running(l2.proc, NULL));
	kill((pid_t)ofs_process_pid(l2.proc), SIGTERM);
	for (int i = 0; i < 300 && ofs_process_running(l2.proc, &code); i++)
		usleep(10000);
	CHECK(!ofs_process_running(l2.proc, &code));
	CHECK_EQ(code, 0);
	ofs_process_release(l2.proc);

	ofs_shm_destroy(shm);
	free(buf);
	free(reader);
	char log[160];
	snprintf(log, sizeof(log), "%s.log", endpoint);
	unlink(log);
	unlink(endpoint);
	rmdir(dir);
	return test_finish("test-e2e");
}

/*
 * ofs-fake-host: a minimal stand-in for the .NET host (POSIX only), for
 * testing the module in a real OBS and the platform layer in ctest. It
 * speaks the control protocol, maps channels, and runs the diagnostic
 * stage of docs/frame-channel.md: for each frame, one patch with the
 * colour-inverted centre (x = W/4, y = H/4, w = W/2, h = H/2), placed back
 * where it came from.
 *
 *   ofs-fake-host --endpoint PATH [--max-frames N] [--dump DIR] [--crash-after N]
 *                 [--idle-exit-seconds N]
 *
 * --dump writes the first frame of each channel as DIR/frame-<id>.ppm
 * (NV12 converted to RGB), --crash-after exits abruptly (no cleanup, like a
 * crash) while writing the result of frame N, --max-frames exits normally after N
 * frames, --idle-exit-seconds exits after N seconds without a connection
 * (default 10, 0 = never; like the .NET host, it is left running by OBS).
 *
 * Privacy tests: OFS_FAKE_HOST_FACES="x,y,w,h,id;..." (fractions of the
 * frame, id = face_id) answers every frame with those OFS_ITEM_FACE boxes
 * instead of the diagnostic patch; OFS_FAKE_HOST_STALL_AFTER=N keeps taking
 * frames but writes no result after frame N (a host that lags).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ofs-atomic.h"
#include "ofs-channel.h"
#include "ofs-control.h"
#include "ofs-platform.h"

#define MAX_CHANNELS 16

struct channel {
	uint64_t id;
	struct ofs_shm *shm;
	struct ofs_channel ch;
	uint8_t *frame;
	uint64_t frames;
	int dumped;
	int off;
	uint32_t generation; /* "mode_generation" of the last SETTINGS */
};

static struct channel channels[MAX_CHANNELS];
static volatile sig_atomic_t stop;
static const char *dump_dir;
static uint64_t max_frames, crash_after, total_frames;
static uint64_t idle_exit_s = 10;
static uint64_t stall_after;

#define MAX_FAKE_FACES 16
static float fake_faces[MAX_FAKE_FACES][4];
static uint32_t fake_face_ids[MAX_FAKE_FACES];
static uint32_t fake_face_count;
static int faces_mode;

/* "x,y,w,h,id;..." in fractions of the frame. */
static void parse_faces(const char *spec)
{
	faces_mode = 1;
	const char *p = spec;
	while (*p && fake_face_count < MAX_FAKE_FACES) {
		float v[4];
		unsigned id = 0;
		int used = 0;
		if (sscanf(p, "%f,%f,%f,%f,%u%n", &v[0], &v[1], &v[2], &v[3], &id, &used) != 5 || used <= 0)
			break;
		memcpy(fake_faces[fake_face_count], v, sizeof(v));
		fake_face_ids[fake_face_count++] = id;
		p += used;
		while (*p == ';' || *p == ' ')
			p++;
	}
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int send_msg(int fd, uint16_t type, uint32_t request_id, const void *p1, size_t n1, const void *p2, size_t n2)
{
	uint8_t buf[OFS_CONTROL_HEADER_SIZE + 1024];
	size_t n = ofs_control_encode(buf, sizeof(buf), type, request_id, p1, n1, p2, n2);
	return n && send(fd, buf, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static void send_error(int fd, uint32_t request_id, uint32_t code, const char *text)
{
	struct ofs_msg_error e = {.code = code};
	send_msg(fd, OFS_MSG_ERROR, request_id, &e, sizeof(e), text, strlen(text));
}

static struct channel *find(uint64_t id)
{
	for (int i = 0; i < MAX_CHANNELS; i++)
		if (channels[i].shm && channels[i].id == id)
			return &channels[i];
	return NULL;
}

static void close_channel(struct channel *c)
{
	ofs_shm_destroy(c->shm);
	free(c->frame);
	memset(c, 0, sizeof(*c));
}

static void open_channel(int fd, uint32_t request_id, const struct ofs_msg_open_channel *m)
{
	struct channel *c = find(m->channel_id);
	if (c)
		close_channel(c);
	for (int i = 0; i < MAX_CHANNELS && !c; i++)
		if (!channels[i].shm)
			c = &channels[i];
	if (!c) {
		send_error(fd, request_id, OFS_ERR_CANNOT_MAP, "too many channels");
		return;
	}
	if (ofs_shm_open(m->shm_name, m->size, &c->shm) != 0) {
		send_error(fd, request_id, OFS_ERR_CANNOT_MAP, "cannot map the channel");
		memset(c, 0, sizeof(*c));
		return;
	}
	if (ofs_channel_attach(&c->ch, ofs_shm_data(c->shm), ofs_shm_size(c->shm)) != OFS_OK) {
		send_error(fd, request_id, OFS_ERR_HEADER_INVALID, "channel header invalid");
		close_channel(c);
		return;
	}
	c->id = m->channel_id;
	c->frame = malloc(ofs_frame_capacity(&c->ch));
	struct ofs_channel_header *h = ofs_channel_header(&c->ch);
	ofs_store_relaxed_u32(&h->host_pid, (uint32_t)getpid());
	ofs_store_relaxed_u32(&h->host_epoch, ofs_load_relaxed_u32(&h->host_epoch) + 1u);
	struct ofs_msg_channel_ref ref = {.channel_id = c->id};
	send_msg(fd, OFS_MSG_CHANNEL_OPENED, request_id, &ref, sizeof(ref), NULL, 0);
	printf("fake-host: channel %llu opened (%s, %llu bytes, frame slots of %u bytes)\n", (unsigned long long)c->id,
	       m->shm_name, (unsigned long long)m->size, c->ch.geo.frame_slot_size);
	fflush(stdout);
}

static uint8_t clamp255(int v)
{
	return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

/* BGRA of pixel (x, y) of a frame. */
static void pixel(const struct ofs_frame_info *f, const uint8_t *d, uint32_t x, uint32_t y, uint8_t bgra[4])
{
	if (f->pixel_format == OFS_PIXEL_BGRA) {
		memcpy(bgra, d + (size_t)y * f->stride + 4u * x, 4);
		return;
	}
	/* NV12, BT.709 limited range (the module's frame-convert.effect). */
	const int yy = d[(size_t)y * f->stride + x] - 16;
	const uint8_t *uv = d + f->uv_offset + (size_t)(y / 2u) * f->uv_stride + 2u * (x / 2u);
	const int u = uv[0] - 128, v = uv[1] - 128;
	bgra[2] = clamp255((298 * yy + 459 * v + 128) >> 8);
	bgra[1] = clamp255((298 * yy - 55 * u - 136 * v + 128) >> 8);
	bgra[0] = clamp255((298 * yy + 541 * u + 128) >> 8);
	bgra[3] = 255;
}

static void dump(struct channel *c, const struct ofs_frame_info *f)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/frame-%llu.ppm", dump_dir, (unsigned long long)c->id);
	FILE *out = fopen(path, "wb");
	if (!out)
		return;
	fprintf(out, "P6\n%u %u\n255\n", f->width, f->height);
	for (uint32_t y = 0; y < f->height; y++)
		for (uint32_t x = 0; x < f->width; x++) {
			uint8_t p[4];
			pixel(f, c->frame, x, y, p);
			uint8_t rgb[3] = {p[2], p[1], p[0]};
			fwrite(rgb, 1, 3, out);
		}
	fclose(out);
	printf("fake-host: dumped %s (%ux%u %s, source %ux%u)\n", path, f->width, f->height,
	       f->pixel_format == OFS_PIXEL_NV12 ? "NV12" : "BGRA", f->source_width, f->source_height);
	fflush(stdout);
}

/* The diagnostic stage: one inverted-centre patch. */
static void process(struct channel *c)
{
	struct ofs_frame_info f;
	const uint64_t t0 = ofs_monotonic_ns();
	int rc = ofs_host_frame_take(&c->ch, c->frame, ofs_frame_capacity(&c->ch), &f);
	if (rc == OFS_EMPTY)
		return;
	if (rc != OFS_OK) {
		printf("fake-host: frame rejected: %s\n", ofs_status_name(rc));
		return;
	}
	c->frames++;
	total_frames++;
	if (dump_dir && !c->dumped) {
		dump(c, &f);
		c->dumped = 1;
	}
	if (stall_after && total_frames > stall_after)
		return; /* a host that lags: frames taken, no results */
	struct ofs_result_writer w;
	if (ofs_host_result_begin(&c->ch, &w) != OFS_OK)
		return;
	if (crash_after && total_frames >= crash_after) {
		/* Die half-way through the result: the slot stays WRITING with an
		 * odd generation, for the shim to reclaim. */
		memset(w.data, 0xCD, 256);
		printf("fake-host: crashing on purpose in frame %llu\n", (unsigned long long)total_frames);
		fflush(stdout);
		_exit(3);
	}
	uint32_t px = f.width / 4u, py = f.height / 4u, pw = f.width / 2u, ph = f.height / 2u;
	pw = pw > OFS_MAX_PATCH_SIDE ? OFS_MAX_PATCH_SIDE : pw;
	ph = ph > OFS_MAX_PATCH_SIDE ? OFS_MAX_PATCH_SIDE : ph;
	uint32_t items = 0, size = 0;
	if (faces_mode) {
		for (uint32_t i = 0; i < fake_face_count && (i + 1u) * OFS_ITEM_SIZE <= w.capacity; i++) {
			struct ofs_result_item it;
			memset(&it, 0, sizeof(it));
			it.kind = OFS_ITEM_FACE;
			it.face_id = fake_face_ids[i];
			it.score = 0.9f;
			it.box[0] = fake_faces[i][0] * (float)f.width;
			it.box[1] = fake_faces[i][1] * (float)f.height;
			it.box[2] = fake_faces[i][2] * (float)f.width;
			it.box[3] = fake_faces[i][3] * (float)f.height;
			memcpy(w.data + (size_t)i * OFS_ITEM_SIZE, &it, sizeof(it));
			items++;
		}
		size = items * OFS_ITEM_SIZE;
	} else if (!c->off && pw && ph && OFS_ITEM_SIZE + 4ull * pw * ph <= w.capacity) {
		struct ofs_result_item it;
		memset(&it, 0, sizeof(it));
		it.kind = OFS_ITEM_PATCH;
		it.score = 1.0f;
		it.box[0] = (float)px;
		it.box[1] = (float)py;
		it.box[2] = (float)pw;
		it.box[3] = (float)ph;
		it.affine[0] = 1.0f;
		it.affine[2] = (float)px;
		it.affine[4] = 1.0f;
		it.affine[5] = (float)py;
		it.patch_offset = OFS_ITEM_SIZE;
		it.patch_width = pw;
		it.patch_height = ph;
		it.patch_stride = 4u * pw;
		it.patch_format = OFS_PATCH_BGRA;
		it.opacity = 1.0f;
		memcpy(w.data, &it, sizeof(it));
		uint8_t *out = w.data + OFS_ITEM_SIZE;
		for (uint32_t y = 0; y < ph; y++)
			for (uint32_t x = 0; x < pw; x++) {
				uint8_t p[4];
				pixel(&f, c->frame, px + x, py + y, p);
				uint8_t *o = out + ((size_t)y * pw + x) * 4u;
				o[0] = (uint8_t)(255 - p[0]);
				o[1] = (uint8_t)(255 - p[1]);
				o[2] = (uint8_t)(255 - p[2]);
				o[3] = 255;
			}
		items = 1;
		size = OFS_ITEM_SIZE + 4u * pw * ph;
	}
	struct ofs_result_slot fields;
	memset(&fields, 0, sizeof(fields));
	fields.frame_id = f.frame_id;
	fields.timestamp_ns = f.timestamp_ns;
	fields.frame_width = f.width;
	fields.frame_height = f.height;
	fields.item_count = items;
	fields.data_size = size;
	fields.pipeline_ns = ofs_monotonic_ns() - t0;
	fields.settings_generation = c->generation;
	ofs_host_result_commit(&c->ch, &w, &fields);
	struct ofs_channel_header *h = ofs_channel_header(&c->ch);
	ofs_store_relaxed_u64(&h->host_heartbeat_ns, ofs_monotonic_ns());
	if (max_frames && total_frames >= max_frames)
		stop = 1;
}

static int handle(int fd, const struct ofs_control_header *h, const uint8_t *payload)
{
	switch (h->type) {
	case OFS_MSG_HELLO: {
		struct ofs_msg_hello m;
		if (ofs_control_decode_hello(payload, h->length, &m) != OFS_CTL_OK) {
			send_error(fd, h->request_id, OFS_ERR_BAD_LENGTH, "bad HELLO");
			return -1;
		}
		if (m.wire_version != OFS_WIRE_VERSION) {
			send_error(fd, h->request_id, OFS_ERR_VERSION_MISMATCH, "wire version mismatch");
			return -1;
		}
		struct ofs_msg_hello ack = {.pid = (uint32_t)getpid(), .wire_version = OFS_WIRE_VERSION};
		printf("fake-host: HELLO from pid %u\n", m.pid);
		fflush(stdout);
		return send_msg(fd, OFS_MSG_HELLO_ACK, h->request_id, &ack, sizeof(ack), NULL, 0);
	}
	case OFS_MSG_OPEN_CHANNEL: {
		struct ofs_msg_open_channel m;
		if (ofs_control_decode_open_channel(payload, h->length, &m) != OFS_CTL_OK) {
			send_error(fd, h->request_id, OFS_ERR_BAD_LENGTH, "bad OPEN_CHANNEL");
			return 0;
		}
		open_channel(fd, h->request_id, &m);
		return 0;
	}
	case OFS_MSG_CLOSE_CHANNEL: {
		struct ofs_msg_channel_ref r;
		struct channel *c;
		if (ofs_control_decode_channel_ref(payload, h->length, &r) == OFS_CTL_OK && (c = find(r.channel_id))) {
			printf("fake-host: channel %llu closed after %llu frames\n", (unsigned long long)c->id,
			       (unsigned long long)c->frames);
			fflush(stdout);
			close_channel(c);
		}
		return 0;
	}
	case OFS_MSG_SETTINGS: {
		struct ofs_msg_channel_ref r;
		const char *json;
		uint32_t len;
		struct channel *c;
		if (ofs_control_decode_settings(payload, h->length, &r, &json, &len) == OFS_CTL_OK) {
			printf("fake-host: settings for channel %llu: %.*s\n", (unsigned long long)r.channel_id, (int)len,
			       json);
			fflush(stdout);
			if ((c = find(r.channel_id))) {
				c->off = memmem(json, len, "\"off\"", 5) != NULL;
				/* Echo "mode_generation" as the real host does. */
				const char *g = memmem(json, len, "\"mode_generation\":", 18);
				c->generation = g ? (uint32_t)strtoul(g + 18, NULL, 10) : 0u;
			}
		}
		return 0;
	}
	default:
		if (!ofs_control_type_known(h->type))
			send_error(fd, h->request_id, OFS_ERR_UNKNOWN_TYPE, "unknown type");
		return 0;
	}
}

static int listen_on(const char *endpoint)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", endpoint);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0700);
	}
	unlink(endpoint);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(endpoint) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "fake-host: endpoint path too long\n");
		return -1;
	}
	memcpy(addr.sun_path, endpoint, strlen(endpoint) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	mode_t old = umask(0077);
	int rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (rc != 0 || listen(fd, 4) != 0) {
		fprintf(stderr, "fake-host: cannot listen on %s: %s\n", endpoint, strerror(errno));
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *endpoint = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--endpoint") && i + 1 < argc)
			endpoint = argv[++i];
		else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
			dump_dir = argv[++i];
		else if (!strcmp(argv[i], "--max-frames") && i + 1 < argc)
			max_frames = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--crash-after") && i + 1 < argc)
			crash_after = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--idle-exit-seconds") && i + 1 < argc)
			idle_exit_s = strtoull(argv[++i], NULL, 10);
	}
	if (!dump_dir)
		dump_dir = getenv("OFS_FAKE_HOST_DUMP");
	const char *crash = getenv("OFS_FAKE_HOST_CRASH_AFTER");
	if (!crash_after && crash)
		crash_after = strtoull(crash, NULL, 10);
	const char *faces = getenv("OFS_FAKE_HOST_FACES");
	if (faces && *faces)
		parse_faces(faces);
	const char *stall = getenv("OFS_FAKE_HOST_STALL_AFTER");
	if (stall)
		stall_after = strtoull(stall, NULL, 10);
	char def[512];
	if (!endpoint && ofs_endpoint_default(def, sizeof(def)) == 0)
		endpoint = def;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	int srv = listen_on(endpoint);
	if (srv < 0)
		return 1;
	printf("fake-host: pid %d listening on %s\n", (int)getpid(), endpoint);
	fflush(stdout);

	struct ofs_control_reader *reader = malloc(sizeof(*reader));
	uint64_t idle_since = ofs_monotonic_ns();
	while (!stop) {
		struct pollfd p = {.fd = srv, .events = POLLIN};
		if (poll(&p, 1, 200) <= 0) {
			if (idle_exit_s && ofs_monotonic_ns() - idle_since > idle_exit_s * 1000000000ull) {
				printf("fake-host: idle for %llu s, exiting\n", (unsigned long long)idle_exit_s);
				break;
			}
			continue;
		}
		int fd = accept4(srv, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			continue;
		printf("fake-host: connection accepted\n");
		fflush(stdout);
		ofs_control_reader_reset(reader);
		int alive = 1;
		while (alive && !stop) {
			/* Control messages. */
			uint8_t *dst;
			size_t space = ofs_control_reader_space(reader, &dst);
			ssize_t n = recv(fd, dst, space, 0);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
				alive = 0;
				break;
			}
			if (n > 0) {
				ofs_control_reader_commit(reader, (size_t)n);
				struct ofs_control_header h;
				const uint8_t *payload;
				int rc;
				while ((rc = ofs_control_reader_next(reader, &h, &payload)) == OFS_CTL_OK)
					if (handle(fd, &h, payload) != 0)
						alive = 0;
				if (rc < 0) {
					send_error(fd, 0, OFS_ERR_BAD_LENGTH, "malformed header");
					alive = 0;
				}
			}
			/* Frames: wait on the first channel's futex, then serve all. */
			struct channel *first = NULL;
			for (int i = 0; i < MAX_CHANNELS && !first; i++)
				if (channels[i].shm)
					first = &channels[i];
			if (first) {
				uint32_t *seq = ofs_channel_frame_seq(&first->ch);
				uint32_t seen = ofs_load_acquire_u32(seq);
				for (int i = 0; i < MAX_CHANNELS; i++)
					if (channels[i].shm)
						process(&channels[i]);
				if (ofs_load_acquire_u32(seq) == seen)
					ofs_shm_wait(first->shm, seq, seen, 20);
			} else {
				struct pollfd q = {.fd = fd, .events = POLLIN};
				poll(&q, 1, 50);
			}
		}
		printf("fake-host: connection closed; detaching %s\n", stop ? "and exiting" : "all channels");
		fflush(stdout);
		for (int i = 0; i < MAX_CHANNELS; i++)
			if (channels[i].shm)
				close_channel(&channels[i]);
		close(fd);
		idle_since = ofs_monotonic_ns();
	}
	close(srv);
	unlink(endpoint);
	free(reader);
	printf("fake-host: exiting after %llu frames\n", (unsigned long long)total_frames);
	return 0;
}

/* Stream targets' pure-C core: platform limits, validation, the public
 * description, the 0600 store. See ofs-targets.h. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "ofs-targets.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

/*
 * Published limits, checked 2026-11 with the search tool (cite, don't trust
 * blindly: platforms change them):
 *
 * - Twitch: "Keyframe Interval: 2 seconds", H.264 CBR (help.twitch.tv
 *   article 1253460 "Broadcast Requirements"); maximum video bitrate 6000
 *   kbps for 1080p60 (Twitch's broadcasting guidelines; partners may go to
 *   8500, we keep 6000), audio AAC at most 320 kbps (twitch.tv/creatorcamp
 *   .../broadcast-recommendations; an older page says 160). Max 1080p60.
 * - YouTube: keyframe frequency "Recommended 2 seconds. Do not exceed 4
 *   seconds" (support.google.com/youtube/answer/2853702, encoder settings);
 *   the highest row of its bitrate table is 2160p60 (up to 40-51 Mbps
 *   depending on the codec; we allow 51000 kbps). The 4 s figure is from that
 *   page's "Encoder settings" section, which the stored excerpt cut off:
 *   unsure whether it still reads so.
 * - Facebook: 1080p at most, 1080p60 bitrate range 4500-9000 kbps, "Key
 *   Frame Size - Recommended 2 seconds. Do not exceed 4 seconds", audio 128
 *   to 256 kbps, RTMPS (developers.facebook.com/docs/live-video-api/
 *   reference). An older Facebook spec says "must send an I-frame at least
 *   once every two seconds": we take the stricter 2 s.
 * - TikTok: no official specification was found; third-party guides say a
 *   2 s keyframe interval and up to 1080p (portrait 1080x1920). Unsure: we
 *   enforce keyint <= 2 s and 1080p60 only, no bitrate limit of ours.
 * - custom: only sanity limits.
 */
static const struct ofs_platform_limits limits[OFS_PLATFORM_COUNT] = {
	[OFS_PLATFORM_TWITCH] = {"twitch", "rtmp://live.twitch.tv/app", 6000, 320, 2, 1920, 1080, 60},
	[OFS_PLATFORM_YOUTUBE] = {"youtube", "rtmp://a.rtmp.youtube.com/live2", 51000, 512, 4, 3840, 2160, 60},
	[OFS_PLATFORM_FACEBOOK] = {"facebook", "rtmps://live-api-s.facebook.com:443/rtmp/", 9000, 256, 2, 1920, 1080, 60},
	[OFS_PLATFORM_TIKTOK] = {"tiktok", NULL, 0, 0, 2, 1920, 1080, 60},
	[OFS_PLATFORM_CUSTOM] = {"custom", NULL, 0, 0, 0, 0, 0, 0},
};

/* Sanity limits for every platform. */
#define SANE_MAX_VIDEO_KBPS 100000
#define SANE_MAX_AUDIO_KBPS 512
#define SANE_MIN_AUDIO_KBPS 32
#define SANE_MAX_KEYINT_SEC 20
#define SANE_MAX_SIDE 4096
#define SANE_MIN_SIDE 64
#define SANE_MAX_FPS 120

const struct ofs_platform_limits *ofs_platform_limits(enum ofs_platform platform)
{
	return (unsigned)platform < OFS_PLATFORM_COUNT ? &limits[platform] : NULL;
}

bool ofs_platform_parse(const char *text, enum ofs_platform *out)
{
	if (!text)
		return false;
	for (int i = 0; i < OFS_PLATFORM_COUNT; i++) {
		if (strcmp(text, limits[i].name) == 0) {
			*out = (enum ofs_platform)i;
			return true;
		}
	}
	return false;
}

const char *ofs_platform_name(enum ofs_platform platform)
{
	return (unsigned)platform < OFS_PLATFORM_COUNT ? limits[platform].name : "?";
}

bool ofs_protocol_of_url(const char *url, enum ofs_protocol *out)
{
	static const struct {
		const char *prefix;
		enum ofs_protocol protocol;
	} schemes[] = {{"rtmp://", OFS_PROTOCOL_RTMP}, {"rtmps://", OFS_PROTOCOL_RTMPS}, {"srt://", OFS_PROTOCOL_SRT}};
	if (!url)
		return false;
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i].prefix);
		if (strncmp(url, schemes[i].prefix, n) == 0) {
			*out = schemes[i].protocol;
			return true;
		}
	}
	return false;
}

const char *ofs_protocol_name(enum ofs_protocol protocol)
{
	switch (protocol) {
	case OFS_PROTOCOL_RTMP:
		return "rtmp";
	case OFS_PROTOCOL_RTMPS:
		return "rtmps";
	case OFS_PROTOCOL_SRT:
		return "srt";
	}
	return "?";
}

bool ofs_target_name_valid(const char *name)
{
	if (!name)
		return false;
	size_t n = strlen(name);
	if (n == 0 || n > OFS_TARGET_NAME_MAX || name[0] == ' ' || name[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
			  c == '_' || c == '-' || c == '.';
		if (!ok)
			return false;
	}
	return true;
}

static bool fail(char *error, size_t size, const char *format, ...)
{
	if (error && size) {
		va_list args;
		va_start(args, format);
		vsnprintf(error, size, format, args);
		va_end(args);
	}
	return false;
}

/* Printable ASCII without spaces (a URL) or without control characters (a
 * key: CR/LF could forge lines in a log or a protocol). */
static bool printable(const char *s, bool allow_space)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || (!allow_space && c == ' '))
			return false;
	}
	return true;
}

static bool validate_server(struct ofs_target_config *cfg, const struct ofs_platform_limits *lim, char *error,
			    size_t size)
{
	if (!cfg->server[0]) {
		if (!lim->default_server)
			return fail(error, size, "server: required for platform %s (rtmp://, rtmps:// or srt:// URL)",
				    lim->name);
		snprintf(cfg->server, sizeof(cfg->server), "%s", lim->default_server);
	}
	enum ofs_protocol protocol;
	if (!ofs_protocol_of_url(cfg->server, &protocol))
		return fail(error, size, "server: must start with rtmp://, rtmps:// or srt://");
	if (!printable(cfg->server, false))
		return fail(error, size, "server: must not contain spaces or control characters");
	const char *host = strstr(cfg->server, "://") + 3;
	if (!*host || *host == '/' || *host == ':')
		return fail(error, size, "server: has no host");
	if (protocol == OFS_PROTOCOL_SRT && cfg->platform != OFS_PLATFORM_CUSTOM)
		return fail(error, size, "server: srt:// is only for platform custom (%s ingests RTMP)", lim->name);
	return true;
}

static bool validate_encoder(struct ofs_target_config *cfg, const struct ofs_platform_limits *lim, char *error,
			     size_t size)
{
	struct ofs_target_encoder *e = &cfg->encoder;
	if (e->shared)
		return true;
	const char *p = lim->name;
	if (e->width < SANE_MIN_SIDE || e->width > SANE_MAX_SIDE || e->height < SANE_MIN_SIDE ||
	    e->height > SANE_MAX_SIDE)
		return fail(error, size, "encoder.width/height: %dx%d is outside %d..%d", e->width, e->height,
			    SANE_MIN_SIDE, SANE_MAX_SIDE);
	if (e->width % 2 || e->height % 2)
		return fail(error, size, "encoder.width/height: %dx%d must be even (4:2:0 video)", e->width, e->height);
	const int longer = e->width > e->height ? e->width : e->height;
	const int shorter = e->width > e->height ? e->height : e->width;
	if (lim->max_long_side && (longer > lim->max_long_side || shorter > lim->max_short_side))
		return fail(error, size, "encoder.width/height: %dx%d exceeds %s's maximum of %dx%d", e->width,
			    e->height, p, lim->max_long_side, lim->max_short_side);
	if (e->bitrate_kbps < 100 || e->bitrate_kbps > SANE_MAX_VIDEO_KBPS)
		return fail(error, size, "encoder.bitrateKbps: %d is outside 100..%d", e->bitrate_kbps,
			    SANE_MAX_VIDEO_KBPS);
	if (lim->max_video_kbps && e->bitrate_kbps > lim->max_video_kbps)
		return fail(error, size, "encoder.bitrateKbps: %d exceeds %s's maximum of %d kbps", e->bitrate_kbps, p,
			    lim->max_video_kbps);
	if (e->keyint_sec < 1 || e->keyint_sec > SANE_MAX_KEYINT_SEC)
		return fail(error, size, "encoder.keyintSec: %d is outside 1..%d", e->keyint_sec, SANE_MAX_KEYINT_SEC);
	if (lim->max_keyint_sec && e->keyint_sec > lim->max_keyint_sec)
		return fail(error, size, "encoder.keyintSec: %d exceeds %s's keyframe interval of at most %d s",
			    e->keyint_sec, p, lim->max_keyint_sec);
	if (e->fps < 0 || e->fps > SANE_MAX_FPS)
		return fail(error, size, "encoder.fps: %d is outside 0..%d (0: the canvas rate)", e->fps, SANE_MAX_FPS);
	if (lim->max_fps && e->fps > lim->max_fps)
		return fail(error, size, "encoder.fps: %d exceeds %s's maximum of %d fps", e->fps, p, lim->max_fps);
	if (e->audio_bitrate_kbps == 0)
		e->audio_bitrate_kbps = OFS_TARGET_AUDIO_KBPS_DEFAULT;
	if (e->audio_bitrate_kbps < SANE_MIN_AUDIO_KBPS || e->audio_bitrate_kbps > SANE_MAX_AUDIO_KBPS)
		return fail(error, size, "encoder.audioBitrateKbps: %d is outside %d..%d", e->audio_bitrate_kbps,
			    SANE_MIN_AUDIO_KBPS, SANE_MAX_AUDIO_KBPS);
	if (lim->max_audio_kbps && e->audio_bitrate_kbps > lim->max_audio_kbps)
		return fail(error, size, "encoder.audioBitrateKbps: %d exceeds %s's maximum of %d kbps",
			    e->audio_bitrate_kbps, p, lim->max_audio_kbps);
	return true;
}

bool ofs_target_validate(struct ofs_target_config *cfg, char *error, size_t size)
{
	if (!cfg)
		return fail(error, size, "no target");
	if (!ofs_target_name_valid(cfg->name))
		return fail(error, size, "name: 1..%d characters of letters, digits, space, '_', '-' or '.'",
			    OFS_TARGET_NAME_MAX);
	const struct ofs_platform_limits *lim = ofs_platform_limits(cfg->platform);
	if (!lim)
		return fail(error, size, "platform: one of twitch, youtube, facebook, tiktok, custom");
	if (!validate_server(cfg, lim, error, size))
		return false;
	/* The key's value never appears in a message. */
	if (!cfg->key[0] && cfg->platform != OFS_PLATFORM_CUSTOM)
		return fail(error, size, "key: required for platform %s", lim->name);
	if (!printable(cfg->key, true))
		return fail(error, size, "key: must not contain control characters");
	return validate_encoder(cfg, lim, error, size);
}

/* --- the public description -------------------------------------------- */

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	char *dst = o->len < o->size ? o->buf + o->len : NULL;
	size_t room = o->len < o->size ? o->size - o->len : 0;
	int n = vsnprintf(dst, room, format, args);
	va_end(args);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_json_string(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20)
			put(o, "\\u%04x", c);
		else
			put(o, "%c", c);
	}
	put(o, "\"");
}

size_t ofs_target_public_json(const struct ofs_target_config *cfg, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	if (buf && size)
		buf[0] = '\0';
	enum ofs_protocol protocol = OFS_PROTOCOL_RTMP;
	const bool known = ofs_protocol_of_url(cfg->server, &protocol);
	put(&o, "{\"name\":");
	put_json_string(&o, cfg->name);
	put(&o, ",\"platform\":");
	put_json_string(&o, ofs_platform_name(cfg->platform));
	put(&o, ",\"server\":");
	put_json_string(&o, cfg->server);
	put(&o, ",\"protocol\":");
	put_json_string(&o, known ? ofs_protocol_name(protocol) : "");
	const struct ofs_target_encoder *e = &cfg->encoder;
	if (e->shared)
		put(&o, ",\"encoder\":\"shared\"");
	else
		put(&o,
		    ",\"encoder\":{\"width\":%d,\"height\":%d,\"bitrateKbps\":%d,\"keyintSec\":%d,\"fps\":%d,"
		    "\"audioBitrateKbps\":%d}",
		    e->width, e->height, e->bitrate_kbps, e->keyint_sec, e->fps, e->audio_bitrate_kbps);
	put(&o, ",\"autoStart\":%s}", cfg->auto_start ? "true" : "false");
	if (buf && size && o.len >= size)
		buf[size - 1] = '\0';
	return o.len;
}

/* --- the store ------------------------------------------------------------ */

#define STORE_MAGIC "obs-faceswap-stream-targets 1"
#define STORE_FIELDS 12

/* Percent-escapes '%', tab, CR, LF and other control characters. */
static void put_escaped(struct out *o, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '%' || c < 0x20 || c == 0x7f)
			put(o, "%%%02X", c);
		else
			put(o, "%c", c);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Unescapes field into dst[size]; false if malformed or too long. */
static bool get_escaped(const char *field, char *dst, size_t size)
{
	size_t n = 0;
	for (const char *s = field; *s; s++) {
		char c = *s;
		if (c == '%') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (char)(hi * 16 + lo);
			s += 2;
		}
		if (n + 1 >= size)
			return false;
		dst[n++] = c;
	}
	dst[n] = '\0';
	return true;
}

static bool get_int(const char *field, int *out)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(field, &end, 10);
	if (errno || end == field || *end || v < -1000000 || v > 1000000)
		return false;
	*out = (int)v;
	return true;
}

static void format_target(struct out *o, const struct ofs_target_config *t)
{
	const struct ofs_target_encoder *e = &t->encoder;
	put_escaped(o, t->name);
	put(o, "\t%s\t", ofs_platform_name(t->platform));
	put_escaped(o, t->server);
	put(o, "\t");
	put_escaped(o, t->key);
	put(o, "\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", e->shared ? "shared" : "own", e->width, e->height, e->bitrate_kbps,
	    e->keyint_sec, e->fps, e->audio_bitrate_kbps, t->auto_start ? 1 : 0);
}

#ifdef _WIN32
/* Windows: the file lives in the user's own profile (%APPDATA%), whose ACL
 * already excludes other users; _S_IREAD | _S_IWRITE only controls the
 * read-only attribute. An owner-only DACL (as the channel's file mapping
 * has) is not set here: untested on Windows. */
#define OPEN_EXCL(p) _open((p), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE)
#define WRITE_FD(fd, b, n) _write((fd), (b), (unsigned)(n))
#define CLOSE_FD(fd) _close(fd)
#define SYNC_FD(fd) _commit(fd)
#define FCHMOD_0600(fd) 0
#else
#define OPEN_EXCL(p) open((p), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)
#define WRITE_FD(fd, b, n) write((fd), (b), (n))
#define CLOSE_FD(fd) close(fd)
#define SYNC_FD(fd) fsync(fd)
#define FCHMOD_0600(fd) fchmod((fd), 0600) /* whatever the umask did */
#endif

int ofs_targets_store_write(const char *path, const struct ofs_target_config *targets, size_t count, char *error,
			    size_t error_size)
{
	if (!path || (count && !targets)) {
		fail(error, error_size, "store: no path");
		return -1;
	}
	/* Format into memory first (keys are at most 512 bytes a target). */
	struct out o = {NULL, 0, 0};
	put(&o, STORE_MAGIC "\n");
	for (size_t i = 0; i < count; i++)
		format_target(&o, &targets[i]);
	const size_t needed = o.len + 1;
	char *text = malloc(needed);
	if (!text) {
		fail(error, error_size, "store: out of memory");
		return -1;
	}
	o = (struct out){text, needed, 0};
	put(&o, STORE_MAGIC "\n");
	for (size_t i = 0; i < count; i++)
		format_target(&o, &targets[i]);

	size_t plen = strlen(path);
	char *tmp = malloc(plen + 5);
	if (!tmp) {
		free(text);
		fail(error, error_size, "store: out of memory");
		return -1;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	int rc = -1;
	(void)remove(tmp); /* a stale one from a crash; O_EXCL below refuses anything else */
	int fd = OPEN_EXCL(tmp);
	if (fd < 0) {
		fail(error, error_size, "store: cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (FCHMOD_0600(fd) != 0) {
		fail(error, error_size, "store: cannot set mode 0600 on %s: %s", tmp, strerror(errno));
		CLOSE_FD(fd);
		(void)remove(tmp);
		goto out;
	}
	size_t done = 0;
	while (done < o.len) {
		long n = (long)WRITE_FD(fd, text + done, o.len - done);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		done += (size_t)n;
	}
	const bool written = done == o.len && SYNC_FD(fd) == 0;
	const int saved = errno;
	if (CLOSE_FD(fd) != 0 || !written) {
		fail(error, error_size, "store: cannot write %s: %s", tmp, strerror(written ? errno : saved));
		(void)remove(tmp);
		goto out;
	}
#ifdef _WIN32
	(void)remove(path); /* rename does not replace on Windows */
#endif
	if (rename(tmp, path) != 0) {
		fail(error, error_size, "store: cannot rename %s to %s: %s", tmp, path, strerror(errno));
		(void)remove(tmp);
		goto out;
	}
	rc = 0;
out:
	/* The formatted text holds keys: wipe it before freeing. */
	volatile char *wipe = text;
	for (size_t i = 0; i < needed; i++)
		wipe[i] = 0;
	free(text);
	free(tmp);
	return rc;
}

/* Splits line (modified) at tabs into fields[max]; returns the count. */
static int split_tabs(char *line, char **fields, int max)
{
	int n = 0;
	char *s = line;
	while (n < max) {
		fields[n++] = s;
		char *tab = strchr(s, '\t');
		if (!tab)
			break;
		*tab = '\0';
		s = tab + 1;
	}
	return n;
}

static bool parse_target(char *line, struct ofs_target_config *t)
{
	char *f[STORE_FIELDS + 1];
	if (split_tabs(line, f, STORE_FIELDS + 1) != STORE_FIELDS)
		return false;
	memset(t, 0, sizeof(*t));
	int auto_start = 0;
	struct ofs_target_encoder *e = &t->encoder;
	if (!get_escaped(f[0], t->name, sizeof(t->name)) || !ofs_platform_parse(f[1], &t->platform) ||
	    !get_escaped(f[2], t->server, sizeof(t->server)) || !get_escaped(f[3], t->key, sizeof(t->key)))
		return false;
	if (strcmp(f[4], "shared") == 0)
		e->shared = true;
	else if (strcmp(f[4], "own") != 0)
		return false;
	if (!get_int(f[5], &e->width) || !get_int(f[6], &e->height) || !get_int(f[7], &e->bitrate_kbps) ||
	    !get_int(f[8], &e->keyint_sec) || !get_int(f[9], &e->fps) || !get_int(f[10], &e->audio_bitrate_kbps) ||
	    !get_int(f[11], &auto_start))
		return false;
	t->auto_start = auto_start != 0;
	return ofs_target_validate(t, NULL, 0);
}

int ofs_targets_store_read(const char *path, struct ofs_target_config *targets, size_t max, size_t *skipped,
			   char *error, size_t error_size)
{
	if (skipped)
		*skipped = 0;
	FILE *file = fopen(path, "rb");
	if (!file) {
		if (errno == ENOENT)
			return 0;
		fail(error, error_size, "store: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
#ifndef _WIN32
	struct stat st;
	if (fstat(fileno(file), &st) == 0 && (st.st_mode & 077))
		(void)fchmod(fileno(file), 0600); /* someone loosened it: the keys stay private */
#endif
	/* A line is at most about 3 x (64 + 512 + 512) escaped bytes plus numbers. */
	enum { LINE_MAX_BYTES = 4096 };
	char *line = malloc(LINE_MAX_BYTES);
	if (!line) {
		fclose(file);
		fail(error, error_size, "store: out of memory");
		return -1;
	}
	int count = 0;
	bool first = true;
	while (fgets(line, LINE_MAX_BYTES, file)) {
		size_t n = strlen(line);
		const bool whole = n > 0 && line[n - 1] == '\n';
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!whole && !feof(file)) { /* too long: skip the rest of it */
			int c;
			while ((c = fgetc(file)) != EOF && c != '\n') {
			}
			if (skipped)
				++*skipped;
			continue;
		}
		if (first) {
			first = false;
			if (strcmp(line, STORE_MAGIC) != 0) {
				fail(error, error_size, "store: %s is not a stream-targets file", path);
				count = -1;
				break;
			}
			continue;
		}
		if (!n)
			continue;
		if ((size_t)count < max && parse_target(line, &targets[count]))
			count++;
		else if (skipped)
			++*skipped;
	}
	volatile char *wipe = line;
	for (size_t i = 0; i < LINE_MAX_BYTES; i++)
		wipe[i] = 0;
	free(line);
	fclose(file);
	return count;
}

/* --- adaptive bitrate ----------------------------------------------------- */

void ofs_abr_init(struct ofs_abr *abr, int configured_kbps)
{
	memset(abr, 0, sizeof(*abr));
	abr->configured_kbps = configured_kbps > 0 ? configured_kbps : 1;
	abr->floor_kbps = (int)((long long)abr->configured_kbps * OFS_ABR_FLOOR_PCT / 100);
	if (abr->floor_kbps < 1)
		abr->floor_kbps = 1;
	abr->current_kbps = abr->configured_kbps;
}

void ofs_abr_reset(struct ofs_abr *abr)
{
	abr->current_kbps = abr->configured_kbps;
	abr->high_run = abr->low_run = 0;
}

int ofs_abr_sample(struct ofs_abr *abr, double congestion)
{
	if (!(congestion >= 0.0)) /* NaN or negative: no information */
		congestion = 0.0;
	if (congestion > OFS_ABR_HIGH) {
		abr->high_run++;
		abr->low_run = 0;
	} else if (congestion < OFS_ABR_LOW) {
		abr->low_run++;
		abr->high_run = 0;
	} else {
		abr->high_run = abr->low_run = 0;
	}
	if (abr->high_run >= OFS_ABR_HIGH_SAMPLES) {
		abr->high_run = 0;
		int next = (int)((long long)abr->current_kbps * OFS_ABR_DOWN_PCT / 100);
		if (next < abr->floor_kbps)
			next = abr->floor_kbps;
		abr->current_kbps = next;
	} else if (abr->low_run >= OFS_ABR_LOW_SAMPLES) {
		abr->low_run = 0;
		if (abr->current_kbps < abr->configured_kbps) {
			int step = (int)((long long)abr->configured_kbps * OFS_ABR_UP_PCT / 100);
			if (step < 1)
				step = 1;
			int next = abr->current_kbps + step;
			if (next > abr->configured_kbps)
				next = abr->configured_kbps;
			abr->current_kbps = next;
		}
	}
	return abr->current_kbps;
}

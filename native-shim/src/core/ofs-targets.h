/* Stream targets ("multi-platform streaming inside OBS"): the pure-C core.
 * No libobs, no JSON library: validation against each platform's published
 * limits, the public description of a target (never the key), and the 0600
 * store that keeps targets (keys included) across restarts.
 * The module side (outputs, services, encoders, vendor requests) is
 * src/stream-targets.c. */
#ifndef OFS_TARGETS_H
#define OFS_TARGETS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ofs_platform {
	OFS_PLATFORM_TWITCH,
	OFS_PLATFORM_YOUTUBE,
	OFS_PLATFORM_FACEBOOK,
	OFS_PLATFORM_TIKTOK,
	OFS_PLATFORM_CUSTOM,
	OFS_PLATFORM_COUNT
};

enum ofs_protocol { OFS_PROTOCOL_RTMP, OFS_PROTOCOL_RTMPS, OFS_PROTOCOL_SRT };

#define OFS_TARGET_NAME_MAX 64   /* characters, without the NUL */
#define OFS_TARGET_SERVER_MAX 512
#define OFS_TARGET_KEY_MAX 512
#define OFS_TARGETS_MAX 16        /* targets per OBS */

/* A platform's published limits (see the sources in ofs-targets.c). 0 = no
 * limit of ours. */
struct ofs_platform_limits {
	const char *name;           /* "twitch", ... */
	const char *default_server; /* NULL: the server is required */
	int max_video_kbps;
	int max_audio_kbps;
	int max_keyint_sec;
	int max_long_side;  /* pixels, the longer side of the frame */
	int max_short_side; /* pixels, the shorter side */
	int max_fps;
};

struct ofs_target_encoder {
	bool shared; /* reuse the main stream's encoders; the numbers below are unused */
	int width, height;
	int bitrate_kbps;
	int keyint_sec;
	int fps;                /* 0: the canvas rate */
	int audio_bitrate_kbps; /* 0: OFS_TARGET_AUDIO_KBPS_DEFAULT */
};

#define OFS_TARGET_AUDIO_KBPS_DEFAULT 160

struct ofs_target_config {
	char name[OFS_TARGET_NAME_MAX + 1];
	enum ofs_platform platform;
	char server[OFS_TARGET_SERVER_MAX + 1];
	char key[OFS_TARGET_KEY_MAX + 1]; /* secret: never logged, printed or returned */
	struct ofs_target_encoder encoder;
	bool auto_start;
};

const struct ofs_platform_limits *ofs_platform_limits(enum ofs_platform platform);
/* "twitch" ... "custom"; false for anything else. */
bool ofs_platform_parse(const char *text, enum ofs_platform *out);
const char *ofs_platform_name(enum ofs_platform platform);
/* The protocol of a server URL by its scheme (rtmp://, rtmps://, srt://). */
bool ofs_protocol_of_url(const char *url, enum ofs_protocol *out);
const char *ofs_protocol_name(enum ofs_protocol protocol);

/* 1..64 characters of [A-Za-z0-9 _.-], not starting or ending with a space. */
bool ofs_target_name_valid(const char *name);

/* Validates a configuration and completes it (the platform's default
 * server when none is given, the default audio bitrate). On failure writes
 * a message that names the field and the limit (never the key's value) and
 * returns false. */
bool ofs_target_validate(struct ofs_target_config *cfg, char *error, size_t error_size);

/* The public description as a JSON object: {name, platform, server,
 * protocol, encoder: "shared" | {width, height, bitrateKbps, keyintSec, fps,
 * audioBitrateKbps}, autoStart}. Never the key. Returns the length it needs
 * (like snprintf); the output is cut (and NUL-terminated) if size is too
 * small. */
size_t ofs_target_public_json(const struct ofs_target_config *cfg, char *buf, size_t size);

/* The store: a text file, one target a line, fields tab-separated and
 * percent-escaped, written to PATH.tmp (created O_EXCL, mode 0600, fchmod
 * 0600, fsync) and renamed over PATH. Returns 0 or -1 with a message. */
int ofs_targets_store_write(const char *path, const struct ofs_target_config *targets, size_t count, char *error,
			    size_t error_size);
/* Reads the store into targets[0..max) (each one validated again; invalid
 * lines are skipped and counted in *skipped). A missing file is 0 targets.
 * If the file is readable by group or others it is chmod'ed to 0600 first.
 * Returns the number read, or -1 with a message. */
int ofs_targets_store_read(const char *path, struct ofs_target_config *targets, size_t max, size_t *skipped,
			   char *error, size_t error_size);

/* Adaptive bitrate for a target with its own encoders (never shared ones:
 * their bitrate is the main stream's and every other target's). Fed one
 * congestion sample (obs_output_get_congestion, 0..1) about once a second
 * by the target's control thread; returns the bitrate the encoder should
 * have. Sustained congestion (> OFS_ABR_HIGH for OFS_ABR_HIGH_SAMPLES
 * samples in a row) lowers it to OFS_ABR_DOWN_PCT % (not below
 * OFS_ABR_FLOOR_PCT % of the configured bitrate); sustained calm
 * (< OFS_ABR_LOW for OFS_ABR_LOW_SAMPLES samples in a row) raises it by
 * OFS_ABR_UP_PCT % of the configured bitrate, up to the configured one.
 * Each change restarts both counts; a sample in between resets them, so a
 * single spike never moves the bitrate. */
#define OFS_ABR_HIGH 0.5
#define OFS_ABR_HIGH_SAMPLES 2
#define OFS_ABR_LOW 0.1
#define OFS_ABR_LOW_SAMPLES 5
#define OFS_ABR_DOWN_PCT 80
#define OFS_ABR_UP_PCT 10
#define OFS_ABR_FLOOR_PCT 25

struct ofs_abr {
	int configured_kbps;
	int floor_kbps;
	int current_kbps;
	int high_run; /* consecutive samples above OFS_ABR_HIGH */
	int low_run;  /* consecutive samples below OFS_ABR_LOW */
};

void ofs_abr_init(struct ofs_abr *abr, int configured_kbps);
/* Back to the configured bitrate, counts cleared (a new start). */
void ofs_abr_reset(struct ofs_abr *abr);
/* One sample; returns the new current bitrate (the same when unchanged). */
int ofs_abr_sample(struct ofs_abr *abr, double congestion);

#ifdef __cplusplus
}
#endif

#endif /* OFS_TARGETS_H */

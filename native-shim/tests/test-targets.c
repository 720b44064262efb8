/* Stream targets' pure-C core: platform limits and their messages, URL
 * schemes, names, the public description (never the key), and the 0600
 * store (round trip, permissions, hostile files). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ofs-targets.h"
#include "test-util.h"

static struct ofs_target_config own(enum ofs_platform platform, int w, int h, int kbps, int keyint)
{
	struct ofs_target_config c;
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "t1");
	c.platform = platform;
	snprintf(c.key, sizeof(c.key), "live_123_SECRETKEY");
	if (platform == OFS_PLATFORM_CUSTOM)
		snprintf(c.server, sizeof(c.server), "rtmp://127.0.0.1/app");
	c.encoder = (struct ofs_target_encoder){false, w, h, kbps, keyint, 0, 0};
	c.auto_start = true;
	return c;
}

static struct ofs_target_config shared(enum ofs_platform platform, const char *server)
{
	struct ofs_target_config c;
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "s");
	c.platform = platform;
	snprintf(c.server, sizeof(c.server), "%s", server ? server : "");
	snprintf(c.key, sizeof(c.key), "k");
	c.encoder.shared = true;
	return c;
}

/* Validation fails and the message contains every one of the words. */
static void expect_error(struct ofs_target_config c, const char *w1, const char *w2)
{
	char err[256] = "";
	test_checks++;
	if (ofs_target_validate(&c, err, sizeof(err))) {
		fprintf(stderr, "expected an error with '%s' '%s', got success\n", w1, w2);
		test_failures++;
		return;
	}
	CHECK(strstr(err, w1) != NULL);
	CHECK(!w2 || strstr(err, w2) != NULL);
	CHECK(strstr(err, "SECRETKEY") == NULL);
	if (!strstr(err, w1) || (w2 && !strstr(err, w2)))
		fprintf(stderr, "  message was: %s\n", err);
}

static void expect_ok(struct ofs_target_config *c)
{
	char err[256] = "";
	const bool ok = ofs_target_validate(c, err, sizeof(err));
	CHECK(ok);
	if (!ok)
		fprintf(stderr, "  unexpected error: %s\n", err);
}

static void test_limits(void)
{
	struct ofs_target_config c = own(OFS_PLATFORM_TWITCH, 1920, 1080, 6000, 2);
	expect_ok(&c);
	CHECK(strcmp(c.server, "rtmp://live.twitch.tv/app") == 0);
	CHECK_EQ(c.encoder.audio_bitrate_kbps, OFS_TARGET_AUDIO_KBPS_DEFAULT);

	expect_error(own(OFS_PLATFORM_TWITCH, 1920, 1080, 6001, 2), "encoder.bitrateKbps", "6000");
	expect_error(own(OFS_PLATFORM_TWITCH, 1920, 1080, 6000, 3), "encoder.keyintSec", "2 s");
	expect_error(own(OFS_PLATFORM_TWITCH, 2560, 1440, 6000, 2), "encoder.width/height", "1920x1080");
	struct ofs_target_config fps = own(OFS_PLATFORM_TWITCH, 1280, 720, 4500, 2);
	fps.encoder.fps = 120;
	expect_error(fps, "encoder.fps", "60");

	c = own(OFS_PLATFORM_YOUTUBE, 3840, 2160, 20000, 4);
	expect_ok(&c);
	CHECK(strcmp(c.server, "rtmp://a.rtmp.youtube.com/live2") == 0);
	expect_error(own(OFS_PLATFORM_YOUTUBE, 1920, 1080, 6000, 5), "encoder.keyintSec", "4 s");

	c = own(OFS_PLATFORM_FACEBOOK, 1920, 1080, 9000, 2);
	expect_ok(&c);
	CHECK(strcmp(c.server, "rtmps://live-api-s.facebook.com:443/rtmp/") == 0);
	expect_error(own(OFS_PLATFORM_FACEBOOK, 1920, 1080, 9001, 2), "encoder.bitrateKbps", "9000");
	expect_error(own(OFS_PLATFORM_FACEBOOK, 2560, 1440, 6000, 2), "encoder.width/height", "facebook");
	expect_error(own(OFS_PLATFORM_FACEBOOK, 1920, 1080, 6000, 4), "encoder.keyintSec", "facebook");
	struct ofs_target_config fa = own(OFS_PLATFORM_FACEBOOK, 1280, 720, 3000, 2);
	fa.encoder.audio_bitrate_kbps = 320;
	expect_error(fa, "encoder.audioBitrateKbps", "256");

	/* TikTok: portrait 1080x1920 fits; keyint 2 s; the server is required. */
	c = own(OFS_PLATFORM_TIKTOK, 1080, 1920, 6000, 2);
	expect_error(c, "server", "required");
	snprintf(c.server, sizeof(c.server), "rtmp://push.example.tiktokcdn.com/game/");
	expect_ok(&c);
	struct ofs_target_config tk = c;
	tk.encoder.keyint_sec = 3;
	expect_error(tk, "encoder.keyintSec", "tiktok");

	/* custom: server required, sanity limits only, key optional. */
	c = own(OFS_PLATFORM_CUSTOM, 4096, 2160, 50000, 10);
	c.server[0] = '\0';
	expect_error(c, "server", NULL);
	snprintf(c.server, sizeof(c.server), "srt://127.0.0.1:9000?mode=caller");
	c.key[0] = '\0';
	expect_ok(&c);
	expect_error(own(OFS_PLATFORM_CUSTOM, 640, 360, 50, 2), "encoder.bitrateKbps", "100");
	expect_error(own(OFS_PLATFORM_CUSTOM, 641, 360, 1000, 2), "even", NULL);
	expect_error(own(OFS_PLATFORM_CUSTOM, 32, 360, 1000, 2), "encoder.width/height", NULL);
	expect_error(own(OFS_PLATFORM_CUSTOM, 640, 360, 1000, 0), "encoder.keyintSec", NULL);

	/* Shared encoders skip the encoder limits (they are the profile's). */
	c = shared(OFS_PLATFORM_TWITCH, NULL);
	expect_ok(&c);
	c = shared(OFS_PLATFORM_TWITCH, NULL);
	c.key[0] = '\0';
	expect_error(c, "key", "twitch");
	c = shared(OFS_PLATFORM_TWITCH, NULL);
	snprintf(c.key, sizeof(c.key), "SECRETKEY\nforged line");
	expect_error(c, "key", "control");
}

static void test_urls_and_names(void)
{
	enum ofs_protocol p;
	CHECK(ofs_protocol_of_url("rtmp://a/b", &p) && p == OFS_PROTOCOL_RTMP);
	CHECK(ofs_protocol_of_url("rtmps://a:443/b", &p) && p == OFS_PROTOCOL_RTMPS);
	CHECK(ofs_protocol_of_url("srt://a:1", &p) && p == OFS_PROTOCOL_SRT);
	CHECK(!ofs_protocol_of_url("http://a/b", &p));
	CHECK(!ofs_protocol_of_url("RTMP://a", &p));
	CHECK(!ofs_protocol_of_url(NULL, &p));

	struct ofs_target_config c = shared(OFS_PLATFORM_CUSTOM, "http://example.com/live");
	expect_error(c, "server", "rtmp://");
	expect_error(shared(OFS_PLATFORM_CUSTOM, "rtmp:///app"), "server", "host");
	expect_error(shared(OFS_PLATFORM_CUSTOM, "rtmp://a b/app"), "server", "spaces");
	expect_error(shared(OFS_PLATFORM_TWITCH, "srt://a:1"), "server", "custom");
	c = shared(OFS_PLATFORM_TWITCH, "rtmp://127.0.0.1:1935/twitch");
	expect_ok(&c);
	CHECK(strcmp(c.server, "rtmp://127.0.0.1:1935/twitch") == 0);

	CHECK(ofs_target_name_valid("Twitch main"));
	CHECK(ofs_target_name_valid("yt-2.backup_1"));
	CHECK(!ofs_target_name_valid(""));
	CHECK(!ofs_target_name_valid(" lead"));
	CHECK(!ofs_target_name_valid("trail "));
	CHECK(!ofs_target_name_valid("a/b"));
	CHECK(!ofs_target_name_valid("tab\there"));
	CHECK(!ofs_target_name_valid("\"quote"));
	char longname[OFS_TARGET_NAME_MAX + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(!ofs_target_name_valid(longname));
	longname[OFS_TARGET_NAME_MAX] = '\0';
	CHECK(ofs_target_name_valid(longname));
	c = shared(OFS_PLATFORM_TWITCH, NULL);
	snprintf(c.name, sizeof(c.name), "bad/name");
	expect_error(c, "name", NULL);

	enum ofs_platform pl;
	CHECK(ofs_platform_parse("twitch", &pl) && pl == OFS_PLATFORM_TWITCH);
	CHECK(ofs_platform_parse("custom", &pl) && pl == OFS_PLATFORM_CUSTOM);
	CHECK(!ofs_platform_parse("Twitch", &pl));
	CHECK(!ofs_platform_parse("kick", &pl));
	CHECK(!ofs_platform_parse(NULL, &pl));
}

static void test_public_json(void)
{
	struct ofs_target_config c = own(OFS_PLATFORM_YOUTUBE, 1280, 720, 4000, 2);
	snprintf(c.key, sizeof(c.key), "abcd-SECRETKEY-efgh");
	expect_ok(&c);
	char buf[1024];
	size_t n = ofs_target_public_json(&c, buf, sizeof(buf));
	CHECK_EQ(n, strlen(buf));
	CHECK(strstr(buf, "SECRETKEY") == NULL);
	CHECK(strstr(buf, "\"key\"") == NULL);
	CHECK(strstr(buf, "\"name\":\"t1\"") != NULL);
	CHECK(strstr(buf, "\"platform\":\"youtube\"") != NULL);
	CHECK(strstr(buf, "\"protocol\":\"rtmp\"") != NULL);
	CHECK(strstr(buf, "\"bitrateKbps\":4000") != NULL);
	CHECK(strstr(buf, "\"autoStart\":true") != NULL);

	struct ofs_target_config s = shared(OFS_PLATFORM_CUSTOM, "rtmps://h/a\"b\\c");
	snprintf(s.name, sizeof(s.name), "n");
	n = ofs_target_public_json(&s, buf, sizeof(buf));
	CHECK(strstr(buf, "\"encoder\":\"shared\"") != NULL);
	CHECK(strstr(buf, "\"server\":\"rtmps://h/a\\\"b\\\\c\"") != NULL);
	CHECK(strstr(buf, "\"protocol\":\"rtmps\"") != NULL);
	CHECK(strstr(buf, "\"autoStart\":false") != NULL);

	/* Too small a buffer: cut, terminated, the full length reported. */
	char small[16];
	size_t need = ofs_target_public_json(&c, small, sizeof(small));
	CHECK(need > sizeof(small));
	CHECK_EQ(strlen(small), sizeof(small) - 1);
	CHECK_EQ(ofs_target_public_json(&c, NULL, 0), need);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char text[65536];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static void test_store(const char *dir)
{
	char path[512], tmp[520];
	snprintf(path, sizeof(path), "%s/stream-targets.conf", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	char err[256] = "";

	/* Missing file: no targets. */
	size_t skipped = 99;
	struct ofs_target_config got[OFS_TARGETS_MAX];
	CHECK_EQ(ofs_targets_store_read(path, got, OFS_TARGETS_MAX, &skipped, err, sizeof(err)), 0);
	CHECK_EQ(skipped, 0);

	struct ofs_target_config in[3];
	in[0] = own(OFS_PLATFORM_TWITCH, 1280, 720, 4500, 2);
	snprintf(in[0].key, sizeof(in[0].key), "live_1%%x\\y\"z SECRET");
	in[1] = shared(OFS_PLATFORM_CUSTOM, "rtmp://127.0.0.1:1935/app?x=1%20y");
	snprintf(in[1].name, sizeof(in[1].name), "custom one");
	in[1].auto_start = false;
	in[2] = own(OFS_PLATFORM_FACEBOOK, 1920, 1080, 9000, 2);
	snprintf(in[2].name, sizeof(in[2].name), "fb");
	for (int i = 0; i < 3; i++)
		expect_ok(&in[i]);

	/* A loose umask must not matter: the file is 0600. */
	mode_t old = umask(0);
	int rc = ofs_targets_store_write(path, in, 3, err, sizeof(err));
	umask(old);
	CHECK_EQ(rc, 0);
	if (rc)
		fprintf(stderr, "  store error: %s\n", err);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(access(tmp, F_OK) != 0);

	int n = ofs_targets_store_read(path, got, OFS_TARGETS_MAX, &skipped, err, sizeof(err));
	CHECK_EQ(n, 3);
	CHECK_EQ(skipped, 0);
	for (int i = 0; i < n && i < 3; i++) {
		CHECK(strcmp(got[i].name, in[i].name) == 0);
		CHECK(strcmp(got[i].server, in[i].server) == 0);
		CHECK(strcmp(got[i].key, in[i].key) == 0);
		CHECK_EQ(got[i].platform, in[i].platform);
		CHECK_EQ(got[i].auto_start, in[i].auto_start);
		CHECK(memcmp(&got[i].encoder, &in[i].encoder, sizeof(in[i].encoder)) == 0);
		/* The public description of what was read back has no key either. */
		char pub[1024];
		ofs_target_public_json(&got[i], pub, sizeof(pub));
		CHECK(strstr(pub, "SECRET") == NULL);
		CHECK(strstr(pub, "live_123") == NULL);
	}

	/* A stale .tmp (a crash mid-write) is replaced; a loosened file is
	 * tightened when read. */
	FILE *stale = fopen(tmp, "w");
	if (stale) {
		fputs("junk", stale);
		fclose(stale);
	}
	CHECK_EQ(ofs_targets_store_write(path, in, 2, err, sizeof(err)), 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(chmod(path, 0644) == 0);
	CHECK_EQ(ofs_targets_store_read(path, got, OFS_TARGETS_MAX, &skipped, err, sizeof(err)), 2);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);

	/* max: only the first N are read, the rest counted as skipped. */
	CHECK_EQ(ofs_targets_store_write(path, in, 3, err, sizeof(err)), 0);
	CHECK_EQ(ofs_targets_store_read(path, got, 1, &skipped, err, sizeof(err)), 1);
	CHECK_EQ(skipped, 2);

	/* Hostile lines are skipped; the valid one survives. */
	char *text = read_all(path);
	CHECK(text != NULL);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("obs-faceswap-stream-targets 1\n", f);
		fputs("bad\ttwitch\n", f);                                                          /* too few fields */
		fputs("x\tkick\trtmp://a/b\tk\tshared\t0\t0\t0\t0\t0\t0\t1\n", f);                   /* platform */
		fputs("x\ttwitch\thttp://a/b\tk\tshared\t0\t0\t0\t0\t0\t0\t1\n", f);                 /* scheme */
		fputs("x\ttwitch\trtmp://a/b\tk%0\tshared\t0\t0\t0\t0\t0\t0\t1\n", f);               /* escape */
		fputs("x\ttwitch\trtmp://a/b\tk%0A\tshared\t0\t0\t0\t0\t0\t0\t1\n", f);              /* LF in key */
		fputs("x\ttwitch\trtmp://a/b\tk\town\t1920\t1080\t9000\t2\t0\t0\t1\n", f);           /* limit */
		fputs("x\ttwitch\trtmp://a/b\tk\town\t1920\t1080\t6000\t2\t0\t0\t99999999999\n", f); /* int */
		fputs("ok\ttwitch\trtmp://a/b\tk%25\tshared\t0\t0\t0\t0\t0\t0\t0\n", f);
		fclose(f);
	}
	n = ofs_targets_store_read(path, got, OFS_TARGETS_MAX, &skipped, err, sizeof(err));
	CHECK_EQ(n, 1);
	CHECK_EQ(skipped, 7);
	CHECK(n == 1 && strcmp(got[0].key, "k%") == 0 && !got[0].auto_start);

	/* Not a store at all. */
	f = fopen(path, "w");
	if (f) {
		fputs("[General]\nkey=value\n", f);
		fclose(f);
	}
	CHECK_EQ(ofs_targets_store_read(path, got, OFS_TARGETS_MAX, &skipped, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a stream-targets file") != NULL);

	/* Zero targets round trip; a directory that does not exist fails cleanly. */
	CHECK_EQ(ofs_targets_store_write(path, NULL, 0, err, sizeof(err)), 0);
	CHECK_EQ(ofs_targets_store_read(path, got, OFS_TARGETS_MAX, &skipped, err, sizeof(err)), 0);
	char missing[600];
	snprintf(missing, sizeof(missing), "%s/no/such/dir/x.conf", dir);
	CHECK_EQ(ofs_targets_store_write(missing, in, 1, err, sizeof(err)), -1);
	CHECK(strstr(err, "SECRET") == NULL);

	unlink(path);
}

/* Adaptive bitrate: drops under sustained congestion, stops at the floor,
 * recovers in steps, and a single spike (or a congested sample between calm
 * ones) moves nothing. */
static void test_abr(void)
{
	struct ofs_abr a;
	ofs_abr_init(&a, 2000);
	CHECK_EQ(a.current_kbps, 2000);
	CHECK_EQ(a.floor_kbps, 500);

	/* A single spike, then calm: no change (and calm at the configured rate stays there). */
	CHECK_EQ(ofs_abr_sample(&a, 1.0), 2000);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(ofs_abr_sample(&a, 0.0), 2000);
	/* Spikes every other sample: never two in a row, no change. */
	for (int i = 0; i < 10; i++)
		CHECK_EQ(ofs_abr_sample(&a, i % 2 ? 0.3 : 0.9), 2000);

	/* Sustained congestion: -20 % every second sample. */
	CHECK_EQ(ofs_abr_sample(&a, 0.8), 2000);
	CHECK_EQ(ofs_abr_sample(&a, 0.8), 1600);
	CHECK_EQ(ofs_abr_sample(&a, 1.0), 1600);
	CHECK_EQ(ofs_abr_sample(&a, 1.0), 1280);
	/* Down to the floor (25 %), never below. */
	for (int i = 0; i < 40; i++)
		ofs_abr_sample(&a, 1.0);
	CHECK_EQ(a.current_kbps, 500);
	CHECK_EQ(ofs_abr_sample(&a, 1.0), 500);

	/* Recovery: +10 % of the configured rate after 5 calm samples. */
	for (int i = 0; i < 4; i++)
		CHECK_EQ(ofs_abr_sample(&a, 0.05), 500);
	CHECK_EQ(ofs_abr_sample(&a, 0.05), 700);
	/* A middling sample restarts the calm count. */
	for (int i = 0; i < 4; i++)
		CHECK_EQ(ofs_abr_sample(&a, 0.0), 700);
	CHECK_EQ(ofs_abr_sample(&a, 0.3), 700);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(ofs_abr_sample(&a, 0.0), 700);
	CHECK_EQ(ofs_abr_sample(&a, 0.0), 900);
	/* Up to the configured rate, never above. */
	for (int i = 0; i < 100; i++)
		ofs_abr_sample(&a, 0.0);
	CHECK_EQ(a.current_kbps, 2000);

	/* Reset; NaN and negatives count as calm; tiny bitrates keep a floor of 1. */
	ofs_abr_sample(&a, 1.0);
	ofs_abr_sample(&a, 1.0);
	CHECK_EQ(a.current_kbps, 1600);
	ofs_abr_reset(&a);
	CHECK_EQ(a.current_kbps, 2000);
	CHECK_EQ(ofs_abr_sample(&a, 1.0), 2000); /* the count was cleared too */
	CHECK_EQ(ofs_abr_sample(&a, 0.0 / 0.0), 2000);
	CHECK_EQ(ofs_abr_sample(&a, -1.0), 2000);
	ofs_abr_init(&a, 2);
	for (int i = 0; i < 20; i++)
		ofs_abr_sample(&a, 1.0);
	CHECK(a.current_kbps >= 1);
}

int main(void)
{
	test_abr();
	test_limits();
	test_urls_and_names();
	test_public_json();
	char dir[] = "/tmp/ofs-test-targets-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_store(dir);
	rmdir(dir);
	return test_finish("test-targets");
}

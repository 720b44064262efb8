/*
 * The POSIX platform layer: endpoint path rule, shared memory (exclusive,
 * user-only, visible to a second mapping, removed on destroy), the socket
 * client with timeouts, futex wake-ups, and host spawning (own session,
 * log file, no inherited descriptors).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ofs-platform.h"
#include "test-util.h"

static void test_endpoint(void)
{
	char buf[256];
	char expect[256];
	setenv("OBS_FACESWAP_ENDPOINT", "/run/custom.sock", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	CHECK(ofs_endpoint_default(buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "/run/custom.sock") == 0);
	unsetenv("OBS_FACESWAP_ENDPOINT");
	CHECK(ofs_endpoint_default(buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "/run/user/1000/obs-faceswap/control.sock") == 0);
	setenv("OBS_FACESWAP_ENDPOINT", "", 1); /* empty means unset */
	CHECK(ofs_endpoint_default(buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "/run/user/1000/obs-faceswap/control.sock") == 0);
	setenv("XDG_RUNTIME_DIR", "relative/dir", 1); /* not absolute: ignored */
	snprintf(expect, sizeof(expect), "/tmp/obs-faceswap-%u/control.sock", (unsigned)getuid());
	CHECK(ofs_endpoint_default(buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, expect) == 0);
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("OBS_FACESWAP_ENDPOINT");
	CHECK(ofs_endpoint_default(buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, expect) == 0);
	CHECK(ofs_endpoint_default(buf, 10) == -1);
}

static void test_shm(void)
{
	char name[OFS_SHM_NAME_MAX], wake[OFS_SHM_NAME_MAX];
	CHECK(ofs_channel_names(ofs_current_pid(), 99, name, sizeof(name), wake, sizeof(wake)) == 0);
	char expect[64];
	snprintf(expect, sizeof(expect), "/obs-faceswap-%u-99", ofs_current_pid());
	CHECK(strcmp(name, expect) == 0);
	CHECK(wake[0] == '\0');
	CHECK(ofs_channel_names(1, 2, name, 5, wake, sizeof(wake)) == -1);

	CHECK(ofs_channel_names(ofs_current_pid(), 99, name, sizeof(name), wake, sizeof(wake)) == 0);
	struct ofs_shm *a = NULL, *b = NULL, *c = NULL;
	CHECK(ofs_shm_create(name, wake, 1 << 20, &a) == 0);
	if (!a)
		return;
	CHECK(ofs_shm_size(a) == 1 << 20);
	uint8_t *pa = ofs_shm_data(a);
	CHECK(pa && pa[0] == 0 && pa[(1 << 20) - 1] == 0);
	/* Exclusive. */
	CHECK(ofs_shm_create(name, wake, 1 << 20, &c) == -1);
	CHECK(c == NULL);
#if defined(__linux__)
	/* User-only. */
	char path[256];
	snprintf(path, sizeof(path), "/dev/shm%s", name);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
#endif
	/* A second mapping (the host's) sees the same bytes. */
	CHECK(ofs_shm_open(name, 1 << 20, &b) == 0);
	CHECK(ofs_shm_open(name, (1 << 20) + 1, &c) == -1); /* larger than the object */
	if (b) {
		pa[12345] = 0x5A;
		CHECK(((uint8_t *)ofs_shm_data(b))[12345] == 0x5A);
		ofs_shm_destroy(b); /* not the owner: the name stays */
	}
	CHECK(ofs_shm_open(name, 1 << 20, &b) == 0);
	ofs_shm_destroy(b);
	ofs_shm_destroy(a); /* owner: the name goes */
	CHECK(ofs_shm_open(name, 1 << 20, &b) == -1);
	ofs_shm_destroy(NULL);
	CHECK(ofs_shm_create(name, wake, 0, &a) == -1);
}

/* ---- futex ---------------------------------------------------------- */

struct waiter {
	uint32_t *word;
	uint32_t seen;
	atomic_int started;
	uint64_t waited_ns;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	atomic_store(&w->started, 1);
	uint64_t t0 = ofs_monotonic_ns();
	ofs_shm_wait(NULL, w->word, w->seen, 5000);
	w->waited_ns = ofs_monotonic_ns() - t0;
	return NULL;
}

static void test_futex(void)
{
	/* The futex word lives in shared memory, as frame_seq does. */
	char name[OFS_SHM_NAME_MAX], wake[OFS_SHM_NAME_MAX];
	ofs_channel_names(ofs_current_pid(), 100, name, sizeof(name), wake, sizeof(wake));
	struct ofs_shm *a = NULL;
	CHECK(ofs_shm_create(name, wake, 4096, &a) == 0);
	if (!a)
		return;
	uint32_t *word = ofs_shm_data(a);
	/* A timeout with no wake-up. */
	uint64_t t0 = ofs_monotonic_ns();
	ofs_shm_wait(a, word, 0, 50);
	uint64_t waited = ofs_monotonic_ns() - t0;
	CHECK(waited >= 40000000ull && waited < 2000000000ull);
	/* A wake-up ends the wait early. */
	struct waiter w = {.word = word, .seen = 0};
	pthread_t th;
	pthread_create(&th, NULL, wait_thread, &w);
	while (!atomic_load(&w.started))
		;
	usleep(50000);
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	ofs_shm_wake(a, word);
	pthread_join(th, NULL);
	CHECK(w.waited_ns < 3000000000ull);
	/* Waiting on a value that already changed returns at once. */
	t0 = ofs_monotonic_ns();
	ofs_shm_wait(a, word, 0, 2000);
	CHECK(ofs_monotonic_ns() - t0 < 500000000ull);
	ofs_shm_destroy(a);
}

/* ---- socket client -------------------------------------------------- */

static void test_conn(void)
{
	char dir[] = "/tmp/ofs-test-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[100];
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	struct ofs_conn *c = NULL;

	/* Nobody listening: fails fast. */
	uint64_t t0 = ofs_monotonic_ns();
	CHECK(ofs_conn_connect(path, 500, &c) == -1);
	CHECK(ofs_monotonic_ns() - t0 < 400000000ull);

	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	CHECK(bind(srv, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(listen(srv, 4) == 0);
	CHECK(ofs_conn_connect(path, 500, &c) == 0);
	int peer = accept(srv, NULL, NULL);
	CHECK(peer >= 0);
	if (c && peer >= 0) {
		CHECK(ofs_conn_send(c, "hello", 5, 500) == 0);
		char buf[16] = {0};
		CHECK(read(peer, buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0);
		/* Receive timeout. */
		t0 = ofs_monotonic_ns();
		CHECK(ofs_conn_recv(c, buf, sizeof(buf), 100) == 0);
		uint64_t waited = ofs_monotonic_ns() - t0;
		CHECK(waited >= 80000000ull && waited < 2000000000ull);
		CHECK(write(peer, "ack", 3) == 3);
		CHECK(ofs_conn_recv(c, buf, sizeof(buf), 500) == 3);
		/* Send timeout when the peer does not read: never blocks forever. */
		static uint8_t big[1 << 20];
		t0 = ofs_monotonic_ns();
		int sent_all = 0;
		for (int i = 0; i < 64 && ofs_conn_send(c, big, sizeof(big), 100) == 0; i++)
			sent_all++;
		CHECK(sent_all < 64);
		CHECK(ofs_monotonic_ns() - t0 < 5000000000ull);
		/* Peer closes: recv reports it. */
		close(peer);
		int64_t n;
		do
			n = ofs_conn_recv(c, buf, sizeof(buf), 500);
		while (n > 0);
		CHECK(n == -1);
		/* Sending into a closed connection fails without SIGPIPE killing us. */
		CHECK(ofs_conn_send(c, "x", 1, 100) == -1);
		/* Close-on-exec. */
		ofs_conn_close(c);
	}
	close(srv);
	unlink(path);
	rmdir(dir);
}

/* ---- spawn ---------------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int wait_exit(struct ofs_process *p, int *code)
{
	for (int i = 0; i < 500; i++) {
		if (!ofs_process_running(p, code))
			return 1;
		usleep(10000);
	}
	return 0;
}

static void test_spawn(void)
{
	char dir[] = "/tmp/ofs-spawn-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char log[128];
	snprintf(log, sizeof(log), "%s/host.log", dir);

	CHECK(ofs_file_executable("/bin/sh"));
	CHECK(!ofs_file_executable("/tmp"));
	CHECK(!ofs_file_executable("/nonexistent/obs-faceswap-host"));
	CHECK(!ofs_file_executable(""));

	/* A descriptor without close-on-exec must not reach the child. */
	int leak = open("/dev/null", O_RDONLY);

	const char *argv[] = {"sh", "-c",
			      "echo out; echo err >&2; "
			      "echo sid=$(cut -d' ' -f6 /proc/self/stat) pid=$$; "
			      "echo fds=$(ls /proc/self/fd | tr '\\n' ' '); exit 3",
			      NULL};
	struct ofs_process *p = NULL;
	CHECK(ofs_process_spawn("/bin/sh", argv, log, &p) == 0);
	int code = -100;
	if (p) {
		CHECK(ofs_process_pid(p) > 0);
		CHECK(wait_exit(p, &code));
		CHECK_EQ(code, 3);
		CHECK(!ofs_process_running(p, &code)); /* stays exited */
		ofs_process_release(p);
	}
	char *text = slurp(log);
	CHECK(text != NULL);
	if (text) {
		CHECK(strstr(text, "out\n") != NULL);
		CHECK(strstr(text, "err\n") != NULL);
		/* Its own session: the shell is the session leader. */
		char *sid = strstr(text, "sid="), *pid = strstr(text, "pid=");
		CHECK(sid && pid && atoi(sid + 4) == atoi(pid + 4));
		/* Only 0, 1, 2 (and ls's own directory descriptor, 3). */
		char *fds = strstr(text, "fds=");
		CHECK(fds && strncmp(fds, "fds=0 1 2 3\n", 12) == 0);
		if (fds && strncmp(fds, "fds=0 1 2 3\n", 12) != 0)
			fprintf(stderr, "child descriptors: %s", fds);
	}
	/* The log is appended to, and user-only. */
	p = NULL;
	const char *argv2[] = {"sh", "-c", "echo second", NULL};
	CHECK(ofs_process_spawn("/bin/sh", argv2, log, &p) == 0);
	if (p) {
		CHECK(wait_exit(p, &code));
		CHECK_EQ(code, 0);
		ofs_process_release(p);
	}
	text = slurp(log);
	CHECK(text && strstr(text, "out\n") && strstr(text, "second\n"));
	struct stat st;
	CHECK(stat(log, &st) == 0 && (st.st_mode & 0777) == 0600);

	/* A missing executable fails (posix_spawn reports it) or exits 127. */
	p = NULL;
	int rc = ofs_process_spawn("/nonexistent/host", argv2, log, &p);
	if (rc == 0 && p) {
		CHECK(wait_exit(p, &code));
		CHECK_EQ(code, 127);
		ofs_process_release(p);
	}
	/* Killed by a signal: 128 + signal. */
	const char *argv3[] = {"sh", "-c", "kill -9 $$", NULL};
	p = NULL;
	CHECK(ofs_process_spawn("/bin/sh", argv3, NULL, &p) == 0);
	if (p) {
		CHECK(wait_exit(p, &code));
		CHECK_EQ(code, 128 + 9);
		ofs_process_release(p);
	}
	close(leak);
	unlink(log);
	rmdir(dir);
}

int main(void)
{
	uint64_t a = ofs_monotonic_ns(), b = ofs_monotonic_ns();
	CHECK(a > 0 && b >= a);
	CHECK(ofs_current_pid() == (uint32_t)getpid());
	test_endpoint();
	test_shm();
	test_futex();
	test_conn();
	test_spawn();
	return test_finish("test-platform");
}

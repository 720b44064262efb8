/*
 * ofs-platform for POSIX systems (Linux; macOS compiles but is untested):
 * shm_open shared memory, a Unix domain socket client, posix_spawn, futex
 * wake-ups on Linux.
 */
#define _GNU_SOURCE
#include "ofs-platform.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#endif

#include "obs-faceswap/wire.h"

extern char **environ;

/* ---- clock and process ---------------------------------------------- */

uint64_t ofs_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint32_t ofs_current_pid(void)
{
	return (uint32_t)getpid();
}

/* ---- shared memory -------------------------------------------------- */

struct ofs_shm {
	void *data;
	uint64_t size;
	int owner; /* created here: unlink on destroy */
	char name[OFS_SHM_NAME_MAX];
};

int ofs_channel_names(uint32_t pid, uint64_t channel_id, char *shm_name, size_t shm_cap, char *wake_name,
		      size_t wake_cap)
{
	if (!shm_name || !wake_name || wake_cap == 0)
		return -1;
	int n = snprintf(shm_name, shm_cap, "/obs-faceswap-%u-%llu", pid, (unsigned long long)channel_id);
	if (n < 0 || (size_t)n >= shm_cap)
		return -1;
	wake_name[0] = '\0';
	return 0;
}

static int map_fd(int fd, uint64_t size, struct ofs_shm *shm)
{
	void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	shm->data = p;
	shm->size = size;
	return 0;
}

int ofs_shm_create(const char *name, const char *wake_name, uint64_t size, struct ofs_shm **out)
{
	(void)wake_name; /* futex on frame_seq: no named object */
	if (!name || !out || size == 0 || size > (uint64_t)SIZE_MAX || size > (uint64_t)INT64_MAX ||
	    strlen(name) >= OFS_SHM_NAME_MAX)
		return -1;
	*out = NULL;
	struct ofs_shm *shm = calloc(1, sizeof(*shm));
	if (!shm)
		return -1;
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(shm);
		return -1;
	}
	if (ftruncate(fd, (off_t)size) != 0 || map_fd(fd, size, shm) != 0) {
		close(fd);
		shm_unlink(name);
		free(shm);
		return -1;
	}
	close(fd);
	shm->owner = 1;
	snprintf(shm->name, sizeof(shm->name), "%s", name);
	*out = shm;
	return 0;
}

int ofs_shm_open(const char *name, uint64_t size, struct ofs_shm **out)
{
	if (!name || !out || size == 0 || size > (uint64_t)SIZE_MAX || strlen(name) >= OFS_SHM_NAME_MAX)
		return -1;
	*out = NULL;
	struct ofs_shm *shm = calloc(1, sizeof(*shm));
	if (!shm)
		return -1;
	int fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size < size ||
	    map_fd(fd, size, shm) != 0) {
		if (fd >= 0)
			close(fd);
		free(shm);
		return -1;
	}
	close(fd);
	snprintf(shm->name, sizeof(shm->name), "%s", name);
	*out = shm;
	return 0;
}

void *ofs_shm_data(const struct ofs_shm *shm)
{
	return shm ? shm->data : NULL;
}

uint64_t ofs_shm_size(const struct ofs_shm *shm)
{
	return shm ? shm->size : 0;
}

void ofs_shm_wake(struct ofs_shm *shm, uint32_t *frame_seq)
{
	(void)shm;
#if defined(__linux__)
	/* Shared (not FUTEX_PRIVATE): the waiter is another process. */
	syscall(SYS_futex, frame_seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
#else
	(void)frame_seq;
#endif
}

void ofs_shm_wait(struct ofs_shm *shm, uint32_t *frame_seq, uint32_t seen, uint32_t timeout_ms)
{
	(void)shm;
#if defined(__linux__)
	struct timespec ts = {.tv_sec = timeout_ms / 1000u, .tv_nsec = (long)(timeout_ms % 1000u) * 1000000L};
	syscall(SYS_futex, frame_seq, FUTEX_WAIT, seen, &ts, NULL, 0);
#else
	(void)seen;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 1000000L};
	for (uint32_t i = 0; i < timeout_ms && __atomic_load_n(frame_seq, __ATOMIC_ACQUIRE) == seen; i++)
		nanosleep(&ts, NULL);
#endif
}

void ofs_shm_destroy(struct ofs_shm *shm)
{
	if (!shm)
		return;
	if (shm->data)
		munmap(shm->data, (size_t)shm->size);
	if (shm->owner)
		shm_unlink(shm->name);
	free(shm);
}

/* ---- control endpoint ----------------------------------------------- */

struct ofs_conn {
	int fd;
};

int ofs_endpoint_default(char *buf, size_t cap)
{
	if (!buf || cap == 0)
		return -1;
	const char *env = getenv("OBS_FACESWAP_ENDPOINT");
	int n;
	if (env && env[0])
		n = snprintf(buf, cap, "%s", env);
	else if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && env[0] == '/')
		n = snprintf(buf, cap, "%s/obs-faceswap/control.sock", env);
	else
		n = snprintf(buf, cap, "/tmp/obs-faceswap-%u/control.sock", (unsigned)getuid());
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

static int poll_fd(int fd, short events, uint32_t timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	for (;;) {
		int r = poll(&p, 1, (int)(timeout_ms > INT_MAX ? INT_MAX : timeout_ms));
		if (r < 0 && errno == EINTR)
			continue;
		return r; /* > 0 ready (or error/hangup: the next call reports it) */
	}
}

static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
		return -1;
	int fdf = fcntl(fd, F_GETFD);
	if (fdf < 0 || fcntl(fd, F_SETFD, fdf | FD_CLOEXEC) != 0)
		return -1;
#if defined(SO_NOSIGPIPE)
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
	return 0;
}

int ofs_conn_connect(const char *endpoint, uint32_t timeout_ms, struct ofs_conn **out)
{
	if (!endpoint || !out)
		return -1;
	*out = NULL;
	struct sockaddr_un addr;
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(endpoint) >= sizeof(addr.sun_path))
		return -1;
	memcpy(addr.sun_path, endpoint, strlen(endpoint) + 1);

	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (set_flags(fd) != 0) {
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		if (errno != EINPROGRESS && errno != EAGAIN && errno != EINTR) {
			close(fd);
			return -1;
		}
		int err = 0;
		socklen_t len = sizeof(err);
		if (poll_fd(fd, POLLOUT, timeout_ms) <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
		    err != 0) {
			close(fd);
			return -1;
		}
	}
	struct ofs_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -1;
	}
	c->fd = fd;
	*out = c;
	return 0;
}

#if defined(MSG_NOSIGNAL)
#define OFS_SEND_FLAGS MSG_NOSIGNAL
#else
#define OFS_SEND_FLAGS 0
#endif

int ofs_conn_send(struct ofs_conn *conn, const void *buf, size_t len, uint32_t timeout_ms)
{
	if (!conn || (!buf && len))
		return -1;
	const uint8_t *p = buf;
	const uint64_t deadline = ofs_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	while (len > 0) {
		ssize_t n = send(conn->fd, p, len, OFS_SEND_FLAGS);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			uint64_t now = ofs_monotonic_ns();
			if (now >= deadline || poll_fd(conn->fd, POLLOUT, (uint32_t)((deadline - now) / 1000000ull) + 1u) <= 0)
				return -1;
			continue;
		}
		return -1;
	}
	return 0;
}

int64_t ofs_conn_recv(struct ofs_conn *conn, void *buf, size_t cap, uint32_t timeout_ms)
{
	if (!conn || !buf || cap == 0)
		return -1;
	for (;;) {
		ssize_t n = recv(conn->fd, buf, cap, 0);
		if (n > 0)
			return (int64_t)n;
		if (n == 0)
			return -1; /* peer closed */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		int r = poll_fd(conn->fd, POLLIN, timeout_ms);
		if (r == 0)
			return 0;
		if (r < 0)
			return -1;
		timeout_ms = 0; /* readable or hung up: the next recv tells */
	}
}

void ofs_conn_close(struct ofs_conn *conn)
{
	if (!conn)
		return;
	close(conn->fd);
	free(conn);
}

/* ---- host process --------------------------------------------------- */

struct ofs_process {
	pid_t pid;
	int exited;
	int exit_code;
};

int ofs_file_executable(const char *path)
{
	struct stat st;
	return path && path[0] && stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int ofs_process_spawn(const char *exe, const char *const *argv, const char *log_path, struct ofs_process **out)
{
	if (!exe || !argv || !argv[0] || !out)
		return -1;
	*out = NULL;

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	if (posix_spawnattr_init(&attr) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}

	int rc = 0;
	const char *log = (log_path && log_path[0]) ? log_path : "/dev/null";
	rc |= posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc |= posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	rc |= posix_spawn_file_actions_adddup2(&fa, 1, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	/* Inherit nothing else from OBS. */
	rc |= posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif

	/* The link thread's signal mask and OBS's handlers must not leak in. */
	sigset_t empty, defaults;
	sigemptyset(&empty);
	sigemptyset(&defaults);
	const int reset[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM};
	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		sigaddset(&defaults, reset[i]);
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#if defined(POSIX_SPAWN_SETSID)
	flags |= POSIX_SPAWN_SETSID; /* own session: OBS's terminal signals do not reach it */
#else
	flags |= POSIX_SPAWN_SETPGROUP;
	rc |= posix_spawnattr_setpgroup(&attr, 0);
#endif
	rc |= posix_spawnattr_setflags(&attr, flags);
	rc |= posix_spawnattr_setsigmask(&attr, &empty);
	rc |= posix_spawnattr_setsigdefault(&attr, &defaults);

	pid_t pid = -1;
	if (rc == 0)
		rc = posix_spawn(&pid, exe, &fa, &attr, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		return -1;

	struct ofs_process *p = calloc(1, sizeof(*p));
	if (!p) {
		/* Cannot track it; let it run. */
		return -1;
	}
	p->pid = pid;
	*out = p;
	return 0;
}

int ofs_process_running(struct ofs_process *proc, int *exit_code)
{
	if (!proc)
		return 0;
	if (!proc->exited) {
		int status = 0;
		pid_t r = waitpid(proc->pid, &status, WNOHANG);
		if (r == 0)
			return 1;
		proc->exited = 1;
		if (r == proc->pid && WIFEXITED(status))
			proc->exit_code = WEXITSTATUS(status);
		else if (r == proc->pid && WIFSIGNALED(status))
			proc->exit_code = 128 + WTERMSIG(status);
		else
			proc->exit_code = -1; /* reaped by someone else */
	}
	if (exit_code)
		*exit_code = proc->exit_code;
	return 0;
}

uint32_t ofs_process_pid(const struct ofs_process *proc)
{
	return proc ? (uint32_t)proc->pid : 0;
}

void ofs_process_release(struct ofs_process *proc)
{
	free(proc);
}

/*
 * ofs-platform: the few OS services the shim needs, behind one interface.
 * Implementations: ofs-platform-posix.c (Linux, macOS) and
 * ofs-platform-win32.c (Windows). No libobs.
 *
 * Names follow docs/frame-channel.md, "Who creates what". Strings are
 * UTF-8. Functions return 0 on success and a negative value on failure
 * unless documented otherwise; none of them blocks longer than the
 * timeout it is given.
 */
#ifndef OFS_PLATFORM_H
#define OFS_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- clock and process ---------------------------------------------- */

/* Monotonic clock in nanoseconds. */
uint64_t ofs_monotonic_ns(void);

/* Id of the calling process. */
uint32_t ofs_current_pid(void);

/* ---- shared memory -------------------------------------------------- */

struct ofs_shm;

/* Fills the channel's object names: shared memory
 * ("/obs-faceswap-<pid>-<id>" or "Local\obs-faceswap-<pid>-<id>") and the
 * wake event ("" on POSIX, "Local\obs-faceswap-<pid>-<id>-wake" on Win32).
 * Buffers of OFS_SHM_NAME_MAX bytes. */
int ofs_channel_names(uint32_t pid, uint64_t channel_id, char *shm_name, size_t shm_cap, char *wake_name,
		      size_t wake_cap);

/* Creates user-only shared memory of `size` bytes (zeroed), failing if the
 * name exists (O_EXCL / ERROR_ALREADY_EXISTS), plus the wake event when
 * `wake_name` is not empty. */
int ofs_shm_create(const char *name, const char *wake_name, uint64_t size, struct ofs_shm **out);

/* Opens existing shared memory (the host's side; tests). */
int ofs_shm_open(const char *name, uint64_t size, struct ofs_shm **out);

void *ofs_shm_data(const struct ofs_shm *shm);
uint64_t ofs_shm_size(const struct ofs_shm *shm);

/* Wakes the host after a frame was published: FUTEX_WAKE on `frame_seq`
 * (inside the mapping) on Linux, SetEvent on Windows, nothing elsewhere.
 * Never blocks. */
void ofs_shm_wake(struct ofs_shm *shm, uint32_t *frame_seq);

/* Waits (host side; tests) until *frame_seq != seen or the timeout. */
void ofs_shm_wait(struct ofs_shm *shm, uint32_t *frame_seq, uint32_t seen, uint32_t timeout_ms);

/* Unmaps, and if this process created it removes the name. NULL is ignored. */
void ofs_shm_destroy(struct ofs_shm *shm);

/* ---- control endpoint ----------------------------------------------- */

struct ofs_conn;

/* The default endpoint: $OBS_FACESWAP_ENDPOINT, else (POSIX)
 * $XDG_RUNTIME_DIR/obs-faceswap/control.sock, else
 * /tmp/obs-faceswap-<uid>/control.sock; (Win32) \\.\pipe\obs-faceswap-<user>.
 * Returns 0, or -1 if it does not fit `cap`. */
int ofs_endpoint_default(char *buf, size_t cap);

/* Connects to the endpoint, waiting at most timeout_ms. The connection is
 * non-blocking and close-on-exec. */
int ofs_conn_connect(const char *endpoint, uint32_t timeout_ms, struct ofs_conn **out);

/* Sends all `len` bytes within timeout_ms. 0, or -1 (timeout or closed). */
int ofs_conn_send(struct ofs_conn *conn, const void *buf, size_t len, uint32_t timeout_ms);

/* Receives up to `cap` bytes, waiting at most timeout_ms for the first.
 * Returns the byte count (> 0), 0 on timeout, -1 when closed or failed. */
int64_t ofs_conn_recv(struct ofs_conn *conn, void *buf, size_t cap, uint32_t timeout_ms);

void ofs_conn_close(struct ofs_conn *conn);

/* ---- host process --------------------------------------------------- */

struct ofs_process;

/* 1 if `path` names an executable regular file. */
int ofs_file_executable(const char *path);

/* Starts `exe` with `argv` (argv[0] is the program name, NULL-terminated),
 * detached from OBS (own session / process group, no console), stdin from
 * the null device, stdout and stderr appended to `log_path` (created 0600;
 * NULL: null device). Inherits no other handles. */
int ofs_process_spawn(const char *exe, const char *const *argv, const char *log_path, struct ofs_process **out);

/* 1 while the process runs; 0 once it exited (it is reaped, *exit_code
 * set when not NULL: the exit status, or 128 + signal). */
int ofs_process_running(struct ofs_process *proc, int *exit_code);

uint32_t ofs_process_pid(const struct ofs_process *proc);

/* Forgets the process without stopping it (it keeps serving other OBS
 * instances or exits by itself). */
void ofs_process_release(struct ofs_process *proc);

#ifdef __cplusplus
}
#endif

#endif /* OFS_PLATFORM_H */

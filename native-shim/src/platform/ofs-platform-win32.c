/*
 * ofs-platform for Windows: file mappings and events with an owner-only
 * DACL, a named-pipe client that checks the pipe's owner, CreateProcessW
 * with an explicit handle list. Compiled by mingw-w64 in CI
 * (cmake/check-win32.sh); not yet run on Windows (see docs/shim.md).
 */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef UNICODE
#define UNICODE
#endif
#include <windows.h>

#include <aclapi.h>
#include <limits.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofs-platform.h"

#include "obs-faceswap/wire.h"

/* ---- helpers -------------------------------------------------------- */

/* UTF-8 -> UTF-16, malloc'd; NULL on failure. */
static wchar_t *widen(const char *s)
{
	if (!s)
		return NULL;
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	if (n <= 0)
		return NULL;
	wchar_t *w = malloc((size_t)n * sizeof(wchar_t));
	if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
		free(w);
		w = NULL;
	}
	return w;
}

/* UTF-16 -> UTF-8 into buf; 0 or -1. */
static int narrow(const wchar_t *w, char *buf, size_t cap)
{
	if (cap > INT_MAX)
		cap = INT_MAX;
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)cap, NULL, NULL);
	return n > 0 ? 0 : -1;
}

/* The current user's SID (LocalFree'd TOKEN_USER buffer via *owner). */
static PSID current_user_sid(void **owner)
{
	HANDLE token = NULL;
	*owner = NULL;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
		return NULL;
	DWORD len = 0;
	GetTokenInformation(token, TokenUser, NULL, 0, &len);
	TOKEN_USER *tu = len ? LocalAlloc(LPTR, len) : NULL;
	if (!tu || !GetTokenInformation(token, TokenUser, tu, len, &len)) {
		if (tu)
			LocalFree(tu);
		CloseHandle(token);
		return NULL;
	}
	CloseHandle(token);
	*owner = tu;
	return tu->User.Sid;
}

/* Security attributes granting the current user full access and nobody
 * else anything. Free sa->lpSecurityDescriptor with LocalFree. */
static int owner_only_sa(SECURITY_ATTRIBUTES *sa, BOOL inherit)
{
	void *tu = NULL;
	PSID sid = current_user_sid(&tu);
	wchar_t *sid_str = NULL;
	if (!sid || !ConvertSidToStringSidW(sid, &sid_str)) {
		if (tu)
			LocalFree(tu);
		return -1;
	}
	wchar_t sddl[256];
	int n = _snwprintf(sddl, sizeof(sddl) / sizeof(sddl[0]), L"D:P(A;;GA;;;%ls)", sid_str);
	LocalFree(sid_str);
	LocalFree(tu);
	if (n < 0 || (size_t)n >= sizeof(sddl) / sizeof(sddl[0]))
		return -1;
	PSECURITY_DESCRIPTOR sd = NULL;
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
		return -1;
	sa->nLength = sizeof(*sa);
	sa->lpSecurityDescriptor = sd;
	sa->bInheritHandle = inherit;
	return 0;
}

/* ---- clock and process ---------------------------------------------- */

uint64_t ofs_monotonic_ns(void)
{
	LARGE_INTEGER freq, now;
	QueryPerformanceFrequency(&freq);
	QueryPerformanceCounter(&now);
	const uint64_t f = (uint64_t)freq.QuadPart, c = (uint64_t)now.QuadPart;
	return (c / f) * 1000000000ull + (c % f) * 1000000000ull / f;
}

uint32_t ofs_current_pid(void)
{
	return (uint32_t)GetCurrentProcessId();
}

/* ---- shared memory -------------------------------------------------- */

struct ofs_shm {
	HANDLE mapping;
	HANDLE wake;
	void *data;
	uint64_t size;
};

int ofs_channel_names(uint32_t pid, uint64_t channel_id, char *shm_name, size_t shm_cap, char *wake_name,
		      size_t wake_cap)
{
	if (!shm_name || !wake_name)
		return -1;
	int n = snprintf(shm_name, shm_cap, "Local\\obs-faceswap-%lu-%llu", (unsigned long)pid,
			 (unsigned long long)channel_id);
	if (n < 0 || (size_t)n >= shm_cap)
		return -1;
	n = snprintf(wake_name, wake_cap, "Local\\obs-faceswap-%lu-%llu-wake", (unsigned long)pid,
		     (unsigned long long)channel_id);
	return (n < 0 || (size_t)n >= wake_cap) ? -1 : 0;
}

int ofs_shm_create(const char *name, const char *wake_name, uint64_t size, struct ofs_shm **out)
{
	if (!name || !out || size == 0 || size > (uint64_t)SIZE_MAX)
		return -1;
	*out = NULL;
	struct ofs_shm *shm = calloc(1, sizeof(*shm));
	wchar_t *wname = widen(name);
	wchar_t *wwake = (wake_name && wake_name[0]) ? widen(wake_name) : NULL;
	SECURITY_ATTRIBUTES sa;
	int ok = shm && wname && (!wake_name || !wake_name[0] || wwake) && owner_only_sa(&sa, FALSE) == 0;
	if (ok) {
		SetLastError(0);
		shm->mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, (DWORD)(size >> 32),
						  (DWORD)(size & 0xffffffffu), wname);
		ok = shm->mapping != NULL && GetLastError() != ERROR_ALREADY_EXISTS;
		if (ok && wwake) {
			SetLastError(0);
			shm->wake = CreateEventW(&sa, FALSE, FALSE, wwake);
			ok = shm->wake != NULL && GetLastError() != ERROR_ALREADY_EXISTS;
		}
		if (ok) {
			shm->data = MapViewOfFile(shm->mapping, FILE_MAP_ALL_ACCESS, 0, 0, (SIZE_T)size);
			ok = shm->data != NULL;
		}
		LocalFree(sa.lpSecurityDescriptor);
	}
	free(wname);
	free(wwake);
	if (!ok) {
		ofs_shm_destroy(shm);
		return -1;
	}
	shm->size = size;
	*out = shm;
	return 0;
}

int ofs_shm_open(const char *name, uint64_t size, struct ofs_shm **out)
{
	if (!name || !out || size == 0 || size > (uint64_t)SIZE_MAX)
		return -1;
	*out = NULL;
	struct ofs_shm *shm = calloc(1, sizeof(*shm));
	wchar_t *wname = widen(name);
	int ok = shm && wname;
	if (ok) {
		shm->mapping = OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, wname);
		ok = shm->mapping != NULL;
	}
	if (ok) {
		shm->data = MapViewOfFile(shm->mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
		MEMORY_BASIC_INFORMATION mbi;
		ok = shm->data != NULL && VirtualQuery(shm->data, &mbi, sizeof(mbi)) == sizeof(mbi) &&
		     (uint64_t)mbi.RegionSize >= size;
	}
	free(wname);
	if (!ok) {
		ofs_shm_destroy(shm);
		return -1;
	}
	shm->size = size;
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
	(void)frame_seq;
	if (shm && shm->wake)
		SetEvent(shm->wake);
}

void ofs_shm_wait(struct ofs_shm *shm, uint32_t *frame_seq, uint32_t seen, uint32_t timeout_ms)
{
	if (shm && shm->wake) {
		WaitForSingleObject(shm->wake, timeout_ms);
		return;
	}
	for (uint32_t i = 0; i < timeout_ms && *(volatile uint32_t *)frame_seq == seen; i++)
		Sleep(1);
}

void ofs_shm_destroy(struct ofs_shm *shm)
{
	if (!shm)
		return;
	if (shm->data)
		UnmapViewOfFile(shm->data);
	if (shm->wake)
		CloseHandle(shm->wake);
	if (shm->mapping)
		CloseHandle(shm->mapping);
	free(shm);
}

/* ---- control endpoint ----------------------------------------------- */

struct ofs_conn {
	HANDLE pipe;
	HANDLE event;
};

int ofs_endpoint_default(char *buf, size_t cap)
{
	if (!buf || cap == 0)
		return -1;
	wchar_t env[512];
	DWORD n = GetEnvironmentVariableW(L"OBS_FACESWAP_ENDPOINT", env, sizeof(env) / sizeof(env[0]));
	if (n > 0 && n < sizeof(env) / sizeof(env[0]))
		return narrow(env, buf, cap);
	wchar_t user[257];
	DWORD ulen = sizeof(user) / sizeof(user[0]);
	if (!GetUserNameW(user, &ulen))
		return -1;
	wchar_t path[300];
	int k = _snwprintf(path, sizeof(path) / sizeof(path[0]), L"\\\\.\\pipe\\obs-faceswap-%ls", user);
	if (k < 0 || (size_t)k >= sizeof(path) / sizeof(path[0]))
		return -1;
	return narrow(path, buf, cap);
}

/* 1 if the pipe's server object is owned by the current user (a pipe
 * created first by another user must not receive our frames). */
static int pipe_owned_by_user(HANDLE pipe)
{
	PSID owner = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	if (GetSecurityInfo(pipe, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL, &sd) !=
	    ERROR_SUCCESS)
		return 0;
	void *tu = NULL;
	PSID me = current_user_sid(&tu);
	int same = owner && me && EqualSid(owner, me);
	if (tu)
		LocalFree(tu);
	LocalFree(sd);
	return same;
}

int ofs_conn_connect(const char *endpoint, uint32_t timeout_ms, struct ofs_conn **out)
{
	if (!endpoint || !out)
		return -1;
	*out = NULL;
	wchar_t *wname = widen(endpoint);
	if (!wname)
		return -1;
	HANDLE h = INVALID_HANDLE_VALUE;
	for (int attempt = 0; attempt < 2; attempt++) {
		h = CreateFileW(wname, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
				FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
		if (h != INVALID_HANDLE_VALUE || GetLastError() != ERROR_PIPE_BUSY)
			break;
		if (!WaitNamedPipeW(wname, timeout_ms ? timeout_ms : 1))
			break;
	}
	free(wname);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	if (!pipe_owned_by_user(h)) {
		CloseHandle(h);
		return -1;
	}
	struct ofs_conn *c = calloc(1, sizeof(*c));
	HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!c || !ev) {
		free(c);
		if (ev)
			CloseHandle(ev);
		CloseHandle(h);
		return -1;
	}
	c->pipe = h;
	c->event = ev;
	*out = c;
	return 0;
}

/* Runs one overlapped ReadFile/WriteFile with a timeout. Returns bytes
 * transferred, 0 on timeout, -1 on failure or a closed pipe. */
static int64_t overlapped_io(struct ofs_conn *c, int write, void *buf, DWORD len, uint32_t timeout_ms)
{
	OVERLAPPED ov;
	memset(&ov, 0, sizeof(ov));
	ov.hEvent = c->event;
	ResetEvent(c->event);
	DWORD n = 0;
	BOOL ok = write ? WriteFile(c->pipe, buf, len, &n, &ov) : ReadFile(c->pipe, buf, len, &n, &ov);
	if (!ok) {
		if (GetLastError() != ERROR_IO_PENDING)
			return -1;
		if (WaitForSingleObject(c->event, timeout_ms) != WAIT_OBJECT_0)
			CancelIoEx(c->pipe, &ov);
		/* Wait for the final state: completed (maybe just now) or cancelled. */
		if (!GetOverlappedResult(c->pipe, &ov, &n, TRUE))
			return GetLastError() == ERROR_OPERATION_ABORTED ? 0 : -1;
	}
	return (int64_t)n;
}

int ofs_conn_send(struct ofs_conn *conn, const void *buf, size_t len, uint32_t timeout_ms)
{
	if (!conn || (!buf && len))
		return -1;
	const uint8_t *p = buf;
	const uint64_t deadline = ofs_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	while (len > 0) {
		uint64_t now = ofs_monotonic_ns();
		if (now >= deadline)
			return -1;
		DWORD chunk = len > 65536u ? 65536u : (DWORD)len;
		int64_t n = overlapped_io(conn, 1, (void *)p, chunk, (uint32_t)((deadline - now) / 1000000ull) + 1u);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int64_t ofs_conn_recv(struct ofs_conn *conn, void *buf, size_t cap, uint32_t timeout_ms)
{
	if (!conn || !buf || cap == 0)
		return -1;
	DWORD len = cap > 65536u ? 65536u : (DWORD)cap;
	return overlapped_io(conn, 0, buf, len, timeout_ms);
}

void ofs_conn_close(struct ofs_conn *conn)
{
	if (!conn)
		return;
	CloseHandle(conn->pipe);
	CloseHandle(conn->event);
	free(conn);
}

/* ---- host process --------------------------------------------------- */

struct ofs_process {
	HANDLE handle;
	DWORD pid;
};

int ofs_file_executable(const char *path)
{
	wchar_t *w = widen(path);
	if (!w)
		return 0;
	DWORD attr = GetFileAttributesW(w);
	free(w);
	return attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY);
}

/* Appends one argument quoted per CommandLineToArgvW's rules. */
static size_t quote_arg(wchar_t *dst, size_t pos, size_t cap, const wchar_t *arg)
{
#define PUT(ch)                          \
	do {                             \
		if (pos + 1 < cap)       \
			dst[pos] = (ch); \
		pos++;                   \
	} while (0)
	if (pos > 0)
		PUT(L' ');
	PUT(L'"');
	for (const wchar_t *s = arg;; s++) {
		size_t slashes = 0;
		while (*s == L'\\') {
			s++;
			slashes++;
		}
		if (*s == L'\0') {
			for (size_t i = 0; i < slashes * 2; i++)
				PUT(L'\\');
			break;
		}
		if (*s == L'"') {
			for (size_t i = 0; i < slashes * 2 + 1; i++)
				PUT(L'\\');
		} else {
			for (size_t i = 0; i < slashes; i++)
				PUT(L'\\');
		}
		PUT(*s);
	}
	PUT(L'"');
#undef PUT
	return pos;
}

int ofs_process_spawn(const char *exe, const char *const *argv, const char *log_path, struct ofs_process **out)
{
	if (!exe || !argv || !argv[0] || !out)
		return -1;
	*out = NULL;
	wchar_t *wexe = widen(exe);
	if (!wexe)
		return -1;

	/* Command line. */
	const size_t cap = 32768;
	wchar_t *cmd = calloc(cap, sizeof(wchar_t));
	size_t pos = 0;
	int ok = cmd != NULL;
	for (size_t i = 0; ok && argv[i]; i++) {
		wchar_t *warg = widen(argv[i]);
		ok = warg != NULL;
		if (ok)
			pos = quote_arg(cmd, pos, cap, warg);
		free(warg);
	}
	ok = ok && pos < cap;
	if (ok)
		cmd[pos] = L'\0';

	/* Inheritable handles for stdin (NUL) and stdout/stderr (log). */
	SECURITY_ATTRIBUTES inherit = {.nLength = sizeof(inherit), .bInheritHandle = TRUE};
	HANDLE nul = INVALID_HANDLE_VALUE, log = INVALID_HANDLE_VALUE;
	if (ok) {
		nul = CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
				  OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
		wchar_t *wlog = (log_path && log_path[0]) ? widen(log_path) : NULL;
		if (wlog)
			log = CreateFileW(wlog, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
					  OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
		free(wlog);
		if (log == INVALID_HANDLE_VALUE)
			log = nul;
		ok = nul != INVALID_HANDLE_VALUE;
	}

	/* Only those handles reach the child. */
	HANDLE list[2] = {nul, log};
	DWORD list_count = (log == nul) ? 1 : 2;
	SIZE_T attr_size = 0;
	LPPROC_THREAD_ATTRIBUTE_LIST attrs = NULL;
	if (ok) {
		InitializeProcThreadAttributeList(NULL, 1, 0, &attr_size);
		attrs = malloc(attr_size);
		ok = attrs && InitializeProcThreadAttributeList(attrs, 1, 0, &attr_size) &&
		     UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, list,
					       list_count * sizeof(HANDLE), NULL, NULL);
	}

	PROCESS_INFORMATION pi;
	memset(&pi, 0, sizeof(pi));
	if (ok) {
		STARTUPINFOEXW si;
		memset(&si, 0, sizeof(si));
		si.StartupInfo.cb = sizeof(si);
		si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
		si.StartupInfo.hStdInput = nul;
		si.StartupInfo.hStdOutput = log;
		si.StartupInfo.hStdError = log;
		si.lpAttributeList = attrs;
		ok = CreateProcessW(wexe, cmd, NULL, NULL, TRUE,
				    EXTENDED_STARTUPINFO_PRESENT | CREATE_NO_WINDOW | CREATE_NEW_PROCESS_GROUP |
					    CREATE_UNICODE_ENVIRONMENT,
				    NULL, NULL, &si.StartupInfo, &pi) != 0;
	}
	if (attrs) {
		DeleteProcThreadAttributeList(attrs);
		free(attrs);
	}
	if (log != INVALID_HANDLE_VALUE && log != nul)
		CloseHandle(log);
	if (nul != INVALID_HANDLE_VALUE)
		CloseHandle(nul);
	free(cmd);
	free(wexe);
	if (!ok)
		return -1;

	CloseHandle(pi.hThread);
	struct ofs_process *p = calloc(1, sizeof(*p));
	if (!p) {
		CloseHandle(pi.hProcess);
		return -1;
	}
	p->handle = pi.hProcess;
	p->pid = pi.dwProcessId;
	*out = p;
	return 0;
}

int ofs_process_running(struct ofs_process *proc, int *exit_code)
{
	if (!proc)
		return 0;
	if (WaitForSingleObject(proc->handle, 0) == WAIT_TIMEOUT)
		return 1;
	DWORD code = 0;
	if (exit_code)
		*exit_code = GetExitCodeProcess(proc->handle, &code) ? (int)code : -1;
	return 0;
}

uint32_t ofs_process_pid(const struct ofs_process *proc)
{
	return proc ? (uint32_t)proc->pid : 0;
}

void ofs_process_release(struct ofs_process *proc)
{
	if (!proc)
		return;
	CloseHandle(proc->handle);
	free(proc);
}

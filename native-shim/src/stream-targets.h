/* Stream targets: extra RTMP/RTMPS/SRT outputs (Twitch, YouTube, Facebook,
 * TikTok, custom) that run beside OBS's main stream, driven through the
 * obs-websocket vendor requests in vendor-api.c. See docs/shim.md "Stream
 * targets". */
#ifndef OFS_STREAM_TARGETS_H
#define OFS_STREAM_TARGETS_H

#include <obs-module.h>

/* From obs_module_load: loads the stored targets (none start) and hooks the
 * frontend's streaming events. */
void ofs_targets_init(void);
/* From obs_module_unload (and the frontend's exit event): stops and
 * releases every target, bounded; idempotent. */
void ofs_targets_shutdown(void);

/* Where vendor events go (set from ofs_vendor_register; NULL: nowhere). */
void ofs_targets_set_event_sink(void (*emit)(const char *event_type, obs_data_t *data));

/* The vendor requests (obs-websocket's thread). Each answers
 * {success: true, ...} or {success: false, error}. */
void ofs_targets_request_add(obs_data_t *request, obs_data_t *response);
void ofs_targets_request_remove(obs_data_t *request, obs_data_t *response);
void ofs_targets_request_list(obs_data_t *request, obs_data_t *response);
void ofs_targets_request_start(obs_data_t *request, obs_data_t *response);
void ofs_targets_request_stop(obs_data_t *request, obs_data_t *response);
void ofs_targets_request_start_all(obs_data_t *request, obs_data_t *response);
void ofs_targets_request_stop_all(obs_data_t *request, obs_data_t *response);

#endif /* OFS_STREAM_TARGETS_H */

/* The "Face Swap" video filter: callbacks for the obs_source_info table
 * (faceswap-filter-info.c). */
#ifndef OFS_FACESWAP_FILTER_H
#define OFS_FACESWAP_FILTER_H

#include <obs-module.h>

#define OFS_FILTER_ID "obs_faceswap_filter"

const char *ofs_filter_get_name(void *type_data);
void *ofs_filter_create(obs_data_t *settings, obs_source_t *source);
void ofs_filter_destroy(void *data);
void ofs_filter_update(void *data, obs_data_t *settings);
void ofs_filter_get_defaults(obs_data_t *settings);
obs_properties_t *ofs_filter_get_properties(void *data);
void ofs_filter_video_tick(void *data, float seconds);
void ofs_filter_video_render(void *data, gs_effect_t *effect);

/* Sets a filter's "identity" setting (a name, or "#N" for the N-th identity
 * of its folder) and applies it, as the hotkeys and the vendor request
 * SetIdentity do. Any thread that may update a source. */
void ofs_filter_set_identity(obs_source_t *filter, const char *identity);

#endif /* OFS_FACESWAP_FILTER_H */

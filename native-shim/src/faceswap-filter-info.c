/* The filter's obs_source_info table, alone (the callbacks are in
 * faceswap-filter.c). A video filter for any source, sync or async. */
#include "faceswap-filter.h"

struct obs_source_info ofs_filter_info = {
	.id = OFS_FILTER_ID,
	.type = OBS_SOURCE_TYPE_FILTER,
	.output_flags = OBS_SOURCE_VIDEO | OBS_SOURCE_SRGB,
	.get_name = ofs_filter_get_name,
	.create = ofs_filter_create,
	.destroy = ofs_filter_destroy,
	.update = ofs_filter_update,
	.get_defaults = ofs_filter_get_defaults,
	.get_properties = ofs_filter_get_properties,
	.video_tick = ofs_filter_video_tick,
	.video_render = ofs_filter_video_render,
};

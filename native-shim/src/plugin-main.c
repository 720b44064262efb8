/* Module entry points: registers the filter, sets up the host link and the
 * obs-websocket vendor. */
#include <string.h>

#include <obs-module.h>
#include <util/bmem.h>
#include <util/platform.h>

#include "host-link.h"
#include "obs-faceswap/wire.h"
#include "plugin-log.h"
#include "stream-targets.h"
#include "vendor-api.h"

OBS_DECLARE_MODULE()
OBS_MODULE_USE_DEFAULT_LOCALE(OFS_PLUGIN_NAME, "en-US")

extern struct obs_source_info ofs_filter_info;

MODULE_EXPORT const char *obs_module_name(void)
{
	return OFS_PLUGIN_NAME;
}

MODULE_EXPORT const char *obs_module_description(void)
{
	return "Live face swap: a video filter that hands frames to an out-of-process inference host";
}

/* Directory of the module binary (bmalloc'd), for the default host path. */
static char *module_dir(void)
{
	const char *bin = obs_get_module_binary_path(obs_current_module());
	if (!bin)
		return NULL;
	char *dir = bstrdup(bin);
	char *slash = strrchr(dir, '/');
#ifdef _WIN32
	char *backslash = strrchr(dir, '\\');
	if (!slash || (backslash && backslash > slash))
		slash = backslash;
#endif
	if (slash)
		*slash = '\0';
	return dir;
}

bool obs_module_load(void)
{
	char *dir = module_dir();
	char *config = obs_module_config_path("");
	char *log = NULL;
	if (config && os_mkdirs(config) != MKDIR_ERROR)
		log = obs_module_config_path("host.log");
	ofs_link_init(dir, log);
	obs_register_source(&ofs_filter_info);
	ofs_targets_init();
	ofs_log(LOG_INFO, "version %s loaded (wire version %u, module dir %s)", OFS_PLUGIN_VERSION, OFS_WIRE_VERSION,
		dir ? dir : "?");
	bfree(log);
	bfree(config);
	bfree(dir);
	return true;
}

void obs_module_post_load(void)
{
	ofs_vendor_register();
}

void obs_module_unload(void)
{
	ofs_targets_shutdown();
	ofs_link_shutdown();
	ofs_log(LOG_INFO, "unloaded");
}

/* The module's one logging wrapper: every line starts with "[obs-faceswap]".
 * Never called per frame: render and tick callbacks only count. */
#ifndef OFS_PLUGIN_LOG_H
#define OFS_PLUGIN_LOG_H

#include <util/base.h>

#if defined(__GNUC__) || defined(__clang__)
#define OFS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OFS_PRINTF(fmt, args)
#endif

void ofs_log(int level, const char *format, ...) OFS_PRINTF(2, 3);

#endif /* OFS_PLUGIN_LOG_H */

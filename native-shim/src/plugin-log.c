#include "plugin-log.h"

#include <stdarg.h>
#include <stdio.h>

void ofs_log(int level, const char *format, ...)
{
	char prefixed[512];
	snprintf(prefixed, sizeof(prefixed), "[%s] %s", OFS_PLUGIN_NAME, format);
	va_list args;
	va_start(args, format);
	blogva(level, prefixed, args);
	va_end(args);
}

/* msg: see msg.h */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[1024];
static void (*warning_handler)(const char *msg);

int qe_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return -1;
}

const char *qe_last_error(void)
{
	return last_error;
}

void qe_clear_error(void)
{
	last_error[0] = '\0';
}

void qe_warning(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (!warning_handler)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warning_handler(msg);
}

void qe_set_warning_handler(void (*fn)(const char *msg))
{
	warning_handler = fn;
}

/* Console log lines. Every line starts with LOG_PREFIX so readers (and salvage-recv) can tell log
 * lines from dump frames. The kernel's implementation is drivers/console.c; host tests supply their own. */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#define LOG_PREFIX "salvage: "

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prefixes "warning: ". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prefixes "error: ". */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/* Tiny assertion helpers for the host unit tests: each check prints "ok" or "not ok" with the
 * file:line it came from; tests/run counts the lines. */
#ifndef TESTS_UNIT_OK_H
#define TESTS_UNIT_OK_H

#include <stdio.h>

extern int ok_failures;

#define ok(cond, ...) ok_at(__FILE__, __LINE__, !!(cond), __VA_ARGS__)
void ok_at(const char *file, int line, int pass, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Exit status for main(): non-zero when any check failed. */
#define ok_done() (ok_failures ? 1 : 0)

#endif

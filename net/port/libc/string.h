/* Kernel-only stand-in for <string.h> when compiling lwIP freestanding: salvage's own string
 * functions (lib/string.c) behind the name lwIP includes. Host builds use the real libc header. */
#ifndef NET_PORT_LIBC_STRING_H
#define NET_PORT_LIBC_STRING_H

#include "lib/lib.h"

#endif

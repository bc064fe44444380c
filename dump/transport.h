/* A dump target: sends the whole file of a struct dump somewhere. Each transport reads the file
 * with dump_read, shows progress (dump/progress.h) and ends with a digest line. */
#ifndef DUMP_TRANSPORT_H
#define DUMP_TRANSPORT_H

#include "dump/dump.h"
#include "lib/cmdline.h"

/* Send d to target t. Returns 0 when the receiver has all of it, else a negative error after a log
 * line saying what failed; the caller then tries the next target. */
int serial_send(const struct dump *d, const struct dump_target *t, const struct config *cfg);
int tftp_send(const struct dump *d, const struct dump_target *t, const struct config *cfg);

#endif

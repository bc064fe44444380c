/* Dump transports (TFTP, serial): consumers of the stream stage (dump/stream.h), each registered
 * in a link-time table with TRANSPORT (like NIC drivers, drivers/nic.h) and found by the target
 * kind of the command line. A transport takes the file's bytes in order, once; it keeps what it
 * needs to resend (its own retransmit window) and never reads the dump itself. */
#ifndef DUMP_TRANSPORT_H
#define DUMP_TRANSPORT_H

#include "lib/cmdline.h"
#include "lib/lib.h"
#include "lib/sha256.h"

/* A small second file a transport may write beside the dump, after it (TFTP: "<path><suffix>"),
 * so it never delays the dump: produce(ctx, put, pctx) gives its bytes piece by piece through put,
 * the same bytes each time it runs (so it can run once to size the file); a non-zero return of put
 * is returned. Failing to write it is a warning, never the target's failure. */
struct side_file {
	const char *suffix;	/* ".dmesg" */
	int (*produce)(const void *ctx, int (*put)(void *pctx, const char *buf, size_t len), void *pctx);
	const void *ctx;
};

/* What a transport learns of the file before its first byte. */
struct transport_info {
	uint64_t size;		/* bytes, or STREAM_SIZE_UNKNOWN (dump/stream.h): TFTP omits tsize then */
	const char *crashtime;	/* VMCOREINFO CRASHTIME digits or "" (TFTP's %t) */
	const char *format;	/* "elf", "raw", "kdump" (for the log) */
	const struct side_file *side; /* written beside the dump by transports that can, or NULL */
};

/* An open connection: the transport's operations and its own state. */
struct transport_conn {
	const struct transport *ops;
	void *priv;
};

struct transport {
	const char *name;		/* "tftp", "serial": names progress and log lines */
	enum target_kind kind;		/* the dump= targets it serves */
	/* Connect to target t and be ready for the file's first byte (TFTP: request granted; serial:
	 * port set up, header line out). Sets c->priv. Returns 0 or a negative error after a log line. */
	int (*open)(struct transport_conn *c, const struct dump_target *t, const struct config *cfg,
		    const struct transport_info *info);
	/* The next len bytes of the file (len may be 0). Returns when they are taken (sent, or held in
	 * the transport's window until acknowledged). 0, or a negative error after a log line: the
	 * connection is then dead and only abort follows. */
	int (*write)(struct transport_conn *c, const void *buf, size_t len);
	/* The file ended after size bytes with this SHA-256 of them: deliver the rest and the digest
	 * (serial: end frame; TFTP: the final block, then "<path>.sha256"). Returns 0 when the receiver
	 * has the whole file, else a negative error after a log line. Releases the connection. */
	int (*close)(struct transport_conn *c, uint64_t size, const uint8_t digest[SHA256_DIGEST_SIZE]);
	/* Give up after an error (rc): tell the receiver when the protocol can, release everything. */
	void (*abort)(struct transport_conn *c, int rc);
};

/* Place a transport in the link-time table (linker.ld gathers .tbl.* sorted; dump/stream.c). */
#define TRANSPORT __attribute__((used, aligned(4), section(".tbl.transports.01")))

/* The transport serving target kind, or NULL (dump/stream.c, from the table's bounds). */
const struct transport *transport_find(enum target_kind kind);

/* Scratch memory that the one transport running at a time uses for its window or encoder (TFTP:
 * the blocks sent and not yet acknowledged; serial: read-ahead and encoder tables). Each transport
 * overlays its own struct and _Static_asserts that it fits (as nic_dma_arena does). */
#define TRANSPORT_SCRATCH_SIZE (128u * 1024u)
extern uint8_t transport_scratch[TRANSPORT_SCRATCH_SIZE];

/* A byte sink for a line-oriented transport: where serial frames go. The platform provides it
 * (drivers/serial_sink.c: a UART, between whole console log lines); generic code never calls
 * hardware. */
struct byte_sink {
	void (*write)(void *ctx, const void *buf, size_t n);
	void *ctx;
	int port;		/* ttyS<n> it writes to (for the log) */
	uint32_t baud;
};
/* Ready ttyS<port> (-1: the console's) at baud (0: the console's, or 115200 for another port) and
 * fill *s. Returns 0, or a negative error after a log line when no UART answers. */
int serial_sink_open(int port, uint32_t baud, struct byte_sink *s);

#endif

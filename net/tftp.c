/* The TFTP transport: a write client (RFC 1350 WRQ, octet mode, with RFC 2347 options blksize/tsize/
 * timeout/windowsize) on lwIP's raw UDP API. It takes the file in order from the stream stage and
 * keeps the blocks sent but not yet acknowledged in its own window buffer (the transport scratch),
 * then sends a second small file "<path>.sha256" for `sha256sum -c`. */
#include "dump/stream.h"
#include "dump/transport.h"
#include "lib/clock.h"
#include "lib/lib.h"
#include "lib/log.h"
#include "lib/sha256.h"
#include "net/net.h"

#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/prot/icmp.h"
#include "lwip/raw.h"
#include "lwip/udp.h"

/* RFC 1350 opcodes (RFC 2347 adds OACK). */
#define TFTP_OP_RRQ 1
#define TFTP_OP_WRQ 2
#define TFTP_OP_DATA 3
#define TFTP_OP_ACK 4
#define TFTP_OP_ERROR 5
#define TFTP_OP_OACK 6

/* RFC 1350 / 2347 error codes we send. */
#define TFTP_ERR_UNDEF 0	/* not defined, see message */
#define TFTP_ERR_BADTID 5	/* unknown transfer ID */
#define TFTP_ERR_OPTION 8	/* option negotiation refused */

#define TFTP_HDR_LEN 4			/* opcode + block number (or error code) */
#define TFTP_BLKSIZE_PLAIN 512		/* RFC 1350 block size when no option is granted */
#define TFTP_BLKSIZE_MIN 8		/* RFC 2348 range */
#define TFTP_BLKSIZE_MAX 65464
#define TFTP_WINDOW_MAX 64		/* largest windowsize we ask for or accept */
#define TFTP_WINDOW_WANT 16		/* default windowsize requested (RFC 7440) ... */
#define TFTP_WINDOW_BYTES (128u * 1024u) /* ... unless that many bytes would be in flight: a window
					 * must fit a server's socket buffer (Linux: ~208 KiB, and a
					 * fragmented 64 KiB datagram takes ~100 KiB of it) */
#define TFTP_TIMEOUT_OPT_S 1		/* RFC 2349 timeout we ask the server to use, seconds */
#define TFTP_REQ_MAX 512		/* a request packet fits the classic 512-byte limit */
#define TFTP_RX_MAX 600			/* largest reply we keep (ACK/OACK/ERROR are small) */
#define TFTP_RXQ 8			/* replies queued between two polls */

/* Retransmission: start at RTO_INIT, adapt to the measured round trip (window send time included),
 * double on every timeout up to RTO_MAX; give up after SILENCE of no progress at all. */
#define TFTP_RTO_INIT_US (250u * 1000u)
#define TFTP_RTO_MIN_US (30u * 1000u)
#define TFTP_RTO_MAX_US (4u * 1000u * 1000u)
#define TFTP_SILENCE_US (30ull * 1000u * 1000u)
/* Pacing between DATA blocks after losses: from GAP_MIN doubling up to GAP_MAX, easing off again
 * by a quarter per window delivered cleanly. */
#define TFTP_GAP_MIN_US 100u
#define TFTP_GAP_MAX_US (2u * 1000u)
/* A lost final ACK is indistinguishable from success (RFC 1350 leaves it open; servers exit after
 * it). With only the last block unacknowledged and this much silence from a server that was asked
 * to retransmit every TFTP_TIMEOUT_OPT_S, the transfer counts as delivered, with a warning. */
#define TFTP_FINAL_SILENCE_US (5u * 1000u * 1000u)

struct tftp_hdr {
	uint16_t opcode;	/* network order */
	uint16_t block;		/* block number (DATA/ACK) or error code (ERROR), network order */
} __attribute__((packed));
_Static_assert(sizeof(struct tftp_hdr) == TFTP_HDR_LEN, "TFTP header is 4 bytes on the wire");

/* The window buffer: block k (1 = first) lives in slot (k - 1) % cap, cap = TFTP_RING / blksize,
 * from when the file's bytes reach it until it is acknowledged. The window (RFC 7440) is never
 * larger than cap, so a retransmission always finds its block here. */
#define TFTP_RING TRANSPORT_SCRATCH_SIZE
_Static_assert(TFTP_RING >= TFTP_WINDOW_BYTES, "the window buffer holds a whole default window");

enum tftp_state { TS_REQUEST, TS_DATA, TS_DONE, TS_FAILED };

/* One write transfer: the protocol state machine (tftp_input, tftp_step) plus the lwIP pcb it
 * talks through (tftp_out_*). Block numbers are kept as 64-bit counts (1 = first block); the wire
 * carries their low 16 bits, so 65536 goes out as 0 (rollover). */
struct tftp_xfer {
	uint8_t *ring;			/* the window buffer (TFTP_RING bytes) */
	uint64_t cap;			/* blocks it holds at the negotiated blksize */
	uint64_t size;			/* the file's size, STREAM_SIZE_UNKNOWN until it is closed */
	uint64_t filled;		/* file bytes taken so far */
	bool closed;			/* every byte taken: the last block is known */
	const char *name;		/* remote file name (expanded) */
	uint32_t server_ip;		/* host order */
	uint16_t server_port;		/* where requests go (69 by default) */
	uint16_t tid;			/* server's transfer port, 0 until its first reply */
	bool use_options;		/* false after a server refused options: plain RFC 1350 */
	uint32_t want_blksize;
	uint32_t want_window;

	enum tftp_state state;
	int rc;				/* result once TS_DONE/TS_FAILED */
	uint32_t blksize;		/* negotiated */
	uint32_t window;		/* negotiated */
	uint64_t nblocks;		/* size / blksize + 1 once closed (the last block is short, maybe
					 * empty), else ~0 */
	uint64_t acked;			/* every block <= acked is acknowledged */
	uint64_t next;			/* next block to send */
	uint64_t fresh;			/* first block never sent yet (hashed when first sent) */

	uint64_t rto_us;		/* current retransmission timeout (backed off) */
	uint64_t rto_base_us;		/* timeout from the round-trip estimate */
	uint64_t srtt_us;		/* smoothed round trip, 0 until measured */
	uint64_t deadline_us;		/* when to retransmit */
	uint64_t progress_us;		/* last time the peer showed progress */
	uint64_t last_send_us;		/* when the latest packet left (RTT samples start here) */
	uint64_t last_rx_us;		/* when the server was last heard from */
	bool window_clean;		/* no retransmission in it (Karn: only then sample RTT) */
	uint64_t gap_us;		/* pacing between blocks, raised on loss (see tftp_slow_down) */
	uint64_t next_send_us;		/* earliest time for the next DATA */
	uint32_t retransmits;

	bool first_log;			/* log when the first data byte leaves (bench/) */
	bool unconfirmed;		/* ended without the final ACK (see TFTP_FINAL_SILENCE_US) */
	uint64_t t0_us;			/* when the request was first sent */

	/* An ICMP destination unreachable quoting one of our datagrams (see tftp_icmp_recv). */
	bool unreach;
	uint8_t unreach_code;		/* ICMP_DUR_* */
	uint16_t unreach_port;		/* the server port the quoted datagram went to */
	uint32_t unreach_from;		/* who sent the ICMP (host order): the server or a router */

	struct udp_pcb *pcb;
	/* Replies arrive in lwIP's receive callback (from inside net_poll) and wait here until
	 * tftp_step looks at them, so the state machine never runs re-entrantly from a send. */
	struct {
		uint8_t buf[TFTP_RX_MAX];
		uint16_t len;
		uint16_t port;
		uint32_t ip;
		bool truncated;
	} rxq[TFTP_RXQ];
	unsigned rxq_head, rxq_count;
};

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* --- lwIP glue ------------------------------------------------------------------------------------ */

/* lwIP udp_recv callback (arg: the transfer): copy the datagram into its rxq and free the pbuf
 * (always). A full queue drops it, which the protocol treats like a loss on the wire. */
static void tftp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	struct tftp_xfer *x = arg;

	if (x->rxq_count < TFTP_RXQ) {
		unsigned i = (x->rxq_head + x->rxq_count) % TFTP_RXQ;

		x->rxq[i].len = pbuf_copy_partial(p, x->rxq[i].buf, sizeof(x->rxq[i].buf), 0);
		x->rxq[i].truncated = p->tot_len > sizeof(x->rxq[i].buf);
		x->rxq[i].port = port;
		x->rxq[i].ip = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr)));
		x->rxq_count++;
	}
	pbuf_free(p);
}

/* lwIP raw callback for every ICMP packet addressed to us (untrusted; runs before lwIP's own ICMP
 * input, which still gets the packet: we never eat it). lwIP's UDP does not pass ICMP errors on, so
 * a request to a port nobody listens on would wait out the whole silence bound; here a destination
 * unreachable that quotes a UDP datagram from our port to the server is noted in the transfer (arg)
 * for tftp_step to act on. Fragmentation-needed is not an answer to anything and is ignored. */
static u8_t tftp_icmp_recv(void *arg, struct raw_pcb *rpcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct tftp_xfer *x = arg;
	uint8_t b[60 + 8 + 60 + 8]; /* IP header, ICMP header, the quoted IP header and UDP ports */
	size_t n = pbuf_copy_partial(p, b, sizeof(b), 0), ihl, qihl;
	const uint8_t *icmp, *qip;
	uint16_t sum;

	if (!x->pcb || n < 20)
		return 0;
	ihl = (size_t)(b[0] & 15) * 4;
	if (ihl < 20 || n < ihl + 8 + 20)
		return 0;
	icmp = b + ihl;
	qip = icmp + 8;
	qihl = (size_t)(qip[0] & 15) * 4;
	if (icmp[0] != ICMP_DUR || icmp[1] == ICMP_DUR_FRAG || qihl < 20 || n < ihl + 8 + qihl + 4 ||
	    qip[9] != IP_PROTO_UDP || get_be16(qip + 6) & 0x1fff /* not the first fragment: no ports */ ||
	    ((uint32_t)get_be16(qip + 16) << 16 | get_be16(qip + 18)) != x->server_ip ||
	    get_be16(qip + qihl) != x->pcb->local_port)
		return 0;
	/* The checksum covers the whole ICMP message (ip4_input has put the IP header in p's first
	 * buffer, so stepping over it and back is safe). */
	if (pbuf_remove_header(p, ihl) != 0)
		return 0;
	sum = inet_chksum_pbuf(p);
	pbuf_add_header(p, ihl);
	if (sum != 0)
		return 0;
	x->unreach = true;
	x->unreach_code = icmp[1];
	x->unreach_port = get_be16(qip + qihl + 2);
	x->unreach_from = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr)));
	return 0;
}

/* Send len bytes of buf to the server at port (host order). Returns 0 or -ENOMEM/-EIO. */
static int tftp_out(struct tftp_xfer *x, uint16_t port, const void *buf, size_t len)
{
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	ip_addr_t dst;
	err_t err;

	if (!p)
		return -ENOMEM;
	pbuf_take(p, buf, (u16_t)len);
	IP_ADDR4(&dst, x->server_ip >> 24, (x->server_ip >> 16) & 0xff, (x->server_ip >> 8) & 0xff,
		 x->server_ip & 0xff);
	err = udp_sendto(x->pcb, p, &dst, port);
	pbuf_free(p);
	return err == ERR_OK ? 0 : -EIO;
}

/* Bytes of block k: blksize, but the last block (once the file is closed) is short, maybe empty. */
static size_t block_len(const struct tftp_xfer *x, uint64_t k)
{
	return k < x->nblocks ? x->blksize : (size_t)(x->filled - (k - 1) * x->blksize);
}

/* Block k is in the window buffer, complete. */
static bool block_ready(const struct tftp_xfer *x, uint64_t k)
{
	return k <= x->nblocks && (x->closed || x->filled >= k * x->blksize);
}

/* Send DATA block k (1-based count) from the window buffer. Returns 0 or a negative error. */
static int tftp_out_data(struct tftp_xfer *x, uint64_t k)
{
	size_t len = block_len(x, k);
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)(TFTP_HDR_LEN + len), PBUF_RAM);
	uint8_t *pl;
	ip_addr_t dst;
	err_t err;

	if (!p)
		return -ENOMEM;
	pl = p->payload; /* PBUF_RAM: one contiguous buffer */
	put_be16(pl, TFTP_OP_DATA);
	put_be16(pl + 2, (uint16_t)k);
	memcpy(pl + TFTP_HDR_LEN, x->ring + (k - 1) % x->cap * x->blksize, len);
	if (k == 1 && x->fresh == 1 && x->first_log) /* start-up figure for bench/ (clock_us from clock_init) */
		log_info("tftp: first data byte leaves at %llu us", (unsigned long long)clock_us());
	IP_ADDR4(&dst, x->server_ip >> 24, (x->server_ip >> 16) & 0xff, (x->server_ip >> 8) & 0xff,
		 x->server_ip & 0xff);
	err = udp_sendto(x->pcb, p, &dst, x->tid);
	if (k == x->fresh)
		x->fresh++;
	pbuf_free(p);
	/* A full TX ring or a queued ARP shows up as an error here: retransmission covers it. */
	return err == ERR_OK || err == ERR_MEM || err == ERR_BUF ? 0 : -EIO;
}

/* --- protocol ------------------------------------------------------------------------------------ */

/* Append "name\0value\0" to a request; returns the new length, or 0 when it would not fit. */
static size_t put_opt(uint8_t *req, size_t len, const char *name, uint64_t value)
{
	char num[24];
	size_t nl = strlen(name), vl;

	vl = (size_t)snprintf(num, sizeof(num), "%llu", (unsigned long long)value);
	if (len + nl + 1 + vl + 1 > TFTP_REQ_MAX)
		return 0;
	memcpy(req + len, name, nl + 1);
	memcpy(req + len + nl + 1, num, vl + 1);
	return len + nl + 1 + vl + 1;
}

/* A request's opcode, file name and "octet" mode into req (TFTP_REQ_MAX bytes): returns its length,
 * or 0 when the name does not fit. The write and the read-back request share it. */
static size_t tftp_request_head(uint8_t *req, uint16_t op, const char *name)
{
	size_t nl = strlen(name);

	if (2 + nl + 1 + sizeof("octet") > TFTP_REQ_MAX)
		return 0;
	put_be16(req, op);
	memcpy(req + 2, name, nl + 1);
	memcpy(req + 2 + nl + 1, "octet", sizeof("octet"));
	return 2 + nl + 1 + sizeof("octet");
}

/* Send (or resend) the write request, with our options unless the server refused them. */
static int tftp_send_wrq(struct tftp_xfer *x)
{
	uint8_t req[TFTP_REQ_MAX];
	size_t len = tftp_request_head(req, TFTP_OP_WRQ, x->name);

	if (!len)
		return -EINVAL;
	if (x->use_options) {
		len = put_opt(req, len, "blksize", x->want_blksize);
		if (len && x->size != STREAM_SIZE_UNKNOWN) /* RFC 2349: only a size known now */
			len = put_opt(req, len, "tsize", x->size);
		len = len ? put_opt(req, len, "timeout", TFTP_TIMEOUT_OPT_S) : 0;
		if (len && x->want_window > 1)
			len = put_opt(req, len, "windowsize", x->want_window);
		if (!len)
			return -EINVAL;
	}
	return tftp_out(x, x->server_port, req, len);
}

/* Send an ERROR packet (best effort) to port. */
static void tftp_send_error(struct tftp_xfer *x, uint16_t port, uint16_t code, const char *msg)
{
	uint8_t pkt[96];
	size_t ml = MIN(strlen(msg), sizeof(pkt) - TFTP_HDR_LEN - 1);

	put_be16(pkt, TFTP_OP_ERROR);
	put_be16(pkt + 2, code);
	memcpy(pkt + TFTP_HDR_LEN, msg, ml);
	pkt[TFTP_HDR_LEN + ml] = 0;
	tftp_out(x, port, pkt, TFTP_HDR_LEN + ml + 1);
}

static void tftp_fail(struct tftp_xfer *x, int rc)
{
	x->state = TS_FAILED;
	x->rc = rc;
}

/* The data phase starts (after OACK or ACK 0): the window buffer's slots at the granted blksize;
 * the file's bytes may come. */
static void tftp_start_data(struct tftp_xfer *x, uint64_t now)
{
	x->state = TS_DATA;
	x->cap = TFTP_RING / x->blksize;
	if (x->window > x->cap)
		x->window = (uint32_t)x->cap; /* never: the request asked no more than fits */
	x->nblocks = ~0ull;
	x->acked = 0;
	x->next = 1;
	x->fresh = 1;
	x->progress_us = now;
	x->last_send_us = now;
	x->window_clean = x->retransmits == 0;
	x->deadline_us = now + x->rto_us;
}

/* Case-insensitive equality for option names (RFC 2347: case does not matter). */
static bool opt_is(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a, cb = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

/* Parse a decimal option value; -EINVAL unless it is 1-19 digits (any 19 fit in 64 bits: tsize of
 * a dump of 10 GB or more has 11) and nothing else. */
static int opt_num(const char *s, uint64_t *v)
{
	int n = 0;

	*v = 0;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 19)
			return -EINVAL;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return n ? 0 : -EINVAL;
}

/* OACK (untrusted): pairs of NUL-terminated strings. Accept what the server granted if it is within
 * what we asked; anything else is refused with ERROR 8 and fails the transfer. */
static int tftp_parse_oack(struct tftp_xfer *x, const uint8_t *pkt, size_t len)
{
	const char *p = (const char *)pkt + 2, *end = (const char *)pkt + len;
	uint32_t blksize = TFTP_BLKSIZE_PLAIN, window = 1;

	while (p < end) {
		const char *name = p, *val;
		size_t nl = strnlen(name, (size_t)(end - name)), vl;
		uint64_t v;

		if (name + nl >= end) {
			log_err("tftp: OACK option name not NUL-terminated (%zu bytes in)", (size_t)(p - (const char *)pkt));
			return -EINVAL;
		}
		val = name + nl + 1;
		vl = strnlen(val, (size_t)(end - val));
		if (val >= end || val + vl >= end) {
			log_err("tftp: OACK option '%.20s' has no NUL-terminated value", name);
			return -EINVAL;
		}
		p = val + vl + 1;
		if (opt_num(val, &v) != 0) {
			log_err("tftp: OACK option '%.20s' has a non-numeric value '%.20s'", name, val);
			return -EINVAL;
		}
		if (opt_is(name, "blksize")) {
			if (v < TFTP_BLKSIZE_MIN || v > x->want_blksize) {
				log_err("tftp: OACK blksize %llu outside [%u, %u]", (unsigned long long)v,
					TFTP_BLKSIZE_MIN, x->want_blksize);
				return -EINVAL;
			}
			blksize = (uint32_t)v;
		} else if (opt_is(name, "windowsize")) {
			if (v < 1 || v > x->want_window) {
				log_err("tftp: OACK windowsize %llu outside [1, %u]", (unsigned long long)v,
					x->want_window);
				return -EINVAL;
			}
			window = (uint32_t)v;
		} else if (opt_is(name, "tsize")) {
			if (x->size == STREAM_SIZE_UNKNOWN)
				log_warn("tftp: OACK carries tsize %llu we did not send", (unsigned long long)v);
			else if (v != x->size)
				log_warn("tftp: OACK tsize %llu differs from the %llu bytes we send",
					 (unsigned long long)v, (unsigned long long)x->size);
		} else if (opt_is(name, "timeout")) {
			/* The server's own retransmission interval: nothing for us to do. */
		} else {
			log_err("tftp: OACK carries option '%.20s' we did not ask for", name);
			return -EINVAL;
		}
	}
	x->blksize = blksize;
	x->window = window;
	return 0;
}

/* Log a server ERROR packet (untrusted text: printable ASCII only, bounded). */
static void tftp_log_error(const struct tftp_xfer *x, const uint8_t *pkt, size_t len)
{
	char msg[80];
	size_t i, n = 0;

	for (i = TFTP_HDR_LEN; i < len && pkt[i] && n + 1 < sizeof(msg); i++)
		msg[n++] = pkt[i] >= 0x20 && pkt[i] < 0x7f ? (char)pkt[i] : '?';
	msg[n] = 0;
	log_err("tftp: server refused '%s': error %u: %s", x->name, len >= 4 ? get_be16(pkt + 2) : 0,
		n ? msg : "(no message)");
}

/* An RTT sample from a window acknowledged without retransmissions. */
static void tftp_rtt_sample(struct tftp_xfer *x, uint64_t now)
{
	uint64_t rtt = now - x->last_send_us;

	x->srtt_us = x->srtt_us ? (7 * x->srtt_us + rtt) / 8 : rtt;
	x->rto_base_us = MIN(MAX(3 * x->srtt_us + 10000, (uint64_t)TFTP_RTO_MIN_US), (uint64_t)TFTP_RTO_MAX_US);
}

/* A loss was seen (timeout, or the receiver reported a gap): the usual cause is a burst the path
 * or the server's socket buffer could not absorb (a window of 64 KiB blocks is hundreds of IP
 * fragments), so space the blocks out more. The window itself stays as negotiated: RFC 7440
 * receivers acknowledge whole windows, so sending fewer blocks would just wait for their timeout. */
static void tftp_slow_down(struct tftp_xfer *x)
{
	x->gap_us = MIN(MAX(x->gap_us * 2, (uint64_t)TFTP_GAP_MIN_US), (uint64_t)TFTP_GAP_MAX_US);
}

/* ACK for wire block n in the data phase. RFC 7440: an ACK for any block in the window acknowledges
 * every block up to it, and the sender continues from the block after it (a receiver ACKs early
 * when it saw a gap). A duplicate ACK of the last acknowledged block changes nothing: it is usually
 * the server answering a block we resent too early (or the network duplicating), and resending on it
 * would make every later block go out twice (RFC 1350's Sorcerer's Apprentice). If it really meant
 * "the first block of the window was lost", the retransmission timer resends the window. */
static void tftp_ack(struct tftp_xfer *x, uint16_t n, uint64_t now)
{
	uint64_t k = x->acked + (uint16_t)(n - (uint16_t)x->acked);

	if (k >= x->fresh)
		return; /* a block never sent: junk (stale ACKs from old windows fall below acked) */
	if (k == x->acked)
		return; /* a duplicate: never resend on one (see above); the timer recovers a lost block */
	if (k < x->next - 1) {
		tftp_slow_down(x); /* the receiver saw a gap after block k */
	} else if (x->window_clean) {
		tftp_rtt_sample(x, now); /* a whole window, never resent: its time is a clean sample */
		x->gap_us = x->gap_us * 3 / 4 < TFTP_GAP_MIN_US / 4 ? 0 : x->gap_us * 3 / 4;
	}
	x->acked = k;
	x->next = k + 1;
	x->rto_us = x->rto_base_us; /* progress: the backoff is over */
	x->progress_us = now;
	x->window_clean = true;
	x->deadline_us = now + x->rto_us;
	if (k == x->nblocks) {
		x->state = TS_DONE;
		x->rc = 0;
	}
}

/* Handle one datagram from (ip, port). Never trusts its length or contents. */
static void tftp_input(struct tftp_xfer *x, const uint8_t *pkt, size_t len, uint32_t ip, uint16_t port,
		       uint64_t now)
{
	uint16_t op;

	if (ip != x->server_ip)
		return;
	if (len < TFTP_HDR_LEN) {
		log_warn("tftp: ignoring a %zu-byte packet (shorter than a TFTP header)", len);
		return;
	}
	if (x->tid && port != x->tid) {
		/* RFC 1350: a packet from another port is answered with error 5, the transfer goes on. */
		tftp_send_error(x, port, TFTP_ERR_BADTID, "Unknown transfer ID");
		return;
	}
	x->last_rx_us = now;
	op = get_be16(pkt);
	if (op == TFTP_OP_ERROR) {
		tftp_log_error(x, pkt, len);
		if (x->state == TS_REQUEST && x->use_options && get_be16(pkt + 2) == TFTP_ERR_OPTION) {
			/* RFC 2347: the server refused our options; ask again without them. */
			log_warn("tftp: server refused our options; retrying as plain RFC 1350");
			x->use_options = false;
			x->tid = 0;
			/* Ask again at once; the request's timer (backoff, silence bound) carries on. */
			tftp_send_wrq(x);
			x->last_send_us = now;
			x->deadline_us = now + x->rto_us;
			return;
		}
		tftp_fail(x, -ECONNREFUSED);
		return;
	}
	if (x->state == TS_REQUEST) {
		if (op == TFTP_OP_OACK && x->use_options) {
			x->tid = port;
			if (tftp_parse_oack(x, pkt, len) != 0) {
				tftp_send_error(x, port, TFTP_ERR_OPTION, "Bad option acknowledgement");
				tftp_fail(x, -EINVAL);
				return;
			}
		} else if (op == TFTP_OP_ACK && get_be16(pkt + 2) == 0) {
			x->tid = port;
			x->blksize = TFTP_BLKSIZE_PLAIN; /* the server ignored our options (or we sent none) */
			x->window = 1;
		} else {
			log_warn("tftp: ignoring opcode %u while waiting for the server's answer", op);
			return;
		}
		if (x->srtt_us == 0 && x->retransmits == 0)
			tftp_rtt_sample(x, now);
		x->rto_us = x->rto_base_us;
		tftp_start_data(x, now);
		return;
	}
	if (x->state != TS_DATA)
		return;
	if (op == TFTP_OP_ACK)
		tftp_ack(x, get_be16(pkt + 2), now);
	else if (op == TFTP_OP_OACK)
		tftp_ack(x, 0, now); /* our first DATA crossed a resent OACK: same as a duplicate ACK 0 */
	else
		log_warn("tftp: ignoring opcode %u during the transfer", op);
}

/* An ICMP destination unreachable answered our request (tftp_icmp_recv): nobody will answer it, so
 * end the transfer now instead of after TFTP_SILENCE_US. Only the request counts: later, a server
 * that exited after the last block (its final ACK lost) makes our resends bounce just the same. */
static void tftp_unreachable(struct tftp_xfer *x)
{
	static const char *const what[] = { "network unreachable", "host unreachable", "protocol unreachable",
					    "port unreachable" };
	uint32_t from = x->unreach_from;

	log_err("tftp: %u.%u.%u.%u port %u cannot be reached for '%s': ICMP %s (code %u) from %u.%u.%u.%u",
		x->server_ip >> 24, (x->server_ip >> 16) & 0xff, (x->server_ip >> 8) & 0xff, x->server_ip & 0xff,
		x->unreach_port, x->name, x->unreach_code < 4 ? what[x->unreach_code] : "destination unreachable",
		x->unreach_code, from >> 24, (from >> 16) & 0xff, (from >> 8) & 0xff, from & 0xff);
	tftp_fail(x, x->unreach_code == ICMP_DUR_PORT ? -ECONNREFUSED : -EHOSTUNREACH);
}

/* Time passes: retransmit on timeout (with backoff) and fail after TFTP_SILENCE_US of no progress. */
static void tftp_timers(struct tftp_xfer *x, uint64_t now)
{
	if (now < x->deadline_us || (x->state != TS_REQUEST && x->state != TS_DATA))
		return; /* not yet, or a reply just ended the transfer: its result stands */
	if (x->state == TS_DATA && x->fresh == x->acked + 1) {
		/* Nothing is out: the server waits for bytes the file has not given yet. */
		x->progress_us = now;
		x->deadline_us = now + x->rto_us;
		return;
	}
	if (x->state == TS_DATA && x->fresh > x->nblocks &&
	    now - MAX(x->last_rx_us, x->progress_us) >= TFTP_FINAL_SILENCE_US) {
		/* Every block went out at least once and the server, which resends its last ACK every
		 * TFTP_TIMEOUT_OPT_S while it still waits for data, has gone quiet: it most likely got
		 * the last block and exited while its final ACK was lost. */
		log_warn("tftp: no ACK for the end of '%s' (%llu of %llu blocks acknowledged) and no word "
			 "from the server for %llu s: taking it as delivered (a lost final ACK)", x->name,
			 (unsigned long long)x->acked, (unsigned long long)x->nblocks,
			 (unsigned long long)((now - MAX(x->last_rx_us, x->progress_us)) / 1000000));
		x->state = TS_DONE;
		x->rc = 0;
		x->unconfirmed = true;
		return;
	}
	if (now - x->progress_us >= TFTP_SILENCE_US) {
		log_err("tftp: no answer from the server for %llu s while %s '%s'",
			(unsigned long long)((now - x->progress_us) / 1000000),
			x->state == TS_REQUEST ? "requesting" : "sending", x->name);
		tftp_fail(x, -ETIMEDOUT);
		return;
	}
	x->retransmits++;
	x->rto_us = MIN(x->rto_us * 2, (uint64_t)TFTP_RTO_MAX_US);
	x->deadline_us = now + x->rto_us;
	if (x->state == TS_REQUEST) {
		tftp_send_wrq(x);
		x->last_send_us = now;
	} else {
		x->next = x->acked + 1; /* RFC 7440: resend the whole window */
		x->window_clean = false;
		tftp_slow_down(x);
	}
}

/* One pass of the transfer: poll the network, handle replies, send one block when the window,
 * the window buffer and the pacing allow, or run the timers. */
static void tftp_step(struct tftp_xfer *x)
{
	uint64_t now;
	int rc;

	net_poll();
	now = clock_us();
	while (x->rxq_count && (x->state == TS_REQUEST || x->state == TS_DATA)) {
		unsigned i = x->rxq_head;

		x->rxq_head = (x->rxq_head + 1) % TFTP_RXQ;
		x->rxq_count--;
		if (x->rxq[i].truncated)
			log_warn("tftp: reply of more than %u bytes truncated", TFTP_RX_MAX);
		tftp_input(x, x->rxq[i].buf, x->rxq[i].len, x->rxq[i].ip, x->rxq[i].port, now);
	}
	if (x->unreach && x->state == TS_REQUEST && x->unreach_port == x->server_port)
		tftp_unreachable(x);
	x->unreach = false;
	if (x->state == TS_DATA && x->next <= x->acked + x->window && block_ready(x, x->next) &&
	    now >= x->next_send_us) {
		/* one block per pass, so replies are read between blocks of a window */
		if ((rc = tftp_out_data(x, x->next)) != 0) {
			tftp_fail(x, rc);
			return;
		}
		x->next++;
		now = clock_us();
		x->last_send_us = now;
		x->next_send_us = now + x->gap_us;
		x->deadline_us = now + x->rto_us; /* the timer runs from the latest block sent */
		return;
	}
	tftp_timers(x, clock_us());
}

/* Whether tftp_step would send a block right now. */
static bool tftp_can_send(const struct tftp_xfer *x)
{
	return x->state == TS_DATA && x->next <= x->acked + x->window && block_ready(x, x->next) &&
	       clock_us() >= x->next_send_us;
}

/* Give x a UDP pcb on a fresh local port, its replies queued in its rxq. Returns 0 or a negative
 * error after a log line. */
static int xfer_pcb_open(struct tftp_xfer *x)
{
	x->pcb = udp_new();
	if (!x->pcb) {
		log_err("tftp: no UDP pcb available");
		return -ENOMEM;
	}
	if (udp_bind(x->pcb, IP_ANY_TYPE, 0) != ERR_OK) {
		log_err("tftp: cannot bind a UDP port");
		udp_remove(x->pcb);
		x->pcb = NULL;
		return -EIO;
	}
	x->rxq_head = x->rxq_count = 0;
	udp_recv(x->pcb, tftp_recv, x);
	return 0;
}

static void xfer_pcb_close(struct tftp_xfer *x)
{
	if (x->pcb)
		udp_remove(x->pcb);
	x->pcb = NULL;
}

/* Start a write transfer of name to t's server (size: the file's, or STREAM_SIZE_UNKNOWN): a
 * bound pcb, the request, and the server's answer. Returns 0 in the data phase, else a negative
 * error after a log line (the pcb is gone then). */
static int tftp_begin(struct tftp_xfer *x, const struct dump_target *t, const char *name, uint64_t size,
		      uint32_t blksize, uint32_t window)
{
	uint64_t now = clock_us();
	int rc;

	memset(x, 0, sizeof(*x));
	x->ring = transport_scratch;
	x->size = size;
	x->name = name;
	x->server_ip = t->tftp_ip;
	x->server_port = t->tftp_port ? t->tftp_port : 69;
	x->use_options = true;
	x->want_blksize = blksize;
	x->want_window = window;
	x->nblocks = ~0ull;
	if ((rc = xfer_pcb_open(x)) != 0)
		return rc;
	x->t0_us = now;
	x->state = TS_REQUEST;
	x->rto_us = x->rto_base_us = TFTP_RTO_INIT_US;
	x->progress_us = now;
	x->last_send_us = now;
	x->last_rx_us = now;
	x->deadline_us = now + x->rto_us;
	if ((rc = tftp_send_wrq(x)) != 0 && rc != -EIO) {
		log_err("tftp: cannot build a request for '%s' (%d)", x->name, rc);
		tftp_fail(x, rc);
	}
	while (x->state == TS_REQUEST)
		tftp_step(x);
	if (x->state == TS_DATA)
		return 0;
	net_poll();	/* the NIC sends queued frames at a poll: a final ERROR must not wait for one */
	xfer_pcb_close(x);
	return x->rc;
}

/* Take len more bytes of the file into the window buffer, sending blocks as they fill; waits for
 * acknowledgements when the buffer is full. Returns 0 or the transfer's negative error. */
static int tftp_take(struct tftp_xfer *x, const void *buf, size_t len)
{
	const uint8_t *in = buf;

	while (len) {
		uint64_t k = x->filled / x->blksize + 1;
		size_t at = (size_t)(x->filled % x->blksize), n;

		if (x->state != TS_DATA)
			return x->rc ? x->rc : -EIO;
		if (k > x->acked + x->cap) {
			tftp_step(x);	/* block k's slot still holds an unacknowledged block */
			continue;
		}
		n = MIN(len, (size_t)x->blksize - at);
		memcpy(x->ring + (k - 1) % x->cap * x->blksize + at, in, n);
		x->filled += n;
		in += n;
		len -= n;
		while (tftp_can_send(x))
			tftp_step(x);
	}
	return x->state == TS_DATA ? 0 : x->rc ? x->rc : -EIO;
}

/* Every byte is taken: the last block is known; run the transfer to its end and release the pcb.
 * Returns 0 when the server acknowledged the last block (or went quiet after it, see
 * TFTP_FINAL_SILENCE_US), else a negative error. */
static int tftp_end(struct tftp_xfer *x)
{
	if (x->state == TS_DATA) {
		x->closed = true;
		x->nblocks = x->filled / x->blksize + 1;
		if (x->acked >= x->nblocks) {
			x->state = TS_DONE;
			x->rc = 0;
		}
	}
	while (x->state == TS_REQUEST || x->state == TS_DATA)
		tftp_step(x);
	net_poll();	/* the NIC sends queued frames at a poll: a final ERROR must not wait for one */
	xfer_pcb_close(x);
	return x->rc;
}

/* --- read-back: did the server store it? --------------------------------------------------------- */

/* A server may acknowledge every block and still not store them (tftpd-hpa on a full disk does: it
 * does not check its writes). So after writing, salvage reads the file back: its size (RFC 2349 tsize
 * in the answer to a read request) and, for the small digest file, its bytes. */
#define TFTP_CHECK_WAIT_US (6u * 1000u * 1000u)	/* a read request unanswered this long: cannot tell */
#define TFTP_CHECK_RESEND_US (1000u * 1000u)	/* resend the request (or our last ACK) this often */
#define TFTP_CHECK_TRIES 4			/* a short answer is asked again (see tftp_check_stored) */

enum { CHECK_SAME = 0, CHECK_UNKNOWN = 1 };	/* with -EIO: tftp_read_back's results */

/* Send a read request for x->name asking its size (tsize=0), or resend it. */
static int tftp_send_rrq(struct tftp_xfer *x)
{
	uint8_t req[TFTP_REQ_MAX];
	size_t len = tftp_request_head(req, TFTP_OP_RRQ, x->name);

	if (len)
		len = put_opt(req, len, "tsize", 0);
	return len ? tftp_out(x, x->server_port, req, len) : -EINVAL;
}

/* The tsize in an OACK answering our read request (untrusted); false when there is none or the
 * OACK is malformed. Other options are ignored: we asked for none. */
static bool rrq_oack_tsize(const uint8_t *pkt, size_t len, uint64_t *size)
{
	const char *p = (const char *)pkt + 2, *end = (const char *)pkt + len;

	while (p < end) {
		const char *name = p, *val;
		size_t nl = strnlen(name, (size_t)(end - name)), vl;

		if (name + nl >= end)
			return false;
		val = name + nl + 1;
		vl = strnlen(val, (size_t)(end - val));
		if (val + vl >= end)
			return false;
		p = val + vl + 1;
		if (opt_is(name, "tsize"))
			return opt_num(val, size) == 0;
	}
	return false;
}

/* Ask the server for x->name back (read request with tsize=0, on x->pcb) and compare it with what
 * was written: size bytes, and when want is not NULL also those bytes (read whole in 512-byte
 * blocks: for the small digest file). With want NULL only the size is asked, and the transfer the
 * server starts is ended with an ERROR once its OACK is in. Returns CHECK_SAME, -EIO when the server
 * holds something else (*got: the size it holds, or how far the bytes matched), or CHECK_UNKNOWN
 * when the server cannot tell (no answer, an ERROR, no tsize): then why says so (whysz bytes). */
static int tftp_read_back(struct tftp_xfer *x, const uint8_t *want, uint64_t size, uint64_t *got, char *why,
			  size_t whysz)
{
	uint64_t now = clock_us(), end = now + TFTP_CHECK_WAIT_US, resend = now + TFTP_CHECK_RESEND_US;
	uint64_t off = 0, v;
	uint16_t tid = 0, block = 0; /* block: the last DATA block acknowledged */
	uint8_t ack[TFTP_HDR_LEN];

	*got = 0;
	x->unreach = false;
	x->rxq_head = x->rxq_count = 0;
	if (tftp_send_rrq(x) == -EINVAL) {
		snprintf(why, whysz, "the name is too long for a read request");
		return CHECK_UNKNOWN;
	}
	while (now < end) {
		net_poll();
		now = clock_us();
		while (x->rxq_count) {
			const uint8_t *pkt = x->rxq[x->rxq_head].buf;
			size_t len = x->rxq[x->rxq_head].len;
			uint16_t port = x->rxq[x->rxq_head].port, op;
			bool from_server = x->rxq[x->rxq_head].ip == x->server_ip;

			x->rxq_head = (x->rxq_head + 1) % TFTP_RXQ;
			x->rxq_count--;
			if (!from_server || len < TFTP_HDR_LEN)
				continue;
			if (tid && port != tid) {
				tftp_send_error(x, port, TFTP_ERR_BADTID, "Unknown transfer ID");
				continue;
			}
			op = get_be16(pkt);
			if (op == TFTP_OP_ERROR) {
				char msg[48];
				size_t i, n = 0;

				for (i = TFTP_HDR_LEN; i < len && pkt[i] && n + 1 < sizeof(msg); i++)
					msg[n++] = pkt[i] >= 0x20 && pkt[i] < 0x7f ? (char)pkt[i] : '?';
				msg[n] = 0;
				snprintf(why, whysz, "reading it back: error %u: %s", get_be16(pkt + 2),
					 n ? msg : "(no message)");
				return CHECK_UNKNOWN;
			}
			if (op == TFTP_OP_OACK && !tid) {
				tid = port;
				if (!rrq_oack_tsize(pkt, len, &v)) {
					if (!want) {
						tftp_send_error(x, tid, TFTP_ERR_UNDEF, "Size check only");
						snprintf(why, whysz, "its answer to a read request has no tsize");
						return CHECK_UNKNOWN;
					}
				} else if (v != size || !want) {
					tftp_send_error(x, tid, TFTP_ERR_UNDEF, "Size check only");
					*got = v;
					return v == size ? CHECK_SAME : -EIO;
				}
				block = 0; /* the whole file is wanted: ACK 0 starts its data */
			} else if (op == TFTP_OP_DATA) {
				uint16_t n = get_be16(pkt + 2);
				size_t dl = len - TFTP_HDR_LEN;

				tid = port;
				if (!want) { /* options ignored: only reading all of it would tell */
					tftp_send_error(x, tid, TFTP_ERR_UNDEF, "Size check only");
					snprintf(why, whysz, "it does not give a file's size (tsize) on a read request");
					return CHECK_UNKNOWN;
				}
				if (n == (uint16_t)(block + 1)) {
					if (dl > TFTP_BLKSIZE_PLAIN || off + dl > size ||
					    memcmp(pkt + TFTP_HDR_LEN, want + off, dl) != 0) {
						tftp_send_error(x, tid, TFTP_ERR_UNDEF, "Not what was written");
						*got = off;
						return -EIO;
					}
					off += dl;
					block = n;
					if (dl < TFTP_BLKSIZE_PLAIN) { /* the last block: acknowledge it and done */
						put_be16(ack, TFTP_OP_ACK);
						put_be16(ack + 2, block);
						tftp_out(x, tid, ack, sizeof(ack));
						*got = off;
						return off == size ? CHECK_SAME : -EIO;
					}
				} else if (n != block || block == 0) {
					continue; /* neither the next block nor a resend of the last one */
				}
			} else {
				continue;
			}
			put_be16(ack, TFTP_OP_ACK);
			put_be16(ack + 2, block);
			tftp_out(x, tid, ack, sizeof(ack));
			resend = now + TFTP_CHECK_RESEND_US;
		}
		if (x->unreach && !tid && x->unreach_port == x->server_port) {
			snprintf(why, whysz, "reading it back: ICMP destination unreachable (code %u)", x->unreach_code);
			return CHECK_UNKNOWN;
		}
		x->unreach = false;
		if (now >= resend) {
			resend = now + TFTP_CHECK_RESEND_US;
			if (!tid) {
				tftp_send_rrq(x);
			} else {
				put_be16(ack, TFTP_OP_ACK);
				put_be16(ack + 2, block);
				tftp_out(x, tid, ack, sizeof(ack));
			}
		}
	}
	if (tid)
		tftp_send_error(x, tid, TFTP_ERR_UNDEF, "Giving up");
	snprintf(why, whysz, "no answer to a read request for %u s", TFTP_CHECK_WAIT_US / 1000000);
	return CHECK_UNKNOWN;
}

/* tftp_read_back, asked again while the answer is short and still changing: a server may write the
 * end of a file after it acknowledged it (its last buffer flushed as it closes the file), so one
 * short answer right after the final ACK is not yet proof. Short and unchanged a second later is. */
static int tftp_check_stored(struct tftp_xfer *x, const uint8_t *want, uint64_t size, uint64_t *got, char *why,
			     size_t whysz)
{
	uint64_t prev = 0;
	int rc = CHECK_UNKNOWN;

	for (int i = 0; i < TFTP_CHECK_TRIES; i++) {
		uint64_t t;

		rc = tftp_read_back(x, want, size, got, why, whysz);
		if (rc != -EIO || *got > size || (i && *got == prev))
			break;
		prev = *got;
		for (t = clock_us(); clock_us() - t < TFTP_CHECK_RESEND_US;)
			net_poll();
	}
	return rc;
}

/* --- the transport ------------------------------------------------------------------------------ */

/* Expand %m (MAC, 12 lowercase hex digits), %t (crash time, or "unknown") and %% in path into out
 * (size outsz), stopping at '?' (the start of per-target options). Returns 0 or -EINVAL. */
static int tftp_expand_path(const char *path, const uint8_t *mac, const char *crashtime, char *out,
			    size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	const char *s;

	for (s = path; *s && *s != '?'; s++) {
		char tmp[16];
		const char *add = tmp;
		size_t al;

		if (*s != '%') {
			tmp[0] = *s;
			tmp[1] = 0;
		} else if (s[1] == '%') {
			add = "%";
			s++;
		} else if (s[1] == 'm') {
			for (int i = 0; i < 6; i++) {
				tmp[2 * i] = mac ? hex[mac[i] >> 4] : '0';
				tmp[2 * i + 1] = mac ? hex[mac[i] & 15] : '0';
			}
			tmp[12] = 0;
			s++;
		} else if (s[1] == 't') {
			/* CRASHTIME comes from the crashed kernel (untrusted): digits only reach the path */
			size_t i = 0;

			for (; crashtime && crashtime[i] && i < sizeof(tmp) - 1; i++)
				tmp[i] = crashtime[i] >= '0' && crashtime[i] <= '9' ? crashtime[i] : '_';
			tmp[i] = 0;
			add = i ? tmp : "unknown";
			s++;
		} else {
			log_err("tftp: path '%s': unknown escape '%%%c' (use %%m, %%t or %%%%)", path, s[1] ? s[1] : ' ');
			return -EINVAL;
		}
		al = strlen(add);
		if (n + al + 1 > outsz) {
			log_err("tftp: path '%s' is too long once expanded", path);
			return -EINVAL;
		}
		memcpy(out + n, add, al);
		n += al;
	}
	out[n] = 0;
	if (n == 0) {
		log_err("tftp: empty file name in the dump target");
		return -EINVAL;
	}
	return 0;
}

/* Per-target options after '?' in the path: "blksize=N", "windowsize=N" joined by '&' (for
 * measurements and odd servers). Unknown or bad ones are reported and the defaults kept. */
static void tftp_path_options(const char *path, uint32_t *blksize, uint32_t *window)
{
	const char *q = strchr(path, '?');

	while (q && *q) {
		const char *key = q + 1, *eq, *amp;
		uint64_t v = 0;
		char num[12];
		size_t vl;

		amp = strchr(key, '&');
		q = amp;
		eq = strchr(key, '=');
		if (!eq || (amp && eq > amp)) {
			log_warn("tftp: ignoring target option without a value in '%s'", path);
			continue;
		}
		vl = (size_t)((amp ? amp : eq + strlen(eq)) - (eq + 1));
		if (vl == 0 || vl >= sizeof(num)) {
			log_warn("tftp: ignoring bad target option value in '%s'", path);
			continue;
		}
		memcpy(num, eq + 1, vl);
		num[vl] = 0;
		if (opt_num(num, &v) != 0) {
			log_warn("tftp: ignoring non-numeric target option in '%s'", path);
		} else if (!strncmp(key, "blksize=", 8) && v >= TFTP_BLKSIZE_MIN && v <= TFTP_BLKSIZE_MAX) {
			*blksize = (uint32_t)v;
		} else if (!strncmp(key, "windowsize=", 11) && v >= 1 && v <= TFTP_WINDOW_MAX) {
			*window = (uint32_t)v;
		} else {
			log_warn("tftp: ignoring unknown or out-of-range target option in '%s'", path);
		}
	}
}

/* One connection: the dump's transfer, its expanded names, the digest file's text, and the raw pcb
 * that hears ICMP errors for it. */
struct tftp_conn {
	struct tftp_xfer x;
	const struct dump_target *t;
	struct raw_pcb *icmp;
	uint64_t size;			/* announced, or STREAM_SIZE_UNKNOWN */
	const struct side_file *side;	/* written after the digest file, or NULL */
	char name[TFTP_PATH_MAX + 64], sumname[TFTP_PATH_MAX + 72], sumtext[64 + 2 + TFTP_PATH_MAX + 64 + 2];
	char sidename[TFTP_PATH_MAX + 72];
};
static struct tftp_conn conn;	/* one transport runs at a time */

/* The failure line: how far the dump got, and how long after its request. */
static void log_failed(const struct tftp_conn *tc, int rc, uint64_t total)
{
	const struct tftp_xfer *x = &tc->x;
	char of[24] = "?";

	if (total != STREAM_SIZE_UNKNOWN)
		snprintf(of, sizeof(of), "%llu", (unsigned long long)total);
	log_err("tftp: sending '%s' failed (%d) after %llu of %s bytes, %llu ms after the request", tc->name, rc,
		(unsigned long long)(total != STREAM_SIZE_UNKNOWN ? MIN(x->acked * (x->blksize ? x->blksize : 1), total)
								    : x->acked * x->blksize),
		of, (unsigned long long)((clock_us() - x->t0_us) / 1000));
}

/* Release what the connection holds. */
static void conn_release(struct tftp_conn *tc)
{
	xfer_pcb_close(&tc->x);
	if (tc->icmp)
		raw_remove(tc->icmp);
	tc->icmp = NULL;
}

/* See transport.h: the network up (net_up is idempotent), the name expanded, the request granted. */
static int tftp_open(struct transport_conn *c, const struct dump_target *t, const struct config *cfg,
		     const struct transport_info *info)
{
	struct tftp_conn *tc = &conn;
	uint32_t blksize = 0, window = 0;
	int rc;

	if ((rc = net_up(cfg, NULL)) != 0) {
		log_err("tftp: network is not up (%d)", rc);
		return rc;
	}
	if ((rc = tftp_expand_path(t->tftp_path, net_mac(), info->crashtime, tc->name, sizeof(tc->name))) != 0)
		return rc;
	tftp_path_options(t->tftp_path, &blksize, &window);
	/* A window must fit the window buffer: a windowsize asked for makes the blocks we ask for
	 * smaller; blksize and windowsize both asked for make the window smaller. */
	if (blksize == 0)
		blksize = window ? MIN((uint32_t)TFTP_BLKSIZE_MAX, TFTP_RING / window) : TFTP_BLKSIZE_MAX;
	if (window == 0)
		window = MIN(MAX(TFTP_WINDOW_BYTES / blksize, 1u), (uint32_t)TFTP_WINDOW_WANT);
	if ((uint64_t)window * blksize > TFTP_RING) {
		window = MAX(TFTP_RING / blksize, 1u);
		log_warn("tftp: windowsize lowered to %u: a window of %u-byte blocks must fit the %u-byte window buffer",
			 window, blksize, TFTP_RING);
	}
	tc->t = t;
	tc->size = info->size;
	tc->side = info->side;
	if (info->size != STREAM_SIZE_UNKNOWN)
		log_info("tftp: sending %llu bytes to %u.%u.%u.%u:%u as '%s'", (unsigned long long)info->size,
			 t->tftp_ip >> 24, (t->tftp_ip >> 16) & 0xff, (t->tftp_ip >> 8) & 0xff, t->tftp_ip & 0xff,
			 t->tftp_port ? t->tftp_port : 69, tc->name);
	else
		log_info("tftp: sending a %s file of yet unknown size to %u.%u.%u.%u:%u as '%s' (no tsize)",
			 info->format ? info->format : "dump", t->tftp_ip >> 24, (t->tftp_ip >> 16) & 0xff,
			 (t->tftp_ip >> 8) & 0xff, t->tftp_ip & 0xff, t->tftp_port ? t->tftp_port : 69, tc->name);
	/* ICMP errors for our datagrams (a request to a closed port ends at once); without a free raw
	 * pcb only that shortcut is lost. */
	tc->icmp = raw_new(IP_PROTO_ICMP);
	if (tc->icmp)
		raw_recv(tc->icmp, tftp_icmp_recv, &tc->x);
	if ((rc = tftp_begin(&tc->x, t, tc->name, info->size, blksize, window)) != 0) {
		log_failed(tc, rc, info->size);
		conn_release(tc);
		return rc;
	}
	tc->x.first_log = true;
	c->priv = tc;
	return 0;
}

/* See transport.h. */
static int tftp_write(struct transport_conn *c, const void *buf, size_t len)
{
	struct tftp_conn *tc = c->priv;
	int rc = tftp_take(&tc->x, buf, len);

	if (rc != 0) {
		log_failed(tc, rc, tc->size);
		tftp_end(&tc->x);
		conn_release(tc);
	}
	return rc;
}

/* The side file's pieces: counted (its size, for tsize), then sent. */
static int side_count(void *ctx, const char *buf, size_t len)
{
	(void)buf;
	*(uint64_t *)ctx += len;
	return 0;
}

static int side_take(void *ctx, const char *buf, size_t len)
{
	return tftp_take(ctx, buf, len);
}

#define TFTP_SIDE_BLKSIZE 8192		/* the side file's blocks: a few dozen of them */
#define TFTP_SIDE_WINDOW 8

/* Write tc's side file "<name><suffix>" (the crashed kernel's log), after the dump and its digest
 * so it never delays them. Failing is one warning: the dump is on the server all the same. */
static void tftp_side(struct tftp_conn *tc)
{
	const struct side_file *sf = tc->side;
	struct tftp_xfer *x = &tc->x;
	uint64_t size = 0, t0 = clock_us(), us;
	int rc;

	if (!sf)
		return;
	snprintf(tc->sidename, sizeof(tc->sidename), "%s%s", tc->name, sf->suffix);
	if ((rc = sf->produce(sf->ctx, side_count, &size)) != 0) {
		log_warn("tftp: no '%s' beside the dump: its contents cannot be made (%d)", tc->sidename, rc);
		return;
	}
	rc = tftp_begin(x, tc->t, tc->sidename, size, TFTP_SIDE_BLKSIZE, TFTP_SIDE_WINDOW);
	if (rc == 0 && (rc = sf->produce(sf->ctx, side_take, x)) == 0 && x->filled != size)
		rc = -EINVAL;		/* the second run gave other bytes than the first */
	if (x->pcb) {
		int end = tftp_end(x);

		if (rc == 0)
			rc = end;
	}
	us = clock_us() - t0;
	if (rc != 0)
		log_warn("tftp: '%s' beside the dump was not written (%d); the dump is complete", tc->sidename, rc);
	else
		log_info("tftp: wrote '%s' (%llu bytes, %llu ms)", tc->sidename, (unsigned long long)size,
			 (unsigned long long)(us / 1000));
}

/* See transport.h: the dump's end, "<path>.sha256" holding "<hex>  <basename>\n", and both read back
 * (tftp_check_stored). Returns 0 when the server holds the whole dump -- or acknowledged all of it and
 * cannot say what it holds (one warning line) -- and a negative error after a log line saying what
 * failed otherwise: the dump not acknowledged, or the server holding less of it than was sent. */
static int tftp_close(struct transport_conn *c, uint64_t size, const uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct tftp_conn *tc = c->priv;
	struct tftp_xfer *x = &tc->x;
	char hex[2 * SHA256_DIGEST_SIZE + 1], why[96], sumwhy[96];
	const char *base;
	bool unconfirmed;
	uint64_t us, got, sumgot = 0, sumlen;
	int rc, i, chk, sumchk = CHECK_UNKNOWN;

	rc = tftp_end(x);
	us = clock_us() - x->t0_us;
	unconfirmed = x->unconfirmed;
	if (rc != 0) {
		log_failed(tc, rc, size);
		goto out;
	}
	sha256_hex(digest, hex);
	log_info("tftp: %llu.%03llu s at blksize %u, windowsize %u, %u retransmission timeouts",
		 (unsigned long long)(us / 1000000), (unsigned long long)(us / 1000 % 1000), x->blksize, x->window,
		 x->retransmits);

	/* Acknowledged is not stored: ask the server what it holds now. Short means the target failed. */
	if ((rc = xfer_pcb_open(x)) != 0)
		goto out;
	chk = tftp_check_stored(x, NULL, size, &got, why, sizeof(why));
	xfer_pcb_close(x);
	if (chk == -EIO) {
		log_err("tftp: the server holds %llu bytes as '%s', not the %llu sent%s: the dump is not safe there",
			(unsigned long long)got, tc->name, (unsigned long long)size,
			got < size ? " (its disk full?)" : "");
		rc = -EIO;
		goto out;
	}

	/* The digest file: "<hex>  <basename>\n", as sha256sum writes and `sha256sum -c` reads. */
	for (base = tc->name, i = 0; tc->name[i]; i++)
		if (tc->name[i] == '/')
			base = tc->name + i + 1;
	snprintf(tc->sumtext, sizeof(tc->sumtext), "%s  %s\n", hex, base);
	snprintf(tc->sumname, sizeof(tc->sumname), "%s.sha256", tc->name);
	sumlen = strlen(tc->sumtext);
	rc = tftp_begin(x, tc->t, tc->sumname, sumlen, TFTP_BLKSIZE_PLAIN, 1);
	if (rc == 0 && (rc = tftp_take(x, tc->sumtext, (size_t)sumlen)) == 0)
		rc = tftp_end(x);
	else if (x->pcb)
		tftp_end(x);
	if (rc == 0 && chk == CHECK_SAME) { /* the dump is confirmed: confirm its digest file too, bytes and all */
		if (xfer_pcb_open(x) == 0)
			sumchk = tftp_check_stored(x, (const uint8_t *)tc->sumtext, sumlen, &sumgot, sumwhy,
						   sizeof(sumwhy));
		else
			snprintf(sumwhy, sizeof(sumwhy), "no UDP port to ask from");
		xfer_pcb_close(x);
	}
	/* Once the dump itself is on the server, sending it again elsewhere (serial: hours on real
	 * hardware) for want of the checksum file would be the wrong trade. Say so and count the target
	 * done -- unless nothing says the dump arrived: its end not acknowledged, the server unable to
	 * tell, and the digest file not taken either: then the server may be gone. */
	if (rc != 0 && unconfirmed && chk != CHECK_SAME) {
		log_err("tftp: neither the end of the dump nor its digest file '%s' was acknowledged (%d): "
			"the server may be gone", tc->sumname, rc);
		goto out;
	}
	if (chk == CHECK_UNKNOWN)
		log_warn("tftp: the server cannot confirm that it stored all of '%s' (%s)%s; counting the target "
			 "as done", tc->name, why, rc ? "; its digest file did not arrive either" : "");
	else if (rc != 0)
		log_warn("tftp: the dump arrived but its digest file '%s' did not (%d); its sha256 is %s", tc->sumname,
			 rc, hex);
	else if (sumchk == -EIO)
		log_warn("tftp: the server holds all of '%s', but its digest file '%s' is not what was sent "
			 "(read back: %llu of its %llu bytes); its sha256 is %s", tc->name, tc->sumname,
			 (unsigned long long)sumgot, (unsigned long long)sumlen, hex);
	else if (sumchk == CHECK_UNKNOWN)
		log_warn("tftp: the server holds all of '%s', but its digest file '%s' cannot be read back (%s)",
			 tc->name, tc->sumname, sumwhy);
	if (rc == 0)
		log_info("tftp: wrote '%s'%s", tc->sumname,
			 sumchk == CHECK_SAME ? "; read back: the server holds the whole dump and this file" : "");
	tftp_side(tc);
	rc = 0;
out:
	conn_release(tc);
	return rc;
}

/* See transport.h: the server hears ERROR 0 and drops the partial file (tftpd-hpa and atftpd do). */
static void tftp_abort(struct transport_conn *c, int rc)
{
	struct tftp_conn *tc = c->priv;
	struct tftp_xfer *x = &tc->x;

	if (x->pcb && x->tid) {
		tftp_send_error(x, x->tid, TFTP_ERR_UNDEF, "salvage: dump abandoned");
		net_poll();
	}
	x->state = TS_FAILED;
	conn_release(tc);
}

const struct transport transport_tftp TRANSPORT = {
	.name = "tftp",
	.kind = TARGET_TFTP,
	.open = tftp_open,
	.write = tftp_write,
	.close = tftp_close,
	.abort = tftp_abort,
};

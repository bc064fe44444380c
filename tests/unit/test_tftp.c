/* Host tests of net/tftp.c: the real transport behind the real stream stage on the real lwIP (host
 * build), fed in odd-sized writes, talking through a fake netif to a scripted TFTP server in this
 * file (RFC 1350/2347/7440 receiver, and a reader for the client's read-back) with loss, duplication,
 * reordering, errors, silence, ICMP errors and a disk that fills up; every test ends with a check
 * that lwIP's pools and heap are whole. */
/* unit-sources: net/tftp.c dump/stream.c dump/progress.c lib/sha256.c */
#include <stdlib.h>
#include <string.h>

#include "dump/stream.h"
#include "dump/transport.h"
#include "lib/sha256.h"
#include "net/net.h"
#include "ok.h"
#include "shim.h"

#include "lwip/icmp.h"
#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/memp_priv.h"
#include "lwip/timeouts.h"

#define CLIENT_IP 0x0a00020fu	/* 10.0.2.15 */
#define SERVER_IP 0x0a000202u	/* 10.0.2.2 */
#define SERVER_PORT 6969
#define POLL_US 100		/* fake time that passes per net_poll() */

/* ---- the fake NIC: lwIP's netif->output hands us IP datagrams; we inject replies with ip4_input */

static struct netif nif;
static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static bool lwip_ready;

struct pkt {
	uint8_t *data;		/* UDP payload */
	size_t len;
	uint16_t sport, dport;
	uint64_t due_us;	/* delivery time (for delayed / reordered packets) */
	bool held;		/* kept back until the server releases it */
	uint8_t hdr[28];	/* client -> server: its IP and UDP headers (quoted by ICMP errors) */
};

#define QMAX 4096
static struct pkt outq[QMAX];	/* client -> server, in order sent */
static int outq_n;
static struct pkt inq[QMAX];	/* server -> client, delivered when due */
static int inq_n;

static err_t nif_output(struct netif *n, struct pbuf *p, const ip4_addr_t *dst)
{
	uint8_t *buf = malloc(p->tot_len);
	size_t ihl;

	pbuf_copy_partial(p, buf, p->tot_len, 0);
	ihl = (size_t)(buf[0] & 15) * 4;
	if (p->tot_len >= 20 && buf[9] == 1) {
		/* ICMP (port unreachable for a late duplicate after the transfer ended): fine */
		free(buf);
		return ERR_OK;
	}
	if (p->tot_len < ihl + 8 || buf[9] != 17 || (buf[6] & 0x3f) || buf[7]) {
		/* not an unfragmented UDP datagram: the tests use blocks that fit the MTU */
		ok(0, "client sent an unexpected IP packet (proto %u, frag %02x%02x)", buf[9], buf[6], buf[7]);
		free(buf);
		return ERR_OK;
	}
	if (outq_n < QMAX) {
		struct pkt *q = &outq[outq_n++];

		q->len = p->tot_len - ihl - 8;
		q->data = malloc(q->len + 1);
		memcpy(q->data, buf + ihl + 8, q->len);
		q->sport = (uint16_t)(buf[ihl] << 8 | buf[ihl + 1]);
		q->dport = (uint16_t)(buf[ihl + 2] << 8 | buf[ihl + 3]);
		memcpy(q->hdr, buf, sizeof(q->hdr)); /* lwIP sends 20-byte IP headers */
	}
	free(buf);
	return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
	n->output = nif_output;
	n->mtu = 1500;
	n->name[0] = 't';
	n->name[1] = 'f';
	n->hwaddr_len = 6;
	memcpy(n->hwaddr, test_mac, 6);
	n->flags = NETIF_FLAG_UP | NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

static uint16_t csum(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Hand one UDP datagram from the server to lwIP as a real IPv4 packet with valid checksums. */
static void inject(const struct pkt *q)
{
	size_t tot = 20 + 8 + q->len;
	uint8_t *b = calloc(1, tot);
	uint8_t ph[12];
	uint32_t sum = 0;
	struct pbuf *p;

	b[0] = 0x45;
	put16(b + 2, (uint16_t)tot);
	b[8] = 64;
	b[9] = 17;
	put16(b + 12, SERVER_IP >> 16), put16(b + 14, (uint16_t)SERVER_IP);
	put16(b + 16, CLIENT_IP >> 16), put16(b + 18, (uint16_t)CLIENT_IP);
	put16(b + 10, csum(0, b, 20));
	put16(b + 20, q->sport);
	put16(b + 22, q->dport);
	put16(b + 24, (uint16_t)(8 + q->len));
	memcpy(b + 28, q->data, q->len);
	memcpy(ph, b + 12, 8);
	ph[8] = 0, ph[9] = 17;
	put16(ph + 10, (uint16_t)(8 + q->len));
	for (int i = 0; i < 12; i += 2)
		sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	put16(b + 26, csum(sum, b + 20, 8 + q->len));
	p = pbuf_alloc(PBUF_RAW, (u16_t)tot, PBUF_RAM);
	pbuf_take(p, b, (u16_t)tot);
	free(b);
	if (nif.input(p, &nif) != ERR_OK)
		pbuf_free(p);
}

/* Hand lwIP an ICMP destination unreachable (code) from the IPv4 address from, quoting qlen bytes of
 * the datagram at quote (its IP header onwards); bad_sum spoils the ICMP checksum. */
static void inject_icmp(uint32_t from, uint8_t code, const uint8_t *quote, size_t qlen, bool bad_sum)
{
	size_t tot = 20 + 8 + qlen;
	uint8_t *b = calloc(1, tot);
	struct pbuf *p;

	b[0] = 0x45;
	put16(b + 2, (uint16_t)tot);
	b[8] = 64;
	b[9] = 1;
	put16(b + 12, (uint16_t)(from >> 16)), put16(b + 14, (uint16_t)from);
	put16(b + 16, CLIENT_IP >> 16), put16(b + 18, (uint16_t)CLIENT_IP);
	put16(b + 10, csum(0, b, 20));
	b[20] = 3; /* destination unreachable */
	b[21] = code;
	memcpy(b + 28, quote, qlen);
	put16(b + 22, (uint16_t)(csum(0, b + 20, 8 + qlen) ^ (bad_sum ? 0x0101 : 0)));
	p = pbuf_alloc(PBUF_RAW, (u16_t)tot, PBUF_RAM);
	pbuf_take(p, b, (u16_t)tot);
	free(b);
	if (nif.input(p, &nif) != ERR_OK)
		pbuf_free(p);
}

/* ---- net.h for the host: the fake NIC above instead of PCI hardware */

static int net_up_rc;

int net_up(const struct config *cfg, uint8_t mac[6])
{
	ip4_addr_t ip, mask, gw;

	if (net_up_rc)
		return net_up_rc;
	if (!lwip_ready) {
		lwip_init();
		IP4_ADDR(&ip, 10, 0, 2, 15);
		IP4_ADDR(&mask, 255, 255, 255, 0);
		IP4_ADDR(&gw, 10, 0, 2, 2);
		netif_add(&nif, &ip, &mask, &gw, NULL, nif_init, ip4_input);
		netif_set_default(&nif);
		netif_set_up(&nif);
		lwip_ready = true;
	}
	if (mac)
		memcpy(mac, test_mac, 6);
	return 0;
}

const uint8_t *net_mac(void)
{
	return test_mac;
}

uint32_t net_ip(void)
{
	return CLIENT_IP;
}

uint32_t net_gw(void)
{
	return SERVER_IP;
}

/* ---- the scripted server: an RFC 1350 / 2347 / 7440 receiver with impairments */

enum srv_mode { SRV_OACK, SRV_PLAIN, SRV_ERROR, SRV_ERROR8_THEN_PLAIN, SRV_ERROR8_THEN_SILENT, SRV_DOWN, SRV_BAD_OACK };

static struct server {
	enum srv_mode mode;
	uint32_t max_blksize;	/* grant min(asked, this) */
	uint32_t max_window;	/* grant min(asked, this); 0 = do not grant windowsize */
	uint16_t err_code;	/* SRV_ERROR */
	const char *err_msg;
	const char *bad_oack;	/* SRV_BAD_OACK: raw option bytes (NULs as \0), bad_oack_len */
	size_t bad_oack_len;
	uint64_t error_after;	/* send ERROR err_code after this many blocks (0 = never) */
	bool refuse_digest;	/* answer the WRQ of the .sha256 file with ERROR 2 */
	bool refuse_side;	/* answer the WRQ of the .dmesg file with ERROR 2 */
	uint64_t silent_after;	/* stop answering after this many blocks (0 = never) */
	/* impairments, percent (per datagram, each direction) */
	int drop_pct, dup_pct, delay_pct;
	uint32_t rng;
	int (*drop_data)(uint64_t k, int first); /* scripted drop of DATA block k (1-based count) */
	bool dup_all_acks;
	bool drop_final_acks;	/* the server never gets its last ACK through (then exits) */
	uint64_t slow_ack;	/* the first ACK of this block is held until the client resends the block */
	uint64_t slow_held;	/* the block whose ACK is held */
	uint64_t ack_delay_us;	/* every ACK takes this long to arrive */
	uint64_t stray_at;	/* when block k arrives, also send an ACK from a foreign port */
	uint16_t client_port;
	uint16_t client_err;	/* error code of an ERROR the client sent (not 5) */
	/* ICMP: answer every WRQ with a destination unreachable of this code + 1 (0 = none) from
	 * unreach_from (0: the server); icmp_decoys first sends ones the client must ignore */
	uint8_t unreach;
	uint32_t unreach_from;
	bool icmp_decoys;
	bool unreach_when_gone;	/* with drop_final_acks: DATA after the end bounces (port unreachable) */
	/* the read side (RRQ): how it answers, and a disk that holds only so much */
	enum { RRQ_NORMAL, RRQ_ERROR, RRQ_SILENT, RRQ_GROW } rrq;
	bool disk_limited;
	uint64_t disk_left;	/* with disk_limited: bytes still stored (files are cut, ACKs go on) */
	const char *tsize_echo;	/* SRV_OACK: the tsize its OACK to a WRQ names (NULL: the one asked) */
	int nrrq, rd_aborted;
	struct {
		uint16_t tid, client;
		const uint8_t *data;
		size_t len;
		uint16_t block;	/* the last DATA block sent (0: the OACK) */
		uint8_t last[4 + 512];
		size_t last_len;
	} rd;
	uint64_t start_us;	/* fake time of reset_server */

	/* transfer state */
	uint16_t tid;
	uint32_t blksize, window;
	uint64_t expected;	/* next block count expected */
	uint32_t inwin;		/* blocks received in order since the last ACK */
	uint64_t last_rx_us;
	char name[256];
	uint8_t *file;
	size_t len, cap;
	bool done;
	uint8_t lastreply[600];
	size_t lastreply_len;
	int nwrq, wrq_opts_seen;
	char wrq_opts[512];	/* "name=value " of the last WRQ */
	/* what was seen */
	uint64_t data_pkts, first_data_pkts, max_wire_seen_after_wrap;
	bool saw_wrap;
	uint32_t max_data_len;
	int err5_seen;
	/* files finished: main, digest and side file */
	char done_name[3][256];
	uint8_t *done_file[3];
	size_t done_len[3];
	int ndone;
	uint64_t seen_mask_block; /* for window-edge tests: data block numbers in order */
	uint64_t order[64];
	int norder;
} srv;

static uint32_t rnd(void)
{
	srv.rng ^= srv.rng << 13;
	srv.rng ^= srv.rng >> 17;
	srv.rng ^= srv.rng << 5;
	return srv.rng;
}

/* Queue one reply (with loss, duplication and delay applied). */
static void reply(uint16_t from, uint16_t to, const void *data, size_t len, bool impair)
{
	int copies = 1;

	if (impair && srv.drop_pct && (int)(rnd() % 100) < srv.drop_pct)
		return;
	if (impair && srv.dup_pct && (int)(rnd() % 100) < srv.dup_pct)
		copies = 2;
	for (int c = 0; c < copies && inq_n < QMAX; c++) {
		struct pkt *q = &inq[inq_n++];

		q->data = malloc(len + 1);
		memcpy(q->data, data, len);
		q->len = len;
		q->sport = from;
		q->dport = to;
		q->due_us = fake_now_us;
		q->held = false;
		if (impair && srv.delay_pct && (int)(rnd() % 100) < srv.delay_pct)
			q->due_us += 200 + rnd() % 3000; /* arrives after later packets: reordering */
	}
}

static void srv_ack(uint16_t to, uint64_t k)
{
	uint8_t a[4];

	put16(a, 4);
	put16(a + 2, (uint16_t)k);
	memcpy(srv.lastreply, a, 4);
	srv.lastreply_len = 4;
	reply(srv.tid, to, a, 4, true);
	if (inq_n && srv.ack_delay_us)
		inq[inq_n - 1].due_us += srv.ack_delay_us;
	if (srv.slow_ack && k == srv.slow_ack && inq_n) {
		inq[inq_n - 1].held = true;
		srv.slow_held = srv.slow_ack;
		srv.slow_ack = 0;
	}
	if (srv.dup_all_acks)
		reply(srv.tid, to, a, 4, false);
}

static void srv_error(uint16_t from, uint16_t to, uint16_t code, const char *msg)
{
	uint8_t e[128];
	size_t ml = strlen(msg);

	put16(e, 5);
	put16(e + 2, code);
	memcpy(e + 4, msg, ml + 1);
	reply(from, to, e, 4 + ml + 1, false);
}

static void srv_wrq(const struct pkt *q)
{
	const char *p = (const char *)q->data + 2, *end = (const char *)q->data + q->len;
	uint32_t blk = 512, win = 1;
	uint8_t oack[256];
	size_t ol = 2;
	bool any = false;

	srv.nwrq++;
	srv.client_port = q->sport;
	if (srv.icmp_decoys) {
		uint8_t h[28];

		memcpy(h, q->hdr, 28);
		inject_icmp(SERVER_IP, 3, h, 28, true);		/* bad checksum */
		inject_icmp(SERVER_IP, 4, h, 28, false);	/* fragmentation needed: no answer */
		inject_icmp(SERVER_IP, 3, h, 21, false);	/* quote cut inside the IP header */
		put16(h + 20, (uint16_t)(q->sport + 1));
		inject_icmp(SERVER_IP, 3, h, 28, false);	/* for another local port */
		memcpy(h, q->hdr, 28);
		h[19]++;
		inject_icmp(SERVER_IP, 3, h, 28, false);	/* for another destination */
		srv.icmp_decoys = false;
	}
	if (srv.unreach) {
		inject_icmp(srv.unreach_from ? srv.unreach_from : SERVER_IP, (uint8_t)(srv.unreach - 1), q->hdr,
			    28, false);
		return;
	}
	if (srv.mode == SRV_DOWN)
		return;
	if (srv.mode == SRV_ERROR8_THEN_SILENT) { /* refuses options, then ignores the plain request */
		if (q->len > 2 + strlen(p) + 1 + sizeof("octet"))
			srv_error(40000, q->sport, 8, "Options not supported");
		return;
	}
	if (srv.tid && !srv.done && srv.lastreply_len) { /* a resent WRQ: repeat our answer */
		reply(srv.tid, q->sport, srv.lastreply, srv.lastreply_len, true);
		return;
	}
	snprintf(srv.name, sizeof(srv.name), "%s", p);
	p += strlen(p) + 1;
	ok(p < end && !strcmp(p, "octet"), "WRQ mode is octet (got '%s')", p < end ? p : "");
	p += strlen(p) + 1;
	if (srv.ndone == 0)
		srv.wrq_opts[0] = 0;
	put16(oack, 6);
	while (p < end) {
		const char *name = p, *val = p + strlen(p) + 1;
		unsigned long v = strtoul(val, NULL, 10);

		p = val + strlen(val) + 1;
		if (srv.ndone == 0) /* remember the dump's request, not the digest file's */
			snprintf(srv.wrq_opts + strlen(srv.wrq_opts), sizeof(srv.wrq_opts) - strlen(srv.wrq_opts),
			 "%s=%s ", name, val);
		if (!strcmp(name, "blksize")) {
			blk = (uint32_t)(v < srv.max_blksize ? v : srv.max_blksize);
			ol += (size_t)sprintf((char *)oack + ol, "blksize%c%u", 0, blk) + 1;
			any = true;
		} else if (!strcmp(name, "windowsize") && srv.max_window) {
			win = (uint32_t)(v < srv.max_window ? v : srv.max_window);
			ol += (size_t)sprintf((char *)oack + ol, "windowsize%c%u", 0, win) + 1;
			any = true;
		} else if (!strcmp(name, "tsize") && srv.tsize_echo) {
			ol += (size_t)sprintf((char *)oack + ol, "%s%c%s", name, 0, srv.tsize_echo) + 1;
			any = true;
		} else if (!strcmp(name, "tsize") || !strcmp(name, "timeout")) {
			ol += (size_t)sprintf((char *)oack + ol, "%s%c%s", name, 0, val) + 1;
			any = true;
		}
	}
	srv.tid = (uint16_t)(40000 + srv.nwrq);
	srv.expected = 1;
	srv.inwin = 0;
	srv.len = 0;
	srv.done = false;
	srv.last_rx_us = fake_now_us;
	if (srv.mode == SRV_ERROR) {
		srv_error(srv.tid, q->sport, srv.err_code, srv.err_msg);
		return;
	}
	if ((srv.refuse_digest && strstr(srv.name, ".sha256")) || (srv.refuse_side && strstr(srv.name, ".dmesg"))) {
		srv_error(srv.tid, q->sport, 2, "Access violation");
		srv.tid = 0;
		return;
	}
	if (srv.mode == SRV_ERROR8_THEN_PLAIN && any) {
		srv_error(srv.tid, q->sport, 8, "Options not supported");
		srv.tid = 0;
		return;
	}
	if (srv.mode == SRV_BAD_OACK) {
		memcpy(oack + 2, srv.bad_oack, srv.bad_oack_len);
		reply(srv.tid, q->sport, oack, 2 + srv.bad_oack_len, false);
		return;
	}
	if (srv.mode == SRV_OACK && any) {
		srv.blksize = blk;
		srv.window = win;
		memcpy(srv.lastreply, oack, ol);
		srv.lastreply_len = ol;
		reply(srv.tid, q->sport, oack, ol, true);
	} else {
		srv.blksize = 512;
		srv.window = 1;
		srv_ack(q->sport, 0);
	}
}

static void srv_data(const struct pkt *q)
{
	uint16_t n = get16(q->data + 2);
	uint64_t k = srv.expected;
	size_t dl = q->len - 4;

	srv.data_pkts++;
	srv.last_rx_us = fake_now_us;
	if (dl > srv.max_data_len)
		srv.max_data_len = (uint32_t)dl;
	if (srv.norder < 64)
		srv.order[srv.norder++] = n;
	if (srv.done && srv.drop_final_acks) { /* the server exited after its final ACK */
		if (srv.unreach_when_gone)
			inject_icmp(SERVER_IP, 3, q->hdr, 28, false);
		return;
	}
	if (srv.done) { /* our final ACK was lost: ACK the last block again */
		srv_ack(q->sport, srv.expected - 1);
		return;
	}
	if (srv.slow_held && n == (uint16_t)srv.slow_held && srv.expected > srv.slow_held) {
		/* the client timed out and resent: let the original ACK arrive now, just before the
		 * server's answer to the duplicate (which follows after ack_delay_us) */
		for (int i = 0; i < inq_n; i++)
			if (inq[i].held) {
				inq[i].held = false;
				inq[i].due_us = fake_now_us;
			}
		srv.slow_held = 0;
	}
	if (srv.stray_at && n == (uint16_t)srv.stray_at) {
		static const uint8_t ack1[4] = { 0, 4, 0, 1 };

		reply(55555, q->sport, ack1, 4, false);
		srv.stray_at = 0;
	}
	if (n == (uint16_t)k) {
		if (srv.drop_data && srv.drop_data(k, 1))
			return;
		if (k > 65535 && n < 100)
			srv.saw_wrap = true;
		if (srv.error_after && k > srv.error_after) {
			srv_error(srv.tid, q->sport, srv.err_code, srv.err_msg);
			srv.done = true;
			srv.tid = 0;
			return;
		}
		if (srv.silent_after && k > srv.silent_after) {
			srv.mode = SRV_DOWN;
			return;
		}
		if (dl > srv.blksize) {
			ok(0, "DATA block %llu has %zu bytes, more than blksize %u", (unsigned long long)k, dl,
			   srv.blksize);
			return;
		}
		if (srv.len + dl > srv.cap) {
			srv.cap = (srv.len + dl) * 2 + 4096;
			srv.file = realloc(srv.file, srv.cap);
		}
		memcpy(srv.file + srv.len, q->data + 4, dl);
		srv.len += dl;
		srv.expected++;
		srv.inwin++;
		if (dl < srv.blksize) {
			srv.done = true;
			if (srv.disk_limited) { /* like tftpd-hpa on a full disk: ACKs it all, keeps what fits */
				srv.len = srv.len < srv.disk_left ? srv.len : srv.disk_left;
				srv.disk_left -= srv.len;
			}
			if (srv.ndone < 3) {
				snprintf(srv.done_name[srv.ndone], 256, "%s", srv.name);
				srv.done_file[srv.ndone] = malloc(srv.len + 1);
				memcpy(srv.done_file[srv.ndone], srv.file, srv.len);
				srv.done_len[srv.ndone] = srv.len;
				srv.ndone++;
			}
			if (!srv.drop_final_acks)
				srv_ack(q->sport, k);
			srv.lastreply_len = 0;
			return;
		}
		if (srv.inwin >= srv.window) {
			srv.inwin = 0;
			srv_ack(q->sport, k);
		}
		return;
	}
	/* Out of order: RFC 7440 says ACK the last block received in order, and start a new window. */
	if (n != (uint16_t)(k - 1) || srv.window == 1)
		srv_ack(q->sport, k - 1);
	srv.inwin = 0;
}

/* The read side: send (and remember) DATA block k of the file being read. */
static void srv_rd_data(uint16_t k)
{
	size_t off = (size_t)(k - 1) * 512, n = srv.rd.len > off ? srv.rd.len - off : 0;

	n = n < 512 ? n : 512;
	put16(srv.rd.last, 3);
	put16(srv.rd.last + 2, k);
	memcpy(srv.rd.last + 4, srv.rd.data + off, n);
	srv.rd.last_len = 4 + n;
	srv.rd.block = k;
	reply(srv.rd.tid, srv.rd.client, srv.rd.last, srv.rd.last_len, true);
}

/* A read request: answer from the files received (as stored), with OACK tsize when asked (unless
 * the server is a plain RFC 1350 one), else DATA 1 at once. */
static void srv_rrq(const struct pkt *q)
{
	const char *name = (const char *)q->data + 2, *end = (const char *)q->data + q->len, *p;
	bool want_tsize = false;
	int i;

	if (srv.rd.tid && srv.rd.client == q->sport) { /* a resent request: repeat the answer */
		reply(srv.rd.tid, srv.rd.client, srv.rd.last, srv.rd.last_len, true);
		return;
	}
	srv.nrrq++;
	for (p = name + strlen(name) + 1; p < end; p += strlen(p) + 1)
		want_tsize |= !strcmp(p, "tsize");
	if (srv.rrq == RRQ_SILENT)
		return;
	srv.rd.tid = (uint16_t)(50000 + srv.nrrq);
	srv.rd.client = q->sport;
	if (srv.rrq == RRQ_ERROR) {
		srv_error(srv.rd.tid, q->sport, 2, "File must have global read permissions");
		srv.rd.tid = 0;
		return;
	}
	for (i = 0; i < srv.ndone && strcmp(srv.done_name[i], name); i++)
		;
	if (i == srv.ndone) {
		srv_error(srv.rd.tid, q->sport, 1, "File not found");
		srv.rd.tid = 0;
		return;
	}
	srv.rd.data = srv.done_file[i];
	srv.rd.len = srv.done_len[i];
	if (srv.rrq == RRQ_GROW && srv.nrrq == 1) /* the first answer sees the end not yet written */
		srv.rd.len -= srv.rd.len < 4096 ? srv.rd.len : 4096;
	if (want_tsize && srv.mode != SRV_PLAIN) {
		put16(srv.rd.last, 6);
		srv.rd.last_len = 2 + (size_t)sprintf((char *)srv.rd.last + 2, "tsize%c%zu", 0, srv.rd.len) + 1;
		srv.rd.block = 0;
		reply(srv.rd.tid, srv.rd.client, srv.rd.last, srv.rd.last_len, true);
	} else {
		srv_rd_data(1);
	}
}

/* The client's ACK or ERROR to the read side. */
static void srv_rd_input(const struct pkt *q)
{
	uint16_t op = get16(q->data), n = get16(q->data + 2);

	if (op == 5) {
		srv.rd_aborted++;
		srv.rd.tid = 0;
	} else if (op == 4 && n == srv.rd.block) {
		if (n && srv.rd.last_len < 4 + 512)
			srv.rd.tid = 0; /* the last block is acknowledged: done */
		else
			srv_rd_data((uint16_t)(n + 1));
	} else if (op == 4) {
		reply(srv.rd.tid, srv.rd.client, srv.rd.last, srv.rd.last_len, true); /* it missed our last */
	}
}

/* Deliver what the client sent (after impairments) and what is due for it. */
static void srv_step(void)
{
	for (int i = 0; i < outq_n; i++) {
		struct pkt *q = &outq[i];
		uint16_t op = q->len >= 2 ? get16(q->data) : 0;

		if (q->dport == SERVER_PORT && op == 2 && srv.mode == SRV_DOWN)
			srv.nwrq++;
		if (srv.mode == SRV_DOWN) {
			/* nothing answers */
		} else if (srv.drop_pct && (int)(rnd() % 100) < srv.drop_pct) {
			/* lost on the way to the server */
		} else if (q->dport == SERVER_PORT && op == 2) {
			srv_wrq(q);
		} else if (q->dport == SERVER_PORT && op == 1 && q->len >= 4) {
			srv_rrq(q);
		} else if (srv.rd.tid && q->dport == srv.rd.tid && q->len >= 4) {
			srv_rd_input(q);
		} else if (q->dport == srv.tid && srv.tid && op == 3 && q->len >= 4) {
			srv_data(q);
		} else if (op == 5 && get16(q->data + 2) == 5) {
			srv.err5_seen++;
		} else if (op == 5) {
			/* client gave up (e.g. bad OACK) */
			srv.client_err = get16(q->data + 2);
			srv.done = true;
		}
		free(q->data);
	}
	outq_n = 0;
	/* a client that is still asking a silent server after 100 s is stuck: end it (the test fails) */
	if (srv.mode == SRV_ERROR8_THEN_SILENT && !srv.done && fake_now_us - srv.start_us > 100000000) {
		srv_error(40001, srv.client_port, 0, "test server: still asked after 100 s");
		srv.done = true;
	}
	/* receiver timeout (RFC 7440): resend the last ACK after a second of silence */
	if (srv.tid && !srv.done && srv.mode != SRV_DOWN && fake_now_us - srv.last_rx_us > 1000000 &&
	    srv.expected > 1) {
		srv.last_rx_us = fake_now_us;
		srv.inwin = 0;
		srv_ack(srv.client_port, srv.expected - 1);
	}
	int w = 0;

	for (int i = 0; i < inq_n; i++) {
		if (inq[i].due_us <= fake_now_us && !inq[i].held) {
			inject(&inq[i]);
			free(inq[i].data);
		} else {
			inq[w++] = inq[i];
		}
	}
	inq_n = w;
}

void net_poll(void)
{
	fake_now_us += POLL_US;
	sys_check_timeouts();
	srv_step();
}

/* ---- fixtures */

/* The file: size bytes of a pattern; the crash time for %t. */
static struct {
	uint64_t size;
	char crashtime[24];
} d;
static uint8_t *mem;
static bool size_unknown;	/* the stream announces no size (as a compressed format's) */
extern const struct transport transport_tftp;

static void make_dump(uint64_t size, const char *crashtime)
{
	free(mem);
	mem = malloc(size);
	for (uint64_t i = 0; i < size; i++)
		mem[i] = (uint8_t)(i * 2654435761u >> 13);
	d.size = size;
	snprintf(d.crashtime, sizeof(d.crashtime), "%s", crashtime);
}

static void reset_server(enum srv_mode mode)
{
	for (int i = 0; i < srv.ndone; i++)
		free(srv.done_file[i]);
	free(srv.file);
	for (int i = 0; i < inq_n; i++)
		free(inq[i].data);
	inq_n = 0;
	memset(&srv, 0, sizeof(srv));
	srv.mode = mode;
	srv.max_blksize = 1024;
	srv.max_window = 8;
	srv.rng = 12345;
	srv.start_us = fake_now_us;
	log_reset();
}

static struct dump_target target(const char *path)
{
	struct dump_target t = { .kind = TARGET_TFTP, .tftp_ip = SERVER_IP, .tftp_port = SERVER_PORT };

	snprintf(t.tftp_path, sizeof(t.tftp_path), "%s", path);
	return t;
}

static struct config cfg;
static const struct side_file *side;	/* the side file run() offers, or NULL */

/* The file through the stream stage into the TFTP transport, in writes of odd sizes (never
 * block-aligned), as a format produces it. */
static int run(const char *path)
{
	struct dump_target t = target(path);
	struct transport_info info = { size_unknown ? STREAM_SIZE_UNKNOWN : d.size, d.crashtime, "elf", side };
	static struct stream s;
	uint64_t off = 0;
	size_t step = 1000;
	int rc;

	if ((rc = stream_open(&s, &transport_tftp, &t, &cfg, &info)) != 0)
		return rc;
	while (off < d.size) {
		size_t n = (size_t)(d.size - off < step ? d.size - off : step);

		if ((rc = stream_write(&s, mem + off, n)) != 0) {
			stream_abort(&s, rc);
			return rc;
		}
		off += n;
		step = step * 7 % 20011 + 1;
	}
	return stream_close(&s);
}

/* Every pool element back on its free list and the whole heap allocatable: nothing leaked. */
static void check_no_leak(const char *what)
{
	int i;
	void *big;

	/* let anything still queued drain, and lwIP's timers (reassembly, ARP) expire */
	for (i = 0; i < 20000; i++)
		net_poll();
	for (i = 0; i < MEMP_MAX; i++) {
		const struct memp_desc *desc = memp_pools[i];
		int n = 0;

		if (i == MEMP_SYS_TIMEOUT)
			continue; /* lwIP's own cyclic timers live here */

		for (struct memp *m = *desc->tab; m; m = m->next)
			n++;
		ok(n == desc->num, "%s: lwIP pool %d has all %d elements free (found %d)", what, i, desc->num, n);
	}
	big = mem_malloc(MEM_SIZE - 64);
	ok(big != NULL, "%s: lwIP heap whole again (no pbuf leaked)", what);
	if (big)
		mem_free(big);
}

static bool file_ok(int idx, const char *name, uint64_t size)
{
	return srv.ndone > idx && !strcmp(srv.done_name[idx], name) && srv.done_len[idx] == size &&
	       !memcmp(srv.done_file[idx], mem, size);
}

/* The digest file must be "<sha256 of the dump>  <basename>\n". */
static bool digest_ok(const char *base, uint64_t size)
{
	uint8_t dg[32];
	char hex[65], want[400];

	sha256(mem, size, dg);
	sha256_hex(dg, hex);
	snprintf(want, sizeof(want), "%s  %s\n", hex, base);
	return srv.ndone == 2 && srv.done_len[1] == strlen(want) && !memcmp(srv.done_file[1], want, strlen(want));
}

/* ---- tests */

static void test_oack(void)
{
	int rc;

	reset_server(SRV_OACK);
	make_dump(64 * 1024 + 4096, "1700000000");
	rc = run("dumps/vmcore");
	ok(rc == 0, "OACK: transfer succeeds (rc %d)", rc);
	ok(strstr(srv.wrq_opts, "blksize=65464 ") != NULL, "OACK: asks for blksize 65464 (%s)", srv.wrq_opts);
	ok(strstr(srv.wrq_opts, "tsize=69632 ") != NULL, "OACK: tsize is the dump size (%s)", srv.wrq_opts);
	ok(strstr(srv.wrq_opts, "timeout=") != NULL, "OACK: asks for a timeout (%s)", srv.wrq_opts);
	ok(strstr(srv.wrq_opts, "windowsize=2 ") != NULL, "OACK: asks for windowsize 2 (128 KiB of 65464-byte blocks) (%s)",
	   srv.wrq_opts);
	ok(file_ok(0, "dumps/vmcore", d.size), "OACK: server has the exact file");
	ok(srv.max_data_len == 1024, "OACK: uses the granted blksize 1024 (max DATA %u)", srv.max_data_len);
	ok(log_has("blksize 1024, windowsize 2,"), "OACK: uses the granted windowsize 2");
	ok(srv.ndone == 2 && !strcmp(srv.done_name[1], "dumps/vmcore.sha256"), "OACK: digest file written");
	ok(digest_ok("vmcore", d.size), "OACK: digest file is '<sha256>  vmcore\\n'");
	ok(log_has("sent 69632 bytes") && log_has("sha256 "), "OACK: summary line with bytes and digest");
	check_no_leak("OACK");
}

/* A file whose size is known only at its end: no tsize in the request, the last block ends it. */
static void test_unknown_size(void)
{
	int rc;

	reset_server(SRV_OACK);
	make_dump(5 * 1024 + 300, "");
	size_unknown = true;
	rc = run("unsized");
	ok(rc == 0 && !strstr(srv.wrq_opts, "tsize") && strstr(srv.wrq_opts, "blksize="),
	   "unknown size: transfer succeeds without tsize (rc %d, %s)", rc, srv.wrq_opts);
	ok(file_ok(0, "unsized", d.size) && digest_ok("unsized", d.size), "unknown size: exact file and digest");
	reset_server(SRV_OACK);
	make_dump(8 * 1024, ""); /* ends on a block boundary: an empty last block */
	rc = run("unsized2");
	ok(rc == 0 && file_ok(0, "unsized2", d.size) && digest_ok("unsized2", d.size),
	   "unknown size, block-aligned end: exact file and digest (rc %d)", rc);
	size_unknown = false;
	check_no_leak("unknown size");
}

static void test_plain(void)
{
	int rc;

	reset_server(SRV_PLAIN);
	make_dump(3 * 4096, "");
	rc = run("core");
	ok(rc == 0, "no OACK: transfer succeeds (rc %d)", rc);
	ok(file_ok(0, "core", d.size), "no OACK: exact file");
	ok(srv.max_data_len == 512, "no OACK: 512-byte blocks (max %u)", srv.max_data_len);
	ok(srv.data_pkts == 3 * 4096 / 512 + 1 + 1, "no OACK: 24 full blocks + empty final + digest block (%llu)",
	   (unsigned long long)srv.data_pkts);
	ok(digest_ok("core", d.size), "no OACK: digest file");
	check_no_leak("no OACK");
}

static void test_error(void)
{
	int rc;

	reset_server(SRV_ERROR);
	srv.err_code = 2;
	srv.err_msg = "Access violation";
	make_dump(8192, "");
	fake_now_us += 1000000;
	uint64_t t0 = fake_now_us;
	rc = run("x");
	ok(rc == -ECONNREFUSED, "ERROR on WRQ: fails with -ECONNREFUSED (rc %d)", rc);
	ok(log_has("error 2: Access violation"), "ERROR on WRQ: code and text logged");
	ok(fake_now_us - t0 < 2000000, "ERROR on WRQ: fails at once");
	check_no_leak("ERROR on WRQ");

	reset_server(SRV_OACK);
	srv.err_code = 3;
	srv.err_msg = "Disk full or allocation exceeded";
	srv.error_after = 5;
	rc = run("x");
	ok(rc == -ECONNREFUSED && log_has("error 3: Disk full"), "ERROR mid-transfer: reported (rc %d)", rc);
	check_no_leak("ERROR mid-transfer");

	reset_server(SRV_OACK);
	srv.refuse_digest = true;
	rc = run("nodigest");
	ok(rc == 0 && file_ok(0, "nodigest", d.size) && srv.ndone == 1,
	   "digest file refused: the dump counts as delivered (rc %d)", rc);
	ok(log_has("the dump arrived but its digest file 'nodigest.sha256' did not"), "digest file refused: warned");
	check_no_leak("digest refused");

	reset_server(SRV_ERROR8_THEN_PLAIN);
	rc = run("y");
	ok(rc == 0 && file_ok(0, "y", d.size), "ERROR 8 on options: plain retry delivers (rc %d)", rc);
	ok(srv.max_data_len == 512, "ERROR 8 on options: then 512-byte blocks");
	check_no_leak("ERROR 8");
}

static void test_bad_oack(void)
{
	static const struct {
		const char *opts;
		size_t len;
		const char *why;
	} cases[] = {
		{ "blksize\0" "70000\0", 14, "blksize larger than asked" },
		{ "blksize\0" "4\0", 10, "blksize below 8" },
		{ "windowsize\0" "99\0", 14, "windowsize larger than asked" },
		{ "color\0" "blue\0", 11, "option never asked for" },
		{ "blksize\0" "1024", 12, "value not NUL-terminated" },
		{ "blksize", 7, "name not NUL-terminated" },
		{ "blksize\0" "12x\0", 12, "non-numeric value" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		reset_server(SRV_BAD_OACK);
		srv.bad_oack = cases[i].opts;
		srv.bad_oack_len = cases[i].len;
		make_dump(8192, "");
		rc = run("z");
		ok(rc == -EINVAL && log_has("OACK"), "bad OACK (%s): refused with a log line (rc %d)", cases[i].why, rc);
		net_poll();
		ok(srv.client_err == 8, "bad OACK (%s): server told with ERROR 8", cases[i].why);
		check_no_leak(cases[i].why);
	}
}

static void test_lossy(void)
{
	static const struct {
		int drop, dup, delay;
		uint32_t win;
	} cases[] = { { 5, 5, 5, 8 }, { 20, 10, 10, 8 }, { 20, 10, 10, 1 }, { 10, 30, 30, 4 }, { 30, 0, 20, 16 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[64];
		uint64_t t0;
		int rc;

		reset_server(SRV_OACK);
		srv.drop_pct = cases[i].drop;
		srv.dup_pct = cases[i].dup;
		srv.delay_pct = cases[i].delay;
		srv.max_window = cases[i].win;
		srv.rng = 777 + (uint32_t)i;
		make_dump(40 * 4096, "");
		snprintf(path, sizeof(path), "lossy?windowsize=%u", cases[i].win);
		t0 = fake_now_us;
		rc = run(path);
		/* a recovery bug shows up as timeouts piling up, long before anything fails */
		ok(fake_now_us - t0 < 30000000, "lossy case %zu: done in %llu ms of fake time (< 30 s)", i,
		   (unsigned long long)((fake_now_us - t0) / 1000));
		ok(rc == 0 && file_ok(0, "lossy", d.size) && digest_ok("lossy", d.size),
		   "lossy %d%% drop %d%% dup %d%% delay window %u: exact file and digest (rc %d)", cases[i].drop,
		   cases[i].dup, cases[i].delay, cases[i].win, rc);
		check_no_leak("lossy");
	}
}

/* RFC 7440 window edges: the receiver misses block 3 once; its ACK 2 must make the client resend
 * from block 3 (not from 1, not skipping it). */
static int drop_block3_once(uint64_t k, int first)
{
	static int dropped;

	if (k == 1)
		dropped = 0;
	if (k == 3 && !dropped) {
		dropped = 1;
		return 1;
	}
	return 0;
}

static void test_window_edges(void)
{
	int rc, i, resent_from = -1;

	reset_server(SRV_OACK);
	srv.max_window = 4;
	srv.drop_data = drop_block3_once;
	make_dump(8 * 4096, "");
	/* 32768 bytes in 1024-byte blocks: 32 full blocks (8 exact windows of 4) and an empty 33rd */
	rc = run("win");
	ok(rc == 0 && file_ok(0, "win", d.size), "window 4: exact file despite a lost block (rc %d)", rc);
	for (i = 4; i < srv.norder; i++)
		if (srv.order[i] == 3) {
			resent_from = i;
			break;
		}
	ok(resent_from > 0 && srv.order[0] == 1 && srv.order[1] == 2 && srv.order[2] == 3 && srv.order[3] == 4,
	   "window 4: first window sent 1-4");
	ok(resent_from > 0 && srv.order[resent_from + 1] == 4 && srv.order[resent_from + 2] == 5,
	   "window 4: after ACK 2 the client resends from block 3 (position %d)", resent_from);
	ok(srv.data_pkts <= 33 + 2 + 1 + 4, "window 4: few extra packets (%llu)", (unsigned long long)srv.data_pkts);
	check_no_leak("window edges");

	/* Every ACK duplicated: no Sorcerer's Apprentice doubling of everything after. */
	reset_server(SRV_OACK);
	srv.max_window = 4;
	srv.dup_all_acks = true;
	rc = run("dupack");
	ok(rc == 0 && file_ok(0, "dupack", d.size), "duplicated ACKs: exact file (rc %d)", rc);
	ok(srv.data_pkts < (33 + 1) * 3 / 2, "duplicated ACKs: bounded resends (%llu DATA for 34 blocks)",
	   (unsigned long long)srv.data_pkts);
	check_no_leak("duplicated ACKs");
}

/* One ACK arrives late, so the client resends a block the server already has; the server (like
 * tftpd-hpa) ACKs the duplicate too. Resending on that duplicate ACK would send every later block
 * twice (the Sorcerer's Apprentice): it must not. */
static void test_apprentice(void)
{
	int rc;

	reset_server(SRV_PLAIN);
	srv.slow_ack = 3;
	srv.ack_delay_us = 1000;
	make_dump(16 * 4096, "");
	rc = run("apprentice");
	ok(rc == 0 && file_ok(0, "apprentice", d.size), "late ACK: exact file (rc %d)", rc);
	ok(srv.data_pkts <= 129 + 1 + 3, "late ACK: no doubling after a spurious resend (%llu DATA for 129+1 blocks)",
	   (unsigned long long)srv.data_pkts);
	check_no_leak("late ACK");
}

static void test_rollover(void)
{
	int rc;

	reset_server(SRV_OACK);
	srv.drop_final_acks = false;
	rc = run("toobig?blksize=65464&windowsize=3");
	ok(rc == 0 && strstr(srv.wrq_opts, "windowsize=2 ") && log_has("windowsize lowered to 2"),
	   "blksize 65464 and windowsize 3 asked for: the window shrinks to fit the window buffer (%s)", srv.wrq_opts);
	check_no_leak("window buffer bound");

	reset_server(SRV_OACK);
	srv.max_window = 64;
	make_dump(18 * 4096 * 8, ""); /* 589824 bytes in 8-byte blocks: 73728 blocks + an empty final one */
	rc = run("roll?blksize=8&windowsize=64");
	ok(rc == 0, "rollover: transfer succeeds (rc %d)", rc);
	ok(strstr(srv.wrq_opts, "blksize=8 ") && strstr(srv.wrq_opts, "windowsize=64 "),
	   "rollover: target options ask blksize 8, windowsize 64 (%s)", srv.wrq_opts);
	ok(srv.saw_wrap, "rollover: block numbers wrapped past 65535 to 0");
	ok(file_ok(0, "roll", d.size), "rollover: exact file after 73729 blocks");
	ok(digest_ok("roll", d.size), "rollover: digest");
	check_no_leak("rollover");
}

static void test_timeout(void)
{
	uint64_t t0;
	int rc;

	reset_server(SRV_DOWN);
	make_dump(8192, "");
	t0 = fake_now_us;
	rc = run("down");
	ok(rc == -ETIMEDOUT, "server down: -ETIMEDOUT (rc %d)", rc);
	ok(fake_now_us - t0 >= 30000000 && fake_now_us - t0 < 36000000, "server down: gives up after 30-36 s (%llu us)",
	   (unsigned long long)(fake_now_us - t0));
	ok(srv.nwrq >= 4 && srv.nwrq < 40, "server down: WRQ retransmitted with backoff (%d times)", srv.nwrq);
	ok(log_has("no answer from the server"), "server down: clear log line");
	check_no_leak("server down");

	reset_server(SRV_OACK);
	srv.silent_after = 3;
	t0 = fake_now_us;
	rc = run("silent");
	ok(rc == -ETIMEDOUT && fake_now_us - t0 < 40000000, "server silent mid-transfer: -ETIMEDOUT within bound (rc %d)",
	   rc);
	check_no_leak("server silent");
}

/* The server's final ACK is lost and the server has exited: only the last block is unacknowledged and
 * nothing more is heard; after TFTP_FINAL_SILENCE_US that counts as delivered, with a warning. */
static void test_final_ack_lost(void)
{
	uint64_t t0;
	int rc;

	reset_server(SRV_OACK);
	srv.drop_final_acks = true;
	make_dump(8192, "");
	t0 = fake_now_us;
	rc = run("final");
	ok(rc == 0 && file_ok(0, "final", d.size) && digest_ok("final", d.size),
	   "final ACK lost: delivered, digest file too (rc %d)", rc);
	ok(log_has("no ACK for the end of 'final'"), "final ACK lost: warned");
	ok(fake_now_us - t0 >= 10000000 && fake_now_us - t0 < 20000000, "final ACK lost: ~5 s per file (%llu us)",
	   (unsigned long long)(fake_now_us - t0));
	check_no_leak("final ACK lost");

	/* the same when the last window holds more than the final block (window 3: blocks 7-9) */
	reset_server(SRV_OACK);
	srv.drop_final_acks = true;
	rc = run("final3?windowsize=3");
	ok(strstr(srv.wrq_opts, "blksize=43690 ") && strstr(srv.wrq_opts, "windowsize=3 "),
	   "windowsize 3 asked for: blocks of at most a third of the window buffer (%s)", srv.wrq_opts);
	ok(rc == 0 && file_ok(0, "final3", d.size) && log_has("(6 of 9 blocks acknowledged)"),
	   "final ACK of a 3-block window lost: delivered (rc %d)", rc);
	check_no_leak("final window ACK lost");

	/* an unacknowledged end, a server that cannot say what it holds and a refused digest file: the
	 * target fails (the server may be gone) */
	reset_server(SRV_OACK);
	srv.drop_final_acks = true;
	srv.refuse_digest = true;
	srv.rrq = RRQ_SILENT;
	rc = run("gone");
	ok(rc != 0 && log_has("neither the end of the dump nor its digest file"),
	   "unacknowledged end, no read-back and no digest file: target fails (rc %d)", rc);
	check_no_leak("unacknowledged end, no digest");

	/* the same, but reading back shows the server holds the whole dump: delivered */
	reset_server(SRV_OACK);
	srv.drop_final_acks = true;
	srv.refuse_digest = true;
	rc = run("there");
	ok(rc == 0 && log_has("the dump arrived but its digest file 'there.sha256' did not"),
	   "unacknowledged end, no digest file, but the dump read back whole: delivered (rc %d)", rc);
	check_no_leak("unacknowledged end, read back");

	/* but a server that stops answering earlier still fails the transfer */
	reset_server(SRV_OACK);
	srv.silent_after = 7; /* 9 blocks of 1024: the 8th never gets through */
	rc = run("notfinal");
	ok(rc == -ETIMEDOUT, "silent before the last block: still -ETIMEDOUT (rc %d)", rc);
	check_no_leak("silent before the last block");
}

static void test_path(void)
{
	int rc;

	reset_server(SRV_OACK);
	make_dump(8192, "1712345678");
	rc = run("crash/%m-%t-100%%.core");
	ok(rc == 0 && srv.ndone == 2 && !strcmp(srv.done_name[0], "crash/525400123456-1712345678-100%.core"),
	   "path: %%m %%t %%%% expanded (%s)", srv.done_name[0]);
	ok(digest_ok("525400123456-1712345678-100%.core", d.size), "path: digest names the basename");
	reset_server(SRV_OACK);
	make_dump(8192, "");
	rc = run("%t");
	ok(rc == 0 && !strcmp(srv.done_name[0], "unknown"), "path: %%t without CRASHTIME is 'unknown' (%s)",
	   srv.done_name[0]);
	reset_server(SRV_OACK);
	make_dump(8192, "../../etc");
	rc = run("x-%t");
	ok(rc == 0 && !strcmp(srv.done_name[0], "x-_________"), "path: a hostile CRASHTIME cannot add path parts (%s)",
	   srv.done_name[0]);
	reset_server(SRV_OACK);
	rc = run("bad%q");
	ok(rc == -EINVAL && log_has("unknown escape"), "path: bad escape refused (rc %d)", rc);
	check_no_leak("path");
}

/* A server that refuses the options (ERROR 8) and then ignores the plain request: the plain request
 * is retransmitted with backoff and the transfer ends on the usual silence bound. (It used to be
 * resent every 250 ms for ever whenever a poll landed exactly on its deadline.) */
static void test_error8_then_silent(void)
{
	uint64_t t0;
	int rc;

	reset_server(SRV_ERROR8_THEN_SILENT);
	make_dump(8192, "");
	t0 = fake_now_us;
	rc = run("e8silent");
	ok(rc == -ETIMEDOUT, "ERROR 8 then silence: -ETIMEDOUT (rc %d)", rc);
	ok(fake_now_us - t0 >= 30000000 && fake_now_us - t0 < 36000000,
	   "ERROR 8 then silence: gives up after 30-36 s (%llu us)", (unsigned long long)(fake_now_us - t0));
	ok(srv.nwrq >= 4 && srv.nwrq < 40, "ERROR 8 then silence: plain WRQ retransmitted with backoff (%d WRQs)",
	   srv.nwrq);
	ok(log_has("retrying as plain RFC 1350") && log_has("no answer from the server"),
	   "ERROR 8 then silence: both log lines");
	check_no_leak("ERROR 8 then silence");
}

/* ICMP destination unreachable for the request ends the transfer at once (no 30 s wait); ICMP that
 * does not answer our request changes nothing. */
static void test_icmp(void)
{
	uint64_t t0;
	int rc;

	reset_server(SRV_OACK);
	srv.unreach = ICMP_DUR_PORT + 1;
	make_dump(8192, "");
	t0 = fake_now_us;
	rc = run("closed");
	ok(rc == -ECONNREFUSED, "ICMP port unreachable: -ECONNREFUSED (rc %d)", rc);
	ok(fake_now_us - t0 < 2000000, "ICMP port unreachable: ends within 2 s (%llu us)",
	   (unsigned long long)(fake_now_us - t0));
	ok(log_has("tftp: 10.0.2.2 port 6969 cannot be reached for 'closed': ICMP port unreachable (code 3) from 10.0.2.2"),
	   "ICMP port unreachable: clear log line");
	check_no_leak("ICMP port unreachable");

	reset_server(SRV_OACK);
	srv.unreach = ICMP_DUR_HOST + 1;
	srv.unreach_from = 0x0a000201; /* a router */
	t0 = fake_now_us;
	rc = run("nohost");
	ok(rc == -EHOSTUNREACH && fake_now_us - t0 < 2000000, "ICMP host unreachable from a router: -EHOSTUNREACH at once (rc %d)",
	   rc);
	ok(log_has("ICMP host unreachable (code 1) from 10.0.2.1"), "ICMP host unreachable: names the router");
	check_no_leak("ICMP host unreachable");

	reset_server(SRV_OACK);
	srv.icmp_decoys = true;
	rc = run("decoys");
	ok(rc == 0 && file_ok(0, "decoys", d.size) && digest_ok("decoys", d.size),
	   "ICMP with a bad checksum, fragmentation needed, a cut quote, another port or host: ignored (rc %d)", rc);
	ok(!log_has("cannot be reached"), "ICMP decoys: no unreachable line");
	check_no_leak("ICMP decoys");

	/* the server exited after the last block and its final ACK was lost: the resends bounce, and
	 * that is no reason to fail a transfer whose every block went out */
	reset_server(SRV_OACK);
	srv.drop_final_acks = true;
	srv.unreach_when_gone = true;
	rc = run("bounced");
	ok(rc == 0 && file_ok(0, "bounced", d.size), "ICMP port unreachable after the last block: still delivered (rc %d)",
	   rc);
	check_no_leak("ICMP after the end");
}

/* Lines of the log that are warnings. */
static int warnings(void)
{
	int n = !strncmp(log_buf, "warning: ", 9);

	for (const char *p = log_buf; (p = strstr(p, "\nwarning: ")) != NULL; p++)
		n++;
	return n;
}

/* Stored, not just acknowledged: after writing, the client reads the size of the dump and the whole
 * digest file back. A server holding less fails the target; one that cannot tell gets one warning. */
static void test_stored(void)
{
	uint64_t t0;
	int rc;

	reset_server(SRV_OACK);
	make_dump(64 * 1024 + 4096, "");
	rc = run("whole");
	ok(rc == 0 && log_has("tftp: wrote 'whole.sha256'; read back: the server holds the whole dump and this file"),
	   "read back: dump size and digest file confirmed (rc %d)", rc);
	ok(srv.nrrq == 2 && srv.rd_aborted == 1, "read back: two read requests, the dump's ended after its OACK "
	   "(%d, %d)", srv.nrrq, srv.rd_aborted);
	ok(warnings() == 0, "read back: no warning");
	check_no_leak("read back");

	/* the disk fills up: the server acknowledges every block but keeps 12 KiB of the dump */
	reset_server(SRV_OACK);
	srv.disk_limited = true;
	srv.disk_left = 3 * 4096;
	t0 = fake_now_us;
	rc = run("full");
	ok(rc == -EIO, "disk full: the target fails (rc %d)", rc);
	ok(log_has("error: tftp: the server holds 12288 bytes as 'full', not the 69632 sent (its disk full?): "
		   "the dump is not safe there"), "disk full: clear line");
	ok(srv.ndone == 1 && srv.nrrq == 2, "disk full: asked twice (short and unchanged), no digest file written "
	   "(%d files, %d RRQs)", srv.ndone, srv.nrrq);
	ok(fake_now_us - t0 < 5000000, "disk full: decided within 5 s (%llu us)", (unsigned long long)(fake_now_us - t0));
	check_no_leak("disk full");

	/* the end is written after the final ACK: a short first answer that then grows is no failure */
	reset_server(SRV_OACK);
	srv.rrq = RRQ_GROW;
	rc = run("late");
	ok(rc == 0 && log_has("read back: the server holds the whole dump") && srv.nrrq == 3,
	   "end written late: asked again, then confirmed (rc %d, %d RRQs)", rc, srv.nrrq);
	check_no_leak("end written late");

	/* the dump fits, its digest file does not: the dump counts, with a warning */
	reset_server(SRV_OACK);
	srv.disk_limited = true;
	srv.disk_left = d.size + 10;
	rc = run("justfits");
	ok(rc == 0 && log_has("warning: tftp: the server holds all of 'justfits', but its digest file "
			      "'justfits.sha256' is not what was sent (read back: 10 of its 75 bytes)"),
	   "digest file cut short: the dump counts, warned (rc %d)", rc);
	ok(warnings() == 1, "digest file cut short: one warning line (%d)", warnings());
	check_no_leak("digest cut short");

	/* the server cannot tell: not readable (tftpd-hpa without world-readable files), silent to
	 * read requests, or a plain RFC 1350 server without tsize: one warning, target done */
	reset_server(SRV_OACK);
	srv.rrq = RRQ_ERROR;
	rc = run("unreadable");
	ok(rc == 0 && log_has("warning: tftp: the server cannot confirm that it stored all of 'unreadable' "
			      "(reading it back: error 2: File must have global read permissions); counting the "
			      "target as done"), "not readable: counted as done, says why (rc %d)", rc);
	ok(warnings() == 1 && srv.nrrq == 1, "not readable: one warning line, one read request (%d, %d)", warnings(),
	   srv.nrrq);
	ok(log_has("tftp: wrote 'unreadable.sha256'\n"), "not readable: digest file still written");
	check_no_leak("not readable");

	reset_server(SRV_OACK);
	srv.rrq = RRQ_SILENT;
	t0 = fake_now_us;
	rc = run("mute");
	ok(rc == 0 && log_has("cannot confirm that it stored all of 'mute' (no answer to a read request for 6 s)"),
	   "silent to reads: counted as done, says why (rc %d)", rc);
	ok(warnings() == 1 && fake_now_us - t0 < 10000000, "silent to reads: one warning, within 10 s (%d, %llu us)",
	   warnings(), (unsigned long long)(fake_now_us - t0));
	check_no_leak("silent to reads");

	reset_server(SRV_PLAIN);
	rc = run("plain");
	ok(rc == 0 && log_has("cannot confirm that it stored all of 'plain' (it does not give a file's size (tsize) "
			      "on a read request)"), "no tsize: counted as done, says why (rc %d)", rc);
	ok(warnings() == 1 && srv.rd_aborted == 1, "no tsize: one warning, the read ended with an ERROR");
	check_no_leak("no tsize");

	/* read-back under loss, duplication and reordering */
	reset_server(SRV_OACK);
	srv.drop_pct = 20;
	srv.dup_pct = 10;
	srv.delay_pct = 10;
	rc = run("lossyread");
	ok(rc == 0 && log_has("read back: the server holds the whole dump and this file"),
	   "read back under 20%% loss: confirmed (rc %d)", rc);
	check_no_leak("lossy read back");
}

/* A dump of 10 GB or more has an 11-digit size: the server's OACK echoing it must be accepted. */
static void test_big_tsize(void)
{
	int rc;

	reset_server(SRV_OACK);
	srv.tsize_echo = "12345678901";
	make_dump(8192, "");
	rc = run("big");
	ok(rc == 0 && file_ok(0, "big", d.size) && log_has("OACK tsize 12345678901 differs"),
	   "11-digit tsize in an OACK: accepted (rc %d)", rc);
	check_no_leak("11-digit tsize");
}

/* A datagram from another port during the transfer gets ERROR 5 and does not disturb it. */
static void test_wrong_tid(void)
{
	int rc;

	reset_server(SRV_OACK);
	make_dump(8192, "");
	srv.max_window = 1;
	srv.stray_at = 2;
	rc = run("tid");
	ok(rc == 0 && file_ok(0, "tid", d.size), "wrong TID: transfer unaffected (rc %d)", rc);
	ok(srv.err5_seen == 1, "wrong TID: stray answered with ERROR 5 (%d)", srv.err5_seen);
	check_no_leak("wrong TID");
}

/* A side file of 3250 bytes ("log line N\n"...) in pieces, or failing when ctx says so. */
static int side_produce(const void *ctx, int (*put)(void *pctx, const char *buf, size_t len), void *pctx)
{
	char line[32];
	int rc;

	if (ctx)
		return -EINVAL;
	for (int i = 0; i < 250; i++) {
		snprintf(line, sizeof(line), "log line %03d\n", i % 1000);
		if ((rc = put(pctx, line, strlen(line))) != 0)
			return rc;
	}
	return 0;
}

/* The side file (the crashed kernel's log) goes after the dump and its digest, named after the
 * expanded path; refused or unmade, it is a warning and the target still succeeds. */
static void test_side(void)
{
	static const struct side_file good = { ".dmesg", side_produce, NULL }, bad = { ".dmesg", side_produce, "fail" };
	char want[4000] = "";
	int rc;

	for (int i = 0; i < 250; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "log line %03d\n", i);
	reset_server(SRV_OACK);
	make_dump(20000, "1700000000");
	side = &good;
	rc = run("dumps/vm-%t");
	ok(rc == 0 && file_ok(0, "dumps/vm-1700000000", d.size) && srv.ndone == 3 &&
		   !strcmp(srv.done_name[1], "dumps/vm-1700000000.sha256") && !strcmp(srv.done_name[2], "dumps/vm-1700000000.dmesg"),
	   "side file: written third, as '<expanded path>.dmesg' (rc %d, %d files)", rc, srv.ndone);
	ok(srv.ndone == 3 && srv.done_len[2] == strlen(want) && !memcmp(srv.done_file[2], want, strlen(want)),
	   "side file: its bytes");
	ok(log_has("tftp: wrote 'dumps/vm-1700000000.dmesg' (3250 bytes, "), "side file: logged with its size");
	check_no_leak("side file");

	reset_server(SRV_OACK);
	srv.refuse_side = true;
	rc = run("refused");
	ok(rc == 0 && file_ok(0, "refused", d.size) && srv.ndone == 2 &&
		   log_has("warning: tftp: 'refused.dmesg' beside the dump was not written (") &&
		   log_has("the dump is complete"),
	   "side file refused: a warning, the target succeeds (rc %d)", rc);
	check_no_leak("side file refused");

	reset_server(SRV_OACK);
	side = &bad;
	rc = run("unmade");
	ok(rc == 0 && srv.ndone == 2 && log_has("warning: tftp: no 'unmade.dmesg' beside the dump: its contents cannot be made (-22)"),
	   "side file unmade: a warning, nothing sent, the target succeeds (rc %d)", rc);
	check_no_leak("side file unmade");
	side = NULL;
}

int main(void)
{
	net_up(&cfg, NULL);
	check_no_leak("start");
	test_oack();
	test_plain();
	test_unknown_size();
	test_error();
	test_bad_oack();
	test_window_edges();
	test_lossy();
	test_timeout();
	test_final_ack_lost();
	test_path();
	test_wrong_tid();
	test_error8_then_silent();
	test_icmp();
	test_stored();
	test_big_tsize();
	test_apprentice();
	test_rollover();
	test_side();
	free(mem);
	reset_server(SRV_OACK);
	return ok_done();
}

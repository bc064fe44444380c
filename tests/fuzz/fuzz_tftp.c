/* libFuzzer target: net/tftp.c, the real TFTP transport behind the real stream stage on the real
 * lwIP (host build), sending a small file to a server whose every reply comes from the input, as real IPv4/UDP packets through a fake
 * netif (as tests/unit/test_tftp.c drives it). Input: the target path (NUL-terminated, options and
 * %m/%t included), a size byte, then one server action per poll:
 *   op & 7: 0 silence for (byte+1)*10 ms; 1 a raw packet (length byte, bytes); 2 ACK of the last
 *           DATA block the client sent (+ op >> 6); 3 OACK with raw options (length byte, bytes);
 *           4 ERROR (code byte, length byte, message); 5 ACK 0; 6 ICMP destination unreachable
 *           (code byte) quoting the client's last datagram; 7 nothing this poll
 *   op & 0x08: from the port the request went to, 0x10: from a stray port; else from the TID.
 * When the input ends the server falls silent: the client must give up on its own, within bounds,
 * with every lwIP pool element and the whole heap back. */
/* fuzz-sources: net/tftp.c dump/stream.c dump/progress.c lib/sha256.c lwip */
#include "dump/stream.h"
#include "dump/transport.h"
#include "fuzz.h"
#include "net/net.h"

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
#define SERVER_TID 40001
#define STRAY_PORT 55555
#define POLL_US 100
/* While the script keeps the server silent the step starts at 1 ms after each datagram of the client
 * and doubles while it stays quiet, up to 16 ms: inside the client's 30 ms RTO floor, so each of its
 * timeouts still comes due at a poll of its own. After the script, from 50 ms up to 400 ms: inside its
 * 1 s read-back resend and far inside its bounds of seconds. */
#define SILENT_POLL_US 1000
#define SILENT_POLL_MAX_US 16000
#define DRAIN_POLL_US 50000
#define DRAIN_POLL_MAX_US 400000
#define GIVE_UP_US (200ull * 1000 * 1000)	/* the client's bound after silence: 2 x 30 s, and then some */

extern const struct transport transport_tftp;

static struct netif nif;
static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static bool lwip_ready;

/* the script */
static const uint8_t *in, *in_end;
static uint64_t silent_until, exhausted_at;
static uint64_t quiet_step;	/* the last step while the server is silent; 0: the client just sent */
/* what the client sent last */
static uint16_t client_port;
static uint16_t last_block;
static uint8_t last_dgram[28];	/* its IP header and first 8 bytes, for an ICMP error */

static err_t nif_output(struct netif *n, struct pbuf *p, const ip4_addr_t *dst)
{
	uint8_t b[64];
	size_t ihl;
	u16_t got = pbuf_copy_partial(p, b, sizeof(b), 0);

	ihl = (size_t)(b[0] & 15) * 4;
	if (got < ihl + 12 || b[9] != 17 || (b[6] & 0x1f) || b[7])
		return ERR_OK;	/* ICMP and the like, and fragments after the first */
	client_port = (uint16_t)(b[ihl] << 8 | b[ihl + 1]);
	quiet_step = 0;
	if (ihl == 20)
		memcpy(last_dgram, b, sizeof(last_dgram));
	if (b[ihl + 8] == 0 && b[ihl + 9] == 2)	/* WRQ: a new transfer */
		last_block = 0;
	if (b[ihl + 8] == 0 && b[ihl + 9] == 3)	/* DATA */
		last_block = (uint16_t)(b[ihl + 10] << 8 | b[ihl + 11]);
	return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
	n->output = nif_output;
	n->mtu = 1500;
	n->hwaddr_len = 6;
	memcpy(n->hwaddr, mac, 6);
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

/* An IPv4 header from the server to us for a payload of len bytes of protocol proto. */
static void ip_header(uint8_t *b, uint8_t proto, size_t len)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)(20 + len));
	b[8] = 64;
	b[9] = proto;
	put16(b + 12, SERVER_IP >> 16), put16(b + 14, (uint16_t)SERVER_IP);
	put16(b + 16, CLIENT_IP >> 16), put16(b + 18, (uint16_t)CLIENT_IP);
	put16(b + 10, csum(0, b, 20));
}

static void input(const uint8_t *b, size_t tot)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)tot, PBUF_RAM);

	if (!p)
		return;
	pbuf_take(p, b, (u16_t)tot);
	if (nif.input(p, &nif) != ERR_OK)
		pbuf_free(p);
}

/* ICMP destination unreachable (code) for the client's last datagram, as a router or the server's
 * host would send it. */
static void inject_icmp(uint8_t code)
{
	uint8_t b[20 + 8 + sizeof(last_dgram)];

	ip_header(b, 1, sizeof(b) - 20);
	memset(b + 20, 0, 8);
	b[20] = 3;
	b[21] = code;
	memcpy(b + 28, last_dgram, sizeof(last_dgram));
	put16(b + 22, csum(0, b + 20, sizeof(b) - 20));
	input(b, sizeof(b));
}

/* One UDP datagram from the server, as a valid IPv4 packet. */
static void inject(uint16_t sport, const uint8_t *data, size_t len)
{
	uint8_t b[20 + 8 + 600], ph[12];
	size_t tot = 20 + 8 + len;
	uint32_t sum = 0;

	ip_header(b, 17, 8 + len);
	memset(b + 20, 0, 8);
	put16(b + 20, sport);
	put16(b + 22, client_port);
	put16(b + 24, (uint16_t)(8 + len));
	memcpy(b + 28, data, len);
	memcpy(ph, b + 12, 8);
	ph[8] = 0, ph[9] = 17;
	put16(ph + 10, (uint16_t)(8 + len));
	for (int i = 0; i < 12; i += 2)
		sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	put16(b + 26, csum(sum, b + 20, 8 + len));
	input(b, tot);
}

static size_t take(uint8_t *out, size_t max)
{
	size_t n = in < in_end ? *in++ : 0;

	n = MIN(n, (size_t)(in_end - in));
	n = MIN(n, max);
	memcpy(out, in, n);
	in += n;
	return n;
}

/* The server's next action from the script. */
static void server_step(void)
{
	uint8_t op, pkt[600];
	size_t n = 0;
	uint16_t sport;

	if (fake_now_us < silent_until || !client_port)
		return;
	if (in >= in_end) {
		if (!exhausted_at)
			exhausted_at = fake_now_us;
		return;
	}
	op = *in++;
	sport = op & 0x08 ? SERVER_PORT : op & 0x10 ? STRAY_PORT : SERVER_TID;
	switch (op & 7) {
	case 0:
		silent_until = fake_now_us + (uint64_t)((in < in_end ? *in++ : 0) + 1) * 10000;
		return;
	case 1:
		n = take(pkt, sizeof(pkt));
		break;
	case 2:
		put16(pkt, 4);
		put16(pkt + 2, (uint16_t)(last_block + (op >> 6)));
		n = 4;
		break;
	case 3:
		put16(pkt, 6);
		n = 2 + take(pkt + 2, sizeof(pkt) - 2);
		break;
	case 4:
		put16(pkt, 5);
		put16(pkt + 2, in < in_end ? *in++ : 0);
		n = 4 + take(pkt + 4, sizeof(pkt) - 5);
		pkt[n++] = 0;
		break;
	case 5:
		put16(pkt, 4);
		put16(pkt + 2, 0);
		n = 4;
		break;
	case 6:
		inject_icmp(in < in_end ? *in++ : 3);
		return;
	default:
		return;
	}
	inject(sport, pkt, n);
}

/* ---- net.h for the host */

int net_up(const struct config *cfg, uint8_t m[6])
{
	ip4_addr_t ip, mask, gw;

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
	if (m)
		memcpy(m, mac, 6);
	return 0;
}

const uint8_t *net_mac(void) { return mac; }
uint32_t net_ip(void) { return CLIENT_IP; }
uint32_t net_gw(void) { return SERVER_IP; }

void net_poll(void)
{
	/* Once the script is over, time runs fast: only the client's own bounds end the transfer.
	 * A scripted silence runs at a coarser step too, ending exactly when it was due to. Either
	 * step doubles while the client says nothing (see SILENT_POLL_US). */
	if (exhausted_at) {
		quiet_step = MIN(MAX(quiet_step * 2, (uint64_t)DRAIN_POLL_US), (uint64_t)DRAIN_POLL_MAX_US);
		fake_now_us += quiet_step;
	} else if (fake_now_us < silent_until) {
		quiet_step = MIN(MAX(quiet_step * 2, (uint64_t)SILENT_POLL_US), (uint64_t)SILENT_POLL_MAX_US);
		fake_now_us += MIN(quiet_step, silent_until - fake_now_us);
	} else {
		quiet_step = 0;
		fake_now_us += POLL_US;
	}
	FUZZ_ASSERT(!exhausted_at || fake_now_us - exhausted_at < GIVE_UP_US);
	sys_check_timeouts();
	server_step();
}

/* Every pool element back on its free list (lwIP's own timers aside) and the heap whole. */
static void check_lwip_whole(void)
{
	for (int i = 0; i < MEMP_MAX; i++) {
		const struct memp_desc *desc = memp_pools[i];
		int n = 0;

		if (i == MEMP_SYS_TIMEOUT)
			continue;
		for (struct memp *m = *desc->tab; m; m = m->next)
			n++;
		FUZZ_ASSERT(n == desc->num);
	}
	void *big = mem_malloc(MEM_SIZE - 64);

	FUZZ_ASSERT(big != NULL);
	mem_free(big);
}

/* The file through the stream stage, in writes of odd sizes, as a format produces it. */
static void send_file(const uint8_t *mem, uint64_t size, const struct dump_target *t)
{
	static struct config cfg;
	static struct stream st;
	struct transport_info info = { size, "1767225600", "elf", NULL };
	uint64_t off = 0;
	size_t step = 1000;
	int rc;

	if (stream_open(&st, &transport_tftp, t, &cfg, &info) != 0)
		return;
	while (off < size) {
		size_t n = (size_t)MIN((uint64_t)step, size - off);

		if ((rc = stream_write(&st, mem + off, n)) != 0) {
			stream_abort(&st, rc);
			return;
		}
		off += n;
		step = step * 7 % 2011 + 1;
	}
	stream_close(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[4096 + 16 * 1024];
	static bool filled;
	struct dump_target t = { .kind = TARGET_TFTP, .tftp_ip = SERVER_IP, .tftp_port = SERVER_PORT };
	const uint8_t *nul = memchr(data, 0, size);

	if (!nul || (size_t)(nul - data) >= sizeof(t.tftp_path) || nul + 1 >= data + size)
		return -1;
	memcpy(t.tftp_path, data, (size_t)(nul - data) + 1);
	in = nul + 2;
	in_end = data + size;
	for (size_t i = 0; !filled && i < sizeof(mem); i++)	/* once */
		mem[i] = (uint8_t)(i * 2654435761u >> 13);
	filled = true;
	log_reset();
	silent_until = exhausted_at = quiet_step = 0;
	client_port = last_block = 0;
	memset(last_dgram, 0, sizeof(last_dgram));
	/* 4 KiB and 1 to 16 KiB more, not always a multiple of a block */
	send_file(mem, 4096 + 1024u * (1 + nul[1] % 16), &t);
	/* let anything still in flight drain */
	in = in_end;
	for (int i = 0; i < 3; i++) {
		fake_now_us += 1000000;
		sys_check_timeouts();
	}
	check_lwip_whole();
	return 0;
}

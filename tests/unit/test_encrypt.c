/* The stream stage's encryption (dump/stream.c + dump/encrypt.c) into a capturing transport: with
 * dump.encrypt= words the transport is announced the age file's exact size (or none when the format's
 * is unknown), receives the age file, and is given the SHA-256 of exactly what it received; `age -d`
 * (Debian's) gives the format's bytes back. A malformed recipient, a word that could not be kept or no
 * randomness refuse the target before the transport is opened: nothing is sent. */
/* unit-sources: dump/stream.c dump/encrypt.c dump/progress.c crypto/age.c crypto/recipient.c lib/cmdline.c lib/memparse.c lib/sha256.c */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/random.h"
#include "dump/encrypt.h"
#include "dump/stream.h"
#include "lib/cmdline.h"
#include "lib/log.h"
#include "ok.h"
#include "shim.h"

/* ---- randomness: /dev/urandom, or a failure with its log line ---- */
static int random_fails;

int random_bytes(void *buf, size_t n)
{
	FILE *f;

	if (random_fails) {
		log_err("random: (test) not enough entropy");
		return -EIO;
	}
	f = fopen("/dev/urandom", "rb");
	if (!f || fread(buf, 1, n, f) != n)
		abort();
	fclose(f);
	return 0;
}

/* ---- the capturing transport ---- */
static uint8_t *got;
static uint64_t got_len, got_cap, opened_size, closed_size;
static uint8_t closed_digest[32];
static int opens, fail_write_at, writes, aborts;
static const struct side_file *opened_side, *offered_side;

static int cap_open(struct transport_conn *c, const struct dump_target *t, const struct config *cfg,
		    const struct transport_info *info)
{
	opens++;
	opened_size = info->size;
	opened_side = info->side;
	got_len = 0;
	writes = 0;
	return 0;
}

static int cap_write(struct transport_conn *c, const void *buf, size_t len)
{
	if (++writes == fail_write_at)
		return -EIO;
	if (got_len + len > got_cap) {
		got_cap = (got_len + len) * 2;
		got = realloc(got, got_cap);
	}
	memcpy(got + got_len, buf, len);
	got_len += len;
	return 0;
}

static int cap_close(struct transport_conn *c, uint64_t size, const uint8_t digest[32])
{
	closed_size = size;
	memcpy(closed_digest, digest, 32);
	return 0;
}

static void cap_abort(struct transport_conn *c, int rc)
{
	aborts++;
}

static const struct transport capture = { "capture", TARGET_SERIAL, cap_open, cap_write, cap_close, cap_abort };
static const struct dump_target target = { .kind = TARGET_SERIAL, .serial_port = -1 };

static char dir[64], pub[2][80];
static uint8_t plain[300000];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void read_pub(int k)
{
	char p[128], line[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/key%d.txt", dir, k + 1);
	f = fopen(p, "r");
	pub[k][0] = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "# public key: ", 14))
			sscanf(line + 14, "%79s", pub[k]);
	if (f)
		fclose(f);
}

/* Decrypt what the transport got with key k (1-based); 1 when it gives plain[0..len). */
static int decrypts_to(int k, size_t len)
{
	char p[128];
	FILE *f;
	uint8_t *out = malloc(len + 1);
	size_t n;
	int same;

	snprintf(p, sizeof(p), "%s/got.age", dir);
	f = fopen(p, "wb");
	fwrite(got, 1, got_len, f);
	fclose(f);
	if (sh("age -d -i %s/key%d.txt %s/got.age > %s/out", dir, k, dir, dir) != 0) {
		free(out);
		return 0;
	}
	snprintf(p, sizeof(p), "%s/out", dir);
	f = fopen(p, "rb");
	n = fread(out, 1, len + 1, f);
	fclose(f);
	same = n == len && memcmp(out, plain, len) == 0;
	free(out);
	return same;
}

/* One file of len bytes (size as announced by the format: len or STREAM_SIZE_UNKNOWN) through the
 * stream stage, written in 4 KiB pieces as the formats do. Returns stream_close's result, or the
 * first error. */
static int send(const char *cmdline, size_t len, uint64_t size)
{
	static struct stream s;
	static struct config cfg;
	struct transport_info info = { size, "", "test", offered_side };
	int rc;

	cmdline_parse(cmdline, &cfg);
	if ((rc = stream_open(&s, &capture, &target, &cfg, &info)) != 0)
		return rc;
	for (size_t off = 0; off < len; off += 4096)
		if ((rc = stream_write(&s, plain + off, MIN((size_t)4096, len - off))) != 0) {
			stream_abort(&s, rc);
			return rc;
		}
	return stream_close(&s);
}

int main(void)
{
	char line[512];
	uint8_t d[32];
	int rc;

	strcpy(dir, "/tmp/salvage-test-encrypt.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	ok(sh("age-keygen -o %s/key1.txt 2>/dev/null && age-keygen -o %s/key2.txt 2>/dev/null && "
	      "age-keygen -o %s/key3.txt 2>/dev/null", dir, dir, dir) == 0, "age-keygen made three identities");
	read_pub(0);
	read_pub(1);
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 2654435761u >> 11);

	/* A side file (the crashed kernel's log beside the dump) reaches the transport in clear
	 * dumps only: an encrypted dump goes without it. */
	{
		static const struct side_file side = { ".dmesg", NULL, NULL };

		offered_side = &side;
		rc = send("dump=serial", 4096, 4096);
		ok(rc == 0 && opened_side == &side, "clear dump: the side file is offered to the transport");
		snprintf(line, sizeof(line), "dump.encrypt=%s", pub[0]);
		rc = send(line, 4096, 4096);
		ok(rc == 0 && opened_side == NULL, "encrypted dump: no side file in clear beside it");
		offered_side = NULL;
	}

	/* Known size, two recipients. */
	snprintf(line, sizeof(line), "dump.encrypt=%s dump=serial dump.encrypt=%s", pub[0], pub[1]);
	rc = send(line, sizeof(plain), sizeof(plain));
	ok(rc == 0, "known size: the encrypted file is sent (%d)", rc);
	ok(opened_size == age_file_size(2, sizeof(plain)) && got_len == opened_size && closed_size == got_len,
	   "known size: the transport is announced the age file's %llu bytes and gets them all (%llu)",
	   (unsigned long long)opened_size, (unsigned long long)got_len);
	sha256(got, got_len, d);
	ok(memcmp(d, closed_digest, 32) == 0, "the digest handed to the transport is of the ciphertext it got");
	ok(got_len > 21 && memcmp(got, "age-encryption.org/v1\n", 22) == 0, "the file is an age v1 file");
	ok(decrypts_to(1, sizeof(plain)), "age -d with the first recipient's identity gives the format's bytes");
	ok(decrypts_to(2, sizeof(plain)), "age -d with the second recipient's identity gives the format's bytes");
	ok(!decrypts_to(3, sizeof(plain)), "age -d with another identity fails");
	{
		uint8_t *first = malloc(got_len);
		uint64_t first_len = got_len;

		memcpy(first, got, got_len);
		send(line, sizeof(plain), sizeof(plain));
		ok(got_len == first_len && memcmp(first, got, got_len) != 0, "the same file twice: other ciphertexts");
		free(first);
	}
	ok(memmem(got, got_len, plain, 64) == NULL, "no 64 bytes of the plaintext in the ciphertext");

	/* Unknown size (a compressed format): none announced, the file is complete all the same. */
	snprintf(line, sizeof(line), "dump.encrypt=%s", pub[0]);
	rc = send(line, 70000, STREAM_SIZE_UNKNOWN);
	ok(rc == 0 && opened_size == STREAM_SIZE_UNKNOWN && closed_size == got_len &&
	   got_len == age_file_size(1, 70000), "unknown size: no size announced, %llu bytes sent",
	   (unsigned long long)got_len);
	ok(decrypts_to(1, 70000), "unknown size: age -d gives the format's bytes");
	rc = send(line, 0, 0);
	ok(rc == 0 && decrypts_to(1, 0), "an empty file: an age file of an empty payload");

	/* Refusals, before the transport opens. */
	opens = 0;
	log_reset();
	snprintf(line, sizeof(line), "dump.encrypt=%s dump.encrypt=%.61sq", pub[0], pub[1]);
	rc = send(line, 1000, 1000);
	ok(rc == -EINVAL && opens == 0 && log_has("checksum") && log_has("never sent in clear"),
	   "a malformed recipient: target skipped with a line, the transport never opened");
	log_reset();
	rc = send("dump.encrypt= dump=serial", 1000, 1000);
	ok(rc == -EINVAL && opens == 0 && log_has("never sent in clear"), "an empty dump.encrypt=: target skipped");
	log_reset();
	memset(line, 0, sizeof(line));
	strcpy(line, "dump.encrypt=age1");
	memset(line + 17, 'q', 120);
	rc = send(line, 1000, 1000);
	ok(rc == -EINVAL && opens == 0 && log_has("could not be kept"), "a recipient too long to keep: target skipped");
	log_reset();
	random_fails = 1;
	snprintf(line, sizeof(line), "dump.encrypt=%s", pub[0]);
	rc = send(line, 1000, 1000);
	random_fails = 0;
	ok(rc == -EIO && opens == 0 && log_has("not enough entropy") && log_has("no randomness"),
	   "no randomness: target skipped, saying why");

	/* Errors on the way: the format overruns its size; the transport fails mid-file. */
	rc = send(line, 9000, 5000);
	ok(rc == -EINVAL, "a format writing past its announced size is stopped");
	aborts = 0;
	fail_write_at = 2;
	rc = send(line, sizeof(plain), sizeof(plain));
	fail_write_at = 0;
	ok(rc == -EIO && aborts == 1 && got_len == AGE_HEADER_SIZE(1) + AGE_NONCE_SIZE,
	   "the transport failing on the first chunk: the error comes back, only the header went");

	/* Without dump.encrypt= the stream stage is as before: the bytes themselves. */
	rc = send("dump=serial", 5000, 5000);
	ok(rc == 0 && got_len == 5000 && memcmp(got, plain, 5000) == 0 && opened_size == 5000,
	   "no dump.encrypt=: the file in clear, as before");

	sh("rm -rf %s", dir);
	free(got);
	return ok_done();
}

/* salvage-recipients: check age recipients before salvage-load loads anything, with the kernel's own
 * parser (crypto/recipient.c): each argument a recipient (age1...), or -f FILE of them in age's
 * recipients-file syntax (one a line, '#' comments, blank lines). Prints each recipient on its own
 * line; on the first malformed one says where and why and exits 1. Host program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/recipient.h"
#include "lib/cmdline.h"

#define LINE_MAX_BYTES 4096	/* age's own bound is larger; no recipient line comes near it */

static const char *prog = "salvage-recipients";
static int count;

/* Check recipient s (len bytes; where names it in an error) and print it. Returns 0 or 1. */
static int check(const char *s, size_t len, const char *where)
{
	uint8_t key[AGE_KEY_SIZE];
	const char *why = "";

	if (len >= 4 && !strncmp(s, "ssh-", 4))
		why = "an SSH key: salvage encrypts to age X25519 recipients (age1...) only";
	else if (memchr(s, 0, len))
		why = "a NUL byte";
	else if (age_recipient_parse(s, len, key, &why) == 0) {
		if (++count > MAX_RECIPIENTS) {
			fprintf(stderr, "%s: %s: more than %d recipients (salvage writes at most %d stanzas)\n", prog,
				where, MAX_RECIPIENTS, MAX_RECIPIENTS);
			return 1;
		}
		printf("%.*s\n", (int)len, s);
		return 0;
	}
	/* A secret key given by mistake is not echoed to the terminal or a log. */
	if (len >= 4 && !strncasecmp(s, "age-", 4))
		fprintf(stderr, "%s: %s: 'AGE-...' (not shown) is not an age recipient: %s\n", prog, where, why);
	else
		fprintf(stderr, "%s: %s: '%.*s' is not an age recipient: %s\n", prog, where, (int)(len > 100 ? 100 : len),
			s, why);
	return 1;
}

/* Every recipient line of FILE (age's recipients-file syntax). Returns 0 or 1. */
static int check_file(const char *path)
{
	static char line[LINE_MAX_BYTES + 2];
	char where[4200];
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int n = 0, rc = 0;

	if (!f) {
		fprintf(stderr, "%s: %s: cannot open: %m\n", prog, path);
		return 1;
	}
	while (!rc && fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		n++;
		if (len > LINE_MAX_BYTES) {
			fprintf(stderr, "%s: %s:%d: line longer than %d bytes\n", prog, path, n, LINE_MAX_BYTES);
			rc = 1;
			break;
		}
		if (len && line[len - 1] == '\n')
			len--;
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0 || line[0] == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%d", path, n);
		rc = check(line, len, where);
	}
	if (!rc && ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", prog, path);
		rc = 1;
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int rc;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: %s [RECIPIENT | -f FILE]...\n"
			       "Checks age X25519 recipients (age1...) and recipients files (one a line, '#' comments,\n"
			       "blank lines; - is stdin) and prints the recipients, one a line; exits 1 on the first\n"
			       "malformed one, saying why.\n", prog);
			return 0;
		}
		if (!strcmp(argv[i], "-f")) {
			if (++i >= argc) {
				fprintf(stderr, "%s: -f needs a file\n", prog);
				return 2;
			}
			rc = check_file(argv[i]);
		} else {
			rc = check(argv[i], strlen(argv[i]), "argument");
		}
		if (rc)
			return 1;
	}
	return 0;
}

#!/bin/bash
# Encrypted dumps (dump.encrypt=, age v1) of a synthetic crash state: over TFTP (elf format, two
# recipients, size announced; raw; kdump format, size unknown) and over serial, `age -d` gives byte for
# byte the unencrypted dump of the same state (Linux's /proc/vmcore, which salvage's unencrypted dump
# equals; salvage's clear raw dump; kdump-host's flattened stream of it); the wrong identity and a flipped byte fail; the
# .sha256 is of the ciphertext; two dumps of the same state differ; no planted page occurs in the
# ciphertext or the serial log. A malformed recipient, and a CPU without RDRAND (no randomness in this
# build), skip every target with a line and send nothing.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init synthetic-encrypt
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
. tests/lib/age-check.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle
age_keys 2
srv=$(tftp_dir srv)
tftp_hpa "$srv" -c
enc="dump.encrypt=${AGE_PUB[1]} dump.encrypt=${AGE_PUB[2]}"
CPU=(-cpu max)	# RDRAND: this build's randomness
# enc_tftp NAME SECONDS APPEND [QEMU args]: salvage with an e1000 on QEMU's user network.
enc_tftp() {
	local name=$1 secs=$2 append=$3; shift 3
	synthetic_salvage "$name" 256 "$secs" "$append" -netdev user,id=n0 -device e1000,netdev=n0 "$@"
}

# TFTP, elf: the size is known, so the age file's is announced (tsize) and logged.
enc_tftp tftp 180 "elfcorehdr=$ELFCOREHDR $enc dump=tftp://10.0.2.2:$SRV_PORT/vmcore.age" "${CPU[@]}"
require "$T/tftp.serial" "tftp: encrypted to 2 age recipients .*, [0-9]+ bytes" "tftp: salvage says it encrypts to 2 recipients"
for i in $(seq 30); do [ -s "$srv/vmcore.age.sha256" ] && break; sleep 0.2; done
announced=$(tr -d '\r' <"$T/tftp.serial" | sed -n 's/.*tftp: encrypted to .*, \([0-9]*\) bytes$/\1/p' | head -n 1)
[ -n "$announced" ] && [ "$announced" = "$(stat -c %s "$srv/vmcore.age" 2>/dev/null)" ] &&
	ok "tftp: the file on the server has the announced $announced bytes" ||
	not_ok "tftp: the file on the server has the announced size" "announced '$announced', got $(stat -c %s "$srv/vmcore.age" 2>/dev/null)"
(cd "$srv" && sha256sum -c --status vmcore.age.sha256) && ok "tftp: sha256sum -c vmcore.age.sha256 passes (the ciphertext's digest)" ||
	not_ok "tftp: sha256sum -c vmcore.age.sha256 passes" "$(cat "$srv/vmcore.age.sha256" 2>/dev/null)"
require "$T/tftp.serial" "read back: the server holds the whole dump and this file" "tftp: salvage read the encrypted file's size back"
age_check tftp "$srv/vmcore.age" "$ORACLE" "Linux's /proc/vmcore" 1 2

# Serial: the same recipients; salvage-recv rebuilds the age file and checks its digest.
synthetic_salvage serial 256 300 "elfcorehdr=$ELFCOREHDR $enc dump=serial" "${CPU[@]}"
synthetic_recv serial
age_check serial "$T/serial.vmcore" "$ORACLE" "Linux's /proc/vmcore" 2
cmp -s "$T/serial.vmcore" "$srv/vmcore.age" && not_ok "two dumps of the same state differ" "identical files" ||
	ok "two dumps of the same state differ (TFTP and serial ciphertexts)"
age_no_plaintext plant "$PLANT_DIR" "$srv/vmcore.age" "$T/serial.serial" "$T/serial.vmcore"
python3 - "$PLANT_DIR" "$ORACLE" <<'PY' && ok "(control) the same search finds the planted pages in the unencrypted dump" || not_ok "(control) the search finds planted pages in the unencrypted dump" "it does not"
import json, sys
st = json.load(open(sys.argv[1] + "/manifest.json"))
data = open(sys.argv[2], "rb").read()
b = open([f["file"] for f in st["files"] if "elfcorehdr" not in f["file"]][0], "rb").read()
sys.exit(0 if b[:64] in data else 1)
PY
# Ciphertext does not compress: the frames carry it as literals, at base85's 1.25 characters a byte
# plus each line's own fields (mark, sequence, offset, length, CRC: about 1.42 in all for a 195-character
# line), never more because a match or run was tried.
bytes_sent=$(stat -c %s "$T/serial.vmcore")
chars=$(grep -a '^\$S' "$T/serial.serial" | wc -c)
awk -v c="$chars" -v b="$bytes_sent" 'BEGIN { exit !(c <= b * 1.45) }' &&
	ok "serial: $chars characters of frames for $bytes_sent bytes of ciphertext ($(awk -v c="$chars" -v b="$bytes_sent" 'BEGIN { printf "%.3f", c / b }') a byte, at most 1.45)" ||
	not_ok "serial: the frames carry ciphertext at base85's cost plus their fields" "$chars characters for $bytes_sent bytes"

# TFTP, kdump format: its size is known only at its end, so none is announced.
ccf=$(make -s print-compress-host-cflags) lib=$(make -s print-compress-host-lib)
if make -s compress-host >"$T/kh.log" 2>&1 &&
	gcc -std=gnu11 -O2 -fsanitize=address,undefined -I. -Itests/unit $ccf -o "$T/kdump-host" tests/lib/kdump-host.c dump/kdump.c dump/format.c \
		dump/compress.c dump/crash.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c \
		tests/unit/shim.c $lib >>"$T/kh.log" 2>&1 &&
	"$T/kdump-host" 0 lzo "$ORACLE" "$T/ref.flat" >"$T/kh.run.log" 2>&1; then
	enc_tftp kdump 240 "elfcorehdr=$ELFCOREHDR dump.format=kdump dump.encrypt=${AGE_PUB[1]} dump=tftp://10.0.2.2:$SRV_PORT/k.flat.age" "${CPU[@]}"
	require "$T/kdump.serial" "tftp: encrypted to 1 age recipient .*, size known at the end" "kdump: encrypted, no size announced"
	for i in $(seq 30); do [ -s "$srv/k.flat.age.sha256" ] && break; sleep 0.2; done
	age_check kdump "$srv/k.flat.age" "$T/ref.flat" "the flattened kdump stream of the same state" 1
else
	not_ok "kdump-host builds and runs" "$(tail -n 3 "$T/kh.log" "$T/kh.run.log" 2>/dev/null | tr '\n' ' ')"
fi

# Refusals: nothing may be sent in clear. A malformed recipient skips both targets...
# (its last character changed: Bech32's checksum catches any one changed character)
bad=${AGE_PUB[1]%?}q
[ "$bad" = "${AGE_PUB[1]}" ] && bad=${AGE_PUB[1]%?}p
enc_tftp bad 120 "elfcorehdr=$ELFCOREHDR dump.encrypt=$bad dump=tftp://10.0.2.2:$SRV_PORT/bad.vmcore dump=serial" "${CPU[@]}"
require "$T/bad.serial" "tftp: dump.encrypt=age1.*checksum.*never sent in clear" "bad recipient: the TFTP target is skipped, saying why"
require "$T/bad.serial" "serial: dump.encrypt=age1.*checksum.*never sent in clear" "bad recipient: the next (serial) target runs and is skipped too"
[ ! -e "$srv/bad.vmcore" ] && ok "bad recipient: no file on the server" || not_ok "bad recipient: no file on the server" "bad.vmcore exists"
forbid "$T/bad.serial" '^\$S' "bad recipient: no serial frame"
# ...and so does a CPU without RDRAND (QEMU's default qemu32), where this build has no randomness.
enc_tftp nornd 120 "elfcorehdr=$ELFCOREHDR dump.encrypt=${AGE_PUB[1]} dump=tftp://10.0.2.2:$SRV_PORT/nornd.vmcore dump=serial"
require "$T/nornd.serial" "tftp: no randomness for the file's keys.*never sent in clear" "no RDRAND: the TFTP target is skipped, saying why"
require "$T/nornd.serial" "serial: no randomness for the file's keys.*never sent in clear" "no RDRAND: the next (serial) target runs and is skipped too"
[ ! -e "$srv/nornd.vmcore" ] && ok "no RDRAND: no file on the server" || not_ok "no RDRAND: no file on the server" "nornd.vmcore exists"
forbid "$T/nornd.serial" '^\$S' "no RDRAND: no serial frame"
# TFTP, raw format: the encrypted file against salvage's own clear raw dump of the same state,
# planted at 16 MiB so that the raw image (physical memory from 0) stays small.
synthetic_plant low --variant elf64 --base 0x1000000
enc_tftp rawclear 180 "elfcorehdr=$ELFCOREHDR dump.format=raw dump=tftp://10.0.2.2:$SRV_PORT/raw" "${CPU[@]}"
enc_tftp raw 180 "elfcorehdr=$ELFCOREHDR dump.format=raw dump.encrypt=${AGE_PUB[1]} dump=tftp://10.0.2.2:$SRV_PORT/raw.age" "${CPU[@]}"
for i in $(seq 30); do [ -s "$srv/raw.age.sha256" ] && [ -s "$srv/raw.sha256" ] && break; sleep 0.2; done
if (cd "$srv" && sha256sum -c --status raw.sha256); then
	ok "raw: the clear raw dump arrived ($(stat -c %s "$srv/raw") bytes)"
	age_check raw "$srv/raw.age" "$srv/raw" "salvage's clear raw dump of the same state" 1
else
	not_ok "raw: the clear raw dump arrived" "$(ls -l "$srv" | tr '\n' ' ')"
fi
finish

# Helpers for the tests of encrypted dumps (source after tests/lib/qemu.sh and qemu_init): age
# identities, decryption against a reference, and a search for planted memory in what was sent.

# age_keys N: N identities $T/key<i>.txt (age-keygen) and their recipients in AGE_PUB[1..N].
age_keys() {
	local i
	AGE_PUB=()
	for i in $(seq "$1"); do
		age-keygen -o "$T/key$i.txt" 2>/dev/null || { not_ok "age-keygen" "failed (make deps installs age)"; finish; }
		AGE_PUB[$i]=$(sed -n 's/^# public key: //p' "$T/key$i.txt")
	done
}

# age_check NAME FILE REF WHAT [KEYS...]: FILE is an age file that `age -d` opens with each of the
# identities KEYS (numbers, default 1) to exactly REF's bytes; the identity of a key not asked for
# ($T/key-other.txt, made here) and one flipped byte in each of its header, its first and its last
# chunk make `age -d` fail.
age_check() {
	local name=$1 f=$2 ref=$3 what=$4 k n size; shift 4
	[ -f "$f" ] || { not_ok "$name: age file" "no $f"; return; }
	[ -f "$T/key-other.txt" ] || age-keygen -o "$T/key-other.txt" 2>/dev/null
	head -c 22 "$f" | grep -q '^age-encryption.org/v1$' && ok "$name: an age v1 file ($(stat -c %s "$f") bytes)" ||
		not_ok "$name: an age v1 file" "it starts with $(head -c 22 "$f" | od -An -c | head -n 1)"
	for k in "${@:-1}"; do
		if age -d -i "$T/key$k.txt" "$f" >"$T/$name.dec" 2>"$T/$name.dec.err" && cmp -s "$ref" "$T/$name.dec"; then
			ok "$name: age -d with recipient $k's identity gives $what byte for byte"
		else
			not_ok "$name: age -d with recipient $k's identity gives $what byte for byte" \
				"$(head -c 200 "$T/$name.dec.err") $(cmp "$ref" "$T/$name.dec" 2>&1 | head -n 1)"
		fi
	done
	age -d -i "$T/key-other.txt" "$f" >/dev/null 2>&1 && not_ok "$name: age -d with another identity fails" "it succeeded" ||
		ok "$name: age -d with another identity fails"
	size=$(stat -c %s "$f")
	n=0
	for at in 40 $((size / 2)) $((size - 1)); do
		cp "$f" "$T/$name.flip"
		printf "\\$(printf '%03o' $(( $(od -An -tu1 -j "$at" -N1 "$f") ^ 1 )))" |
			dd of="$T/$name.flip" bs=1 seek="$at" conv=notrunc 2>/dev/null
		age -d -i "$T/key${1:-1}.txt" "$T/$name.flip" >/dev/null 2>&1 || n=$((n + 1))
	done
	[ "$n" = 3 ] && ok "$name: one flipped byte (header, middle, last) makes age -d fail, each time" ||
		not_ok "$name: one flipped byte makes age -d fail" "$((3 - n)) of 3 decrypted"
	rm -f "$T/$name.flip" "$T/$name.dec"
}

# age_no_plaintext NAME PLANT_DIR FILES...: none of the planted memory's non-zero pages (a 64-byte
# piece from the start and one from the middle of each) occurs in any of FILES.
age_no_plaintext() {
	local name=$1 dir=$2 out; shift 2
	if out=$(python3 - "$dir" "$@" <<'PY'
import json, sys
st = json.load(open(sys.argv[1] + "/manifest.json"))
pieces = []
for fi in st["files"]:
    if "elfcorehdr" in fi["file"]:
        continue
    b = open(fi["file"], "rb").read()
    for o in range(0, len(b) - 4095, 4096):
        p = b[o:o + 4096]
        if p.count(0) < 4000:
            pieces += [p[:64], p[2048:2112]]
hits = 0
for f in sys.argv[2:]:
    data = open(f, "rb").read()
    hits += sum(1 for p in pieces if p in data)
print(len(pieces) // 2, hits)
sys.exit(1 if hits or not pieces else 0)
PY
	); then
		ok "$name: none of the ${out% *} planted pages occurs in what was sent ($(for f in "$@"; do basename "$f"; done | tr '\n' ' '))"
	else
		not_ok "$name: none of the planted pages occurs in what was sent" "pages, pieces found: $out"
	fi
}

#!/bin/bash
# salvage-load's encryption options (dry runs against a fake /sys/kernel): --encrypt-to and
# --recipients-file (age's syntax: one a line, '#' comments, blank lines, CRLF) become dump.encrypt=
# words; a malformed recipient, wherever it comes from (--encrypt-to, a file, --append), an SSH key,
# more than 8 recipients or a missing file are refused before anything is loaded, with the reason
# (salvage-recipients: the kernel's own Bech32 parser built for the host).
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init salvage-load-recipients
. tests/lib/age-check.sh
LOAD=tools/salvage-load
[ -x build/salvage-recipients ] && [ -f build/salvage.elf ] || { not_ok "build" "run make first"; finish; }
age_keys 9
S=$T/sys
mkdir -p "$S/kernel"
echo $((8 << 20)) >"$S/kernel/kexec_crash_size"
export SALVAGE_SYSFS=$S
# A kexec that records that it ran: a refused load must never reach it.
printf '#!/bin/sh\necho ran >>"%s"\n' "$T/kexec.ran" >"$T/kexec"
chmod +x "$T/kexec"
printf '# the team\r\n\r\n%s\r\n# old key, removed\n\n%s\n' "${AGE_PUB[2]}" "${AGE_PUB[3]}" >"$T/recipients.txt"

out=$(sh "$LOAD" -n --image build/salvage.elf --kexec /bin/true --dump serial --encrypt-to "${AGE_PUB[1]}" \
	--recipients-file "$T/recipients.txt" 2>&1)
want="'/bin/true' '-p' '--type' 'elf-x86' '--args-linux' 'build/salvage.elf' '--append=dump=serial dump.encrypt=${AGE_PUB[1]} dump.encrypt=${AGE_PUB[2]} dump.encrypt=${AGE_PUB[3]}' '--initrd=/proc/self/fd/9' "
[ "$out" = "$want" ] && ok "--encrypt-to and --recipients-file (comments, blank lines, CRLF) give three dump.encrypt= words" ||
	not_ok "--encrypt-to and --recipients-file give dump.encrypt= words" "got: $out"
out=$(sh "$LOAD" -n --image build/salvage.elf --kexec /bin/true --append "dump.encrypt=${AGE_PUB[1]} dump.level=1" \
	--encrypt-to="${AGE_PUB[1]}" 2>&1)
want="'/bin/true' '-p' '--type' 'elf-x86' '--args-linux' 'build/salvage.elf' '--append=dump.encrypt=${AGE_PUB[1]} dump.level=1' '--initrd=/proc/self/fd/9' "
[ "$out" = "$want" ] && ok "a recipient given twice (--append and --encrypt-to=) is passed once" ||
	not_ok "a recipient given twice is passed once" "got: $out"

# A crash reservation above 0x38000000, where kexec-tools' elf path cannot put its initrd (the seed):
# without --type salvage-load loads the bzImage with kexec_file_load instead, and says so; below it,
# the elf path as before; with --type elf it refuses before anything runs.
printf '00100000-7ffdffff : System RAM\n  77000000-7effffff : Crash kernel\n' >"$T/iomem-high"
printf '00100000-1ffdffff : System RAM\n  17000000-1effffff : Crash kernel\n' >"$T/iomem-low"
out=$(SALVAGE_IOMEM=$T/iomem-high sh "$LOAD" -n --kexec /bin/true --dump serial --encrypt-to "${AGE_PUB[1]}" 2>&1)
echo "$out" | grep -q "crash reservation (77000000-7effffff) is above 0x38000000.*loading with --type bzimage" &&
	echo "$out" | grep -qE "^'/bin/true' '-s' '-p' '[^']*salvage[^']*\.bzImage' '--append=dump=serial dump.encrypt=${AGE_PUB[1]}' '--initrd=/proc/self/fd/9' $" &&
	ok "a reservation above 0x38000000: the seed goes with kexec_file_load's bzImage path, and salvage-load says why" ||
	not_ok "a reservation above 0x38000000 loads the bzImage" "got: $out"
out=$(SALVAGE_IOMEM=$T/iomem-low sh "$LOAD" -n --image build/salvage.elf --kexec /bin/true --dump serial --encrypt-to "${AGE_PUB[1]}" 2>&1)
echo "$out" | grep -q "'--type' 'elf-x86'" && ok "a reservation below 0x38000000: the elf path" ||
	not_ok "a reservation below 0x38000000: the elf path" "got: $out"
rm -f "$T/kexec.ran"
if out=$(SALVAGE_IOMEM=$T/iomem-high sh "$LOAD" --type elf --image build/salvage.elf --kexec "$T/kexec" --dump serial \
	--encrypt-to "${AGE_PUB[1]}" 2>&1); then
	not_ok "--type elf with a reservation above 0x38000000 is refused" "salvage-load succeeded"
else
	echo "$out" | grep -q "elf path cannot take the seed of dump.encrypt=.*77000000-7effffff" && [ ! -e "$T/kexec.ran" ] &&
		ok "--type elf with a reservation above 0x38000000 is refused before kexec runs, with the way out" ||
		not_ok "--type elf with a reservation above 0x38000000 is refused" "got: $out"
fi

# refused RE WHAT ARGS...: salvage-load fails saying RE, and kexec never ran.
refused() {
	local re=$1 what=$2 out; shift 2
	rm -f "$T/kexec.ran"
	if out=$(sh "$LOAD" --image build/salvage.elf --kexec "$T/kexec" --dump serial "$@" 2>&1); then
		not_ok "$what" "salvage-load succeeded"
	elif ! echo "$out" | grep -qE -- "$re"; then
		not_ok "$what" "message was: $(echo "$out" | head -n 3 | tr '\n' ' ')"
	elif [ -e "$T/kexec.ran" ]; then
		not_ok "$what" "kexec ran"
	else
		ok "$what: $(echo "$out" | head -n 1 | cut -c1-160)"
	fi
}
bad=${AGE_PUB[1]%?}$( [ "${AGE_PUB[1]: -1}" = q ] && echo p || echo q )
refused "'$bad' is not an age recipient: bad Bech32 checksum" "a mistyped --encrypt-to is refused before loading" \
	--encrypt-to "$bad"
printf '%s\n%s\n' "${AGE_PUB[1]}" "${AGE_PUB[2]:0:40}" >"$T/bad.txt"
refused "bad.txt:2: .* is not an age recipient" "a truncated line in a recipients file is refused, naming the line" \
	--recipients-file "$T/bad.txt"
printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ user@host\n' >"$T/ssh.txt"
refused "SSH key" "an SSH key is refused: age X25519 recipients only" --recipients-file "$T/ssh.txt"
refused "'age1x' is not an age recipient" "a malformed dump.encrypt= word of --append is refused too" \
	--append "dump.encrypt=age1x"
secret=$(grep '^AGE-SECRET-KEY' "$T/key1.txt")
refused "not shown.*secret identity" "a secret key given as a recipient is refused" --encrypt-to "$secret"
sh "$LOAD" --image build/salvage.elf --kexec "$T/kexec" --encrypt-to "$secret" 2>&1 | grep -q "${secret#AGE-SECRET-KEY-}" &&
	not_ok "the secret key is not echoed" "it is in the message" || ok "the secret key is not echoed"
args=()
for i in $(seq 9); do args+=(--encrypt-to "${AGE_PUB[$i]}"); done
refused "more than 8 recipients" "a ninth recipient is refused" "${args[@]}"
refused "nonexistent.txt: cannot open" "a missing recipients file is refused" --recipients-file "$T/nonexistent.txt"
finish

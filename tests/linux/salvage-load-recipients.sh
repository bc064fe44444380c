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

# Helpers for the TFTP QEMU tests (source after tests/lib/qemu.sh, qemu_init and tests/lib/synthetic.sh):
# start tftpd-hpa or atftpd on a free loopback port (the guest reaches it as 10.0.2.2 through QEMU's
# user network), put the lossy relay in front, boot salvage with a NIC, and check what arrived.

# tftp_dir NAME: a fresh world-writable server directory $T/NAME (printed).
tftp_dir() {
	mkdir -p "$T/$1"
	chmod 777 "$T/$1"
	echo "$T/$1"
}

# udp_wait_bound PORT: wait (up to 10 s) until something on this host is bound to UDP PORT. A request
# to a port nobody holds yet is answered with ICMP port unreachable, which ends salvage's TFTP target
# at once: a server or relay must be listening before the guest boots.
udp_wait_bound() {
	local i hex
	hex=$(printf %04X "$1")
	for i in $(seq 100); do
		awk 'NR > 1 { print $2 }' /proc/net/udp | grep -qi ":$hex\$" && return 0
		sleep 0.1
	done
	return 1
}

# tftp_hpa DIR [extra in.tftpd options]: start tftpd-hpa serving DIR (files may be created); sets
# SRV_PORT. Stopped at exit.
tftp_hpa() {
	local dir=$1 pid; shift
	SRV_PORT=$(free_port udp)
	/usr/sbin/in.tftpd -L -s -u root -a "127.0.0.1:$SRV_PORT" "$@" "$dir" >"$T/hpa-$SRV_PORT.log" 2>&1 &
	pid=$!
	at_exit "kill $pid"
	udp_wait_bound "$SRV_PORT" && kill -0 "$pid" 2>/dev/null ||
		{ not_ok "tftpd-hpa" "did not start: $(cat "$T/hpa-$SRV_PORT.log")"; finish; }
}

# tftp_atftpd DIR: start atftpd (unpacked from its .deb, tests/lib/atftpd.sh) serving DIR; sets SRV_PORT.
tftp_atftpd() {
	local dir=$1 bin pid
	bin=$(sh tests/lib/atftpd.sh 2>"$T/atftpd-get.log") ||
		{ not_ok "atftpd" "cannot unpack atftpd: $(tail -n 3 "$T/atftpd-get.log" | tr '\n' ' ')"; finish; }
	SRV_PORT=$(free_port udp)
	"$bin" --daemon --no-fork --user root --group root --bind-address 127.0.0.1 --port "$SRV_PORT" \
		--logfile "$T/atftpd-$SRV_PORT.log" "$dir" >/dev/null 2>&1 &
	pid=$!
	at_exit "kill $pid"
	udp_wait_bound "$SRV_PORT" && kill -0 "$pid" 2>/dev/null ||
		{ not_ok "atftpd" "did not start: $(cat "$T/atftpd-$SRV_PORT.log")"; finish; }
}

# tftp_relay SERVER_PORT DROP DUP REORDER SEED: the lossy relay (tests/lib/udp-relay.py) in front of
# SERVER_PORT; sets RELAY_PORT and RELAY_STATS (its counts, written when it stops).
tftp_relay() {
	local pid
	RELAY_PORT=$(free_port udp)
	RELAY_STATS=$T/relay-$RELAY_PORT.json
	python3 tests/lib/udp-relay.py --listen "$RELAY_PORT" --server "$1" --drop "$2" --dup "$3" \
		--reorder "$4" --seed "$5" --stats "$RELAY_STATS" &
	pid=$!
	RELAY_PID=$pid
	at_exit "kill $pid"
	udp_wait_bound "$RELAY_PORT" || { not_ok "relay" "not listening on $RELAY_PORT after 10 s"; finish; }
}

# tftp_relay_stop: stop the relay so it writes RELAY_STATS; prints a one-line summary.
tftp_relay_stop() {
	local i
	kill "$RELAY_PID" 2>/dev/null
	# (may run in a $(...) subshell, where wait cannot reap it: poll for the file instead)
	for i in $(seq 20); do [ -s "$RELAY_STATS" ] && break; sleep 0.1; done
	[ -f "$RELAY_STATS" ] && python3 -c 'import json,sys; s=json.load(open(sys.argv[1]));
print(" ".join("%s: %d in, %d dropped, %d duplicated, %d delayed" % (d, v["in"], v["dropped"], v["duplicated"], v["delayed"]) for d, v in s.items()))' "$RELAY_STATS"
}

# tftp_salvage NAME NIC SECONDS APPEND: boot salvage on the current plant with NIC (e1000 or
# virtio-net-pci) on QEMU's user network; console in $T/NAME.serial.
tftp_salvage() {
	local name=$1 nic=$2 secs=$3 append=$4
	synthetic_salvage "$name" 256 "$secs" "$append" -netdev user,id=n0 -device "$nic,netdev=n0"
}

# tftp_rate NAME: the MB/s of salvage's TFTP summary line in $T/NAME.serial (empty when none).
tftp_rate() {
	tr -d '\r' <"$T/$1.serial" | sed -n 's/^salvage: tftp: sent .* (\([0-9.]*\) MB\/s).*/\1/p' | head -n 1
}

# tftp_check NAME DIR FILE REF: FILE arrived in DIR byte for byte equal to REF, and FILE.sha256
# passes `sha256sum -c` there.
tftp_check() {
	local name=$1 dir=$2 file=$3 ref=$4 i
	# tftpd-hpa writes each block behind its ACK, the last one after the final ACK: give the server a
	# moment to finish writing once salvage is done.
	for i in $(seq 30); do
		cmp -s "$ref" "$dir/$file" 2>/dev/null && [ -s "$dir/$file.sha256" ] &&
			tail -c 1 "$dir/$file.sha256" | od -An -c | grep -q '\\n' && break
		sleep 0.2
	done
	if [ -f "$dir/$file" ] && cmp -s "$ref" "$dir/$file"; then
		ok "$name: $file arrived byte for byte equal to Linux's /proc/vmcore ($(stat -c %s "$dir/$file") bytes)"
	else
		not_ok "$name: $file arrived byte for byte equal to Linux's /proc/vmcore" \
			"$( [ -f "$dir/$file" ] && cmp "$ref" "$dir/$file" 2>&1 | head -n 1 || echo "no $file in $dir")"
		[ -f "$dir/$file" ] && python3 "$PLANT" diff "$ref" "$dir/$file" | head -n 12 | sed 's/^/#   /'
	fi
	if [ -f "$dir/$file.sha256" ] && (cd "$(dirname "$dir/$file")" && sha256sum -c --status "$(basename "$file").sha256"); then
		ok "$name: sha256sum -c $file.sha256 passes"
	else
		not_ok "$name: sha256sum -c $file.sha256 passes" \
			"$( [ -f "$dir/$file.sha256" ] && cat "$dir/$file.sha256" || echo "no $file.sha256")"
	fi
}

#!/bin/bash
# salvage-load --ip auto without a VM: in a network namespace set up with the real ip command
# (bridges as interfaces: they have a MAC and take addresses), its dry run writes the ip= and
# salvage.nic= words of the interface that routes to the TFTP server (on-link: no gateway; behind a
# gateway: the route's), is the default with a tftp:// target, and stops with a clear message when
# there is no route, the interface has no IPv4 address, the gateway is outside its subnet, the server
# is this machine, or there is no TFTP target. --ip dhcp, an explicit --ip and an ip= in --append
# still win. The two-NIC real crash is tests/linux/crash-nic-choice.sh.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init salvage-load-ipauto
LOAD=$QEMU_TOP/tools/salvage-load
[ -f build/salvage.elf ] || { not_ok "build" "run make first"; finish; }
[ "$(id -u)" = 0 ] || { not_ok "root" "network namespaces need root"; finish; }

NS=salvage-ipauto-$$
ip netns add "$NS" || { not_ok "ip netns add" "cannot create a network namespace"; finish; }
at_exit "ip netns del $NS"
nsip() { ip -n "$NS" "$@" || not_ok "ip -n $NS $*" "failed"; }
nsip link set lo up
nsip link add br0 type bridge
nsip link add br1 type bridge
nsip link set br0 address 52:54:00:5a:17:c3
nsip link set br0 up
nsip link set br1 up
nsip addr add 10.9.0.5/24 dev br0
nsip route add default via 10.9.0.1
nsip route add 10.8.0.0/24 dev br1		# an interface without an address of its own
nsip route add unreachable 10.7.0.0/24
nsip route add 10.5.0.0/24 via 172.16.0.1 dev br0 onlink

# The fake /sys salvage-load reads the reservation from; class/ is the namespace's own (ip netns
# exec mounts a sysfs of the namespace on /sys).
S=$T/sys
mkdir -p "$S/kernel"
echo $((8 << 20)) >"$S/kernel/kexec_crash_size"
ln -s /sys/class "$S/class"
load() { ip netns exec "$NS" env SALVAGE_SYSFS="$S" sh "$LOAD" -n --image build/salvage.elf --kexec /bin/true "$@"; }

# expect_words WHAT WORDS ARGS...: the dry run's --append= is exactly WORDS.
expect_words() {
	local what=$1 want=$2 out; shift 2
	out=$(load "$@" 2>"$T/err")
	if [ "$out" = "'/bin/true' '-p' '--type' 'elf-x86' '--args-linux' 'build/salvage.elf' '--append=$want' " ]; then
		ok "$what"
	else
		not_ok "$what" "got: $out $(head -n 2 "$T/err" | tr '\n' ' ')"
	fi
}

# expect_error WHAT REGEX ARGS...: salvage-load fails and says REGEX.
expect_error() {
	local what=$1 re=$2 out; shift 2
	if out=$(load "$@" 2>&1); then
		not_ok "$what" "salvage-load succeeded: $out"
	elif echo "$out" | tr '\n' ' ' | grep -qE -- "$re"; then
		ok "$what"
	else
		not_ok "$what" "message was: $(echo "$out" | head -n 3 | tr '\n' ' ')"
	fi
}

MAC=52:54:00:5a:17:c3
expect_words "--ip auto (default with tftp://): server on-link, no gateway" \
	"dump=tftp://10.9.0.7:69/x ip=10.9.0.5:10.9.0.7::255.255.255.0::br0:off salvage.nic=$MAC" \
	--dump tftp://10.9.0.7:69/x
expect_words "--ip auto: server behind the default gateway" \
	"dump=tftp://10.20.0.1/x dump=serial ip=10.9.0.5:10.20.0.1:10.9.0.1:255.255.255.0::br0:off salvage.nic=$MAC" \
	--dump tftp://10.20.0.1/x --dump serial --ip auto
nsip addr add 10.9.0.6/24 dev br0
nsip addr add 192.168.40.9/21 dev br0
expect_words "--ip auto: the prefix of the route's source address (/21, a second address on the NIC)" \
	"dump=tftp://192.168.44.1/x ip=192.168.40.9:192.168.44.1::255.255.248.0::br0:off salvage.nic=$MAC" \
	--dump tftp://192.168.44.1/x
load -v --dump tftp://10.9.0.7/x >/dev/null 2>"$T/v.err"
require "$T/v.err" 'salvage-load: --ip auto: 10\.9\.0\.7 through br0 \(52:54:00:5a:17:c3\), address 10\.9\.0\.5/24, on-link: no gateway' \
	"--ip auto -v: says what it found"
require "$T/v.err" 'warning: br0 is not a NIC itself' "--ip auto: warns that a bridge is no NIC salvage can drive"
expect_words "--ip dhcp still works" "dump=tftp://10.9.0.7/x ip=dhcp" --dump tftp://10.9.0.7/x --ip dhcp
expect_words "an explicit --ip is passed as given" "dump=tftp://10.9.0.7/x ip=10.1.1.2:10.9.0.7:10.1.1.1:255.255.255.0" \
	--ip 10.1.1.2:10.9.0.7:10.1.1.1:255.255.255.0 --dump tftp://10.9.0.7/x
expect_words "an ip= word in --append turns the default off" "dump=tftp://10.9.0.7/x ip=10.1.1.2" \
	--dump tftp://10.9.0.7/x --append ip=10.1.1.2
expect_words "no TFTP target: no ip= word" "dump=serial" --dump serial

expect_error "--ip auto: no route: says so and what to give instead" \
	"no route to the TFTP server 10\.7\.0\.3 .*--ip CLIENT:10\.7\.0\.3:GATEWAY:NETMASK, or --ip dhcp" --dump tftp://10.7.0.3/x
expect_error "--ip auto: the routing interface has no IPv4 address" \
	"br1, the interface routing to 10\.8\.0\.3, has no IPv4 address" --dump tftp://10.8.0.3/x
expect_error "--ip auto: a gateway outside the interface's subnet" \
	"the gateway 172\.16\.0\.1 to 10\.5\.0\.1 is outside 10\.9\.0\.5/24 on br0" --dump tftp://10.5.0.1/x
expect_error "--ip auto: the server is this machine" "10\.9\.0\.5 is an address of this machine" --dump tftp://10.9.0.5/x
expect_error "--ip auto without a tftp:// target" "--ip auto needs a --dump tftp:// target" --dump serial --ip auto
nsip route del default
expect_error "--ip auto: no default route" "no route to the TFTP server 10\.20\.0\.1 \(.*unreachable" --dump tftp://10.20.0.1/x
finish

#!/bin/sh
# Build build/salvage_<version>_<arch>.deb with dpkg-deb from `make install` into a staging root
# (PREFIX=/usr, the unit and udev rule under /lib as Debian 12 puts them): stripped images and tools,
# compressed man pages and changelog, a copyright file that carries the copyright files of the
# Debian source packages built into the kernel, /etc/salvage.conf as a conffile, md5sums, and the
# lintian overrides (each with its reason). Run by `make deb` after `make all`.
# Environment: B (build dir), MAKE, CROSS, DEB_MAINTAINER ("Name <address>" for the Maintainer field
# and the changelog; the default has no mail domain, which the lintian overrides explain).
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
MAKE=${MAKE:-make}
VERSION=$(cat VERSION)
ARCH=$(dpkg --print-architecture)
ROOT=$B/deb/root
OUT=$B/salvage_${VERSION}_$ARCH.deb
CROSS=${CROSS:-i686-linux-gnu-}
MAINT=${DEB_MAINTAINER:-salvage maintainers <salvage@localhost.localdomain>}

rm -rf "$B/deb"
mkdir -p "$ROOT/DEBIAN"
$MAKE --no-print-directory -s install DESTDIR="$ROOT" PREFIX=/usr SYSCONFDIR=/etc \
	SYSTEMDDIR=/lib/systemd/system UDEVDIR=/lib/udev/rules.d MANDIR=/usr/share/man >/dev/null

# The kernel images lose their symbols and debug sections only: the loaded bytes stay the same but for the
# section-header fields of the ELF header (loaded with the first segment, never read by salvage).
# The host tools are stripped as Debian's policy asks.
for f in "$ROOT"/usr/lib/salvage/*.elf; do "${CROSS}strip" --strip-unneeded --remove-section=.comment "$f"; done
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$ROOT/usr/sbin/salvage-mkcorehdr" \
	"$ROOT/usr/sbin/salvage-recipients" "$ROOT/usr/bin/salvage-recv"
find "$ROOT/usr/share/man" -type f -exec gzip -9n {} +

DOC=$ROOT/usr/share/doc/salvage
mkdir -p "$DOC" "$ROOT/usr/share/lintian/overrides"
sed "s|@MAINTAINER@|$MAINT|" pkg/debian/changelog | gzip -9n >"$DOC/changelog.gz"
srcver() { cat "$B/$1/VERSION"; }
{
	sed -e "s/@LWIP_VERSION@/$(srcver lwip)/" -e "s/@LZO_VERSION@/$(srcver lzo2)/" \
		-e "s/@ZLIB_VERSION@/$(srcver zlib)/" -e "s/@BEARSSL_VERSION@/$(srcver bearssl)/" pkg/debian/copyright.in
	for p in lwip lzo2 zlib bearssl; do
		printf '\n\n===== the copyright file of Debian source package %s %s =====\n\n' "$p" "$(srcver $p)"
		cat "$B/$p/$p-"*/debian/copyright
	done
} >"$DOC/copyright"
install -m 0644 pkg/debian/lintian-overrides "$ROOT/usr/share/lintian/overrides/salvage"

# Depends: what the host tools link (dpkg-shlibdeps wants a debian/control beside it).
mkdir -p "$B/deb/src/debian"
printf 'Source: salvage\n\nPackage: salvage\nArchitecture: any\n' >"$B/deb/src/debian/control"
shlibs=$(cd "$B/deb/src" && dpkg-shlibdeps -O "$OLDPWD/$ROOT/usr/sbin/salvage-mkcorehdr" \
	"$OLDPWD/$ROOT/usr/sbin/salvage-recipients" "$OLDPWD/$ROOT/usr/bin/salvage-recv" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

size=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size/" -e "s/@SHLIBS@/$shlibs/" -e "s|@MAINTAINER@|$MAINT|" \
	pkg/debian/control.in >"$ROOT/DEBIAN/control"
echo /etc/salvage.conf >"$ROOT/DEBIAN/conffiles"
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort |
	xargs md5sum) >"$ROOT/DEBIAN/md5sums"
chmod 0644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/conffiles" "$ROOT/DEBIAN/md5sums"
find "$ROOT" -type d -exec chmod 0755 {} +
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$OUT" >/dev/null
echo "mkdeb: $OUT ($(stat -c %s "$OUT") bytes)"

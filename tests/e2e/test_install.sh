#!/usr/bin/env bash
# make install into a DESTDIR: the exact tree with its modes, the packaged
# config (data_dir = /var/lib/lawtally) that the daemon accepts, man pages
# that groff renders without a warning, both units (the daemon's and the
# village agent's) with the binaries' paths under PREFIX, which
# systemd-analyze verify accepts (binaries and man pages found in the
# DESTDIR), and the spool directory the agent shares with its group.
. "$(dirname "$0")/lib.sh"

ROOTDIR=$T/root
# -o: install what the test run built, never rebuild it here
make -s -C "$ROOT" BUILD="$BUILD" -o "$BUILD/lawtallyd" -o "$BUILD/lawtally" \
	DESTDIR="$ROOTDIR" install >"$T/install.out" 2>&1 || fail "make install: $(tail -3 "$T/install.out")"

(cd "$ROOTDIR" && find . -mindepth 1 -printf '%M %p\n' | sort -k2) >"$T/tree"
cat >"$T/expected" <<'TREE'
drwxr-xr-x ./etc
drwxr-xr-x ./etc/lawtally
-rw-r--r-- ./etc/lawtally/lawtallyd.conf
drwxr-xr-x ./usr
drwxr-xr-x ./usr/local
drwxr-xr-x ./usr/local/bin
-rwxr-xr-x ./usr/local/bin/lawtally
drwxr-xr-x ./usr/local/lib
drwxr-xr-x ./usr/local/lib/systemd
drwxr-xr-x ./usr/local/lib/systemd/system
-rw-r--r-- ./usr/local/lib/systemd/system/lawtally-agent.service
-rw-r--r-- ./usr/local/lib/systemd/system/lawtallyd.service
drwxr-xr-x ./usr/local/sbin
-rwxr-xr-x ./usr/local/sbin/lawtallyd
drwxr-xr-x ./usr/local/share
drwxr-xr-x ./usr/local/share/locale
drwxr-xr-x ./usr/local/share/locale/zh_CN
drwxr-xr-x ./usr/local/share/locale/zh_CN/LC_MESSAGES
-rw-r--r-- ./usr/local/share/locale/zh_CN/LC_MESSAGES/lawtally.mo
drwxr-xr-x ./usr/local/share/man
drwxr-xr-x ./usr/local/share/man/man1
-rw-r--r-- ./usr/local/share/man/man1/lawtally.1
drwxr-xr-x ./usr/local/share/man/man5
-rw-r--r-- ./usr/local/share/man/man5/lawtallyd.conf.5
drwxr-xr-x ./usr/local/share/man/man8
-rw-r--r-- ./usr/local/share/man/man8/lawtallyd.8
drwxr-xr-x ./var
drwxr-xr-x ./var/lib
drwxrws--- ./var/lib/lawtally-spool
TREE
diff -u "$T/expected" "$T/tree" >&2 || fail "installed tree differs (above)"
cmp -s "$BUILD/lawtallyd" "$ROOTDIR/usr/local/sbin/lawtallyd" || fail "lawtallyd not the built one"

# the installed lawtally finds its catalogue beside it (PREFIX/share/locale)
assert_eq "lawtally totals: --year abc：不是 1970 至 9999 之间的年份" \
	"$(env -u LANG LC_ALL=C.UTF-8 LANGUAGE=zh_CN "$ROOTDIR/usr/local/bin/lawtally" totals --year abc 2>&1)" \
	"the installed lawtally in Chinese"

# the packaged config differs from the example in data_dir alone, and checks
diff "$ROOT/config/lawtallyd.conf" "$ROOTDIR/etc/lawtally/lawtallyd.conf" >"$T/conf.diff" || true
assert_eq "$(printf '%s\n' 18c18 '< data_dir = ./var/lawtally' --- '> data_dir = /var/lib/lawtally')" \
	"$(sed 's/^[0-9]*c[0-9]*$/18c18/' "$T/conf.diff")" "packaged config vs example"
"$ROOTDIR/usr/local/sbin/lawtallyd" --check-config -c "$ROOTDIR/etc/lawtally/lawtallyd.conf" 2>/dev/null |
	grep -qx "data_dir = /var/lib/lawtally" || fail "packaged config does not check"

# a second install keeps the operator's config
echo "# edited" >>"$ROOTDIR/etc/lawtally/lawtallyd.conf"
make -s -C "$ROOT" BUILD="$BUILD" -o "$BUILD/lawtallyd" -o "$BUILD/lawtally" \
	DESTDIR="$ROOTDIR" install >"$T/install2.out" 2>&1 || fail "second make install"
tail -n 1 "$ROOTDIR/etc/lawtally/lawtallyd.conf" | grep -qx "# edited" || fail "install overwrote the config"
grep -q "keeping the existing" "$T/install2.out" || fail "no note about the kept config"

# the unit points at the installed daemon and config
unit=$ROOTDIR/usr/local/lib/systemd/system/lawtallyd.service
grep -qx "ExecStart=/usr/local/sbin/lawtallyd -c /etc/lawtally/lawtallyd.conf" "$unit" ||
	fail "ExecStart: $(grep ^ExecStart= "$unit")"
# PREFIX moves the binaries, the unit follows
make -s -C "$ROOT" BUILD="$BUILD" -o "$BUILD/lawtallyd" -o "$BUILD/lawtally" PREFIX=/usr \
	DESTDIR="$T/root-usr" install >/dev/null 2>&1 || fail "make install PREFIX=/usr"
grep -qx "ExecStart=/usr/sbin/lawtallyd -c /etc/lawtally/lawtallyd.conf" \
	"$T/root-usr/usr/lib/systemd/system/lawtallyd.service" || fail "PREFIX=/usr unit"
agent_unit=$T/root-usr/usr/lib/systemd/system/lawtally-agent.service
grep -qx "ExecStart=/usr/bin/lawtally agent" "$agent_unit" ||
	fail "PREFIX=/usr agent unit: $(grep ^ExecStart= "$agent_unit")"
! grep -q "/usr/local" "$agent_unit" "$T/root-usr/usr/lib/systemd/system/lawtallyd.service" ||
	fail "PREFIX=/usr units still name /usr/local: $(grep -h /usr/local "$agent_unit")"
# the agent's unit is hardened as the daemon's: every hardening setting of
# lawtallyd.service but those of its identity and data is in it too
for k in $(sed -n '/^# Hardening/,/^\[Install\]/s/=.*//p' "$ROOT/systemd/lawtallyd.service" |
	grep -v '^#' | grep -v '^\[' | sort -u); do
	grep -q "^$k=" "$ROOT/systemd/lawtally-agent.service" || fail "the agent's unit lacks $k="
done

# man pages: no groff warnings (-k: through preconv, as man(1) reads the UTF-8 of lawtally(1))
for m in man1/lawtally.1 man5/lawtallyd.conf.5 man8/lawtallyd.8; do
	out=$(LC_ALL=C.UTF-8 groff -k -man -ww -z -Tutf8 "$ROOTDIR/usr/local/share/man/$m" 2>&1)
	[ -z "$out" ] || fail "$m: $out"
done

# systemd-analyze verify on a copy of the installed unit whose commands
# run the DESTDIR's binary (verify checks that they are executable); the
# man pages of Documentation= are looked up in the DESTDIR too
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (make deps installs systemd)"
mkdir "$T/unit"
sed "s|/usr/local/sbin/lawtallyd|$ROOTDIR/usr/local/sbin/lawtallyd|g" "$unit" >"$T/unit/lawtallyd.service"
grep -q "^ExecStart=$ROOTDIR/usr/local/sbin/lawtallyd " "$T/unit/lawtallyd.service" || fail "unit copy"
sed "s|/usr/local/bin/lawtally|$ROOTDIR/usr/local/bin/lawtally|g" \
	"$ROOTDIR/usr/local/lib/systemd/system/lawtally-agent.service" >"$T/unit/lawtally-agent.service"
grep -qx "ExecStart=$ROOTDIR/usr/local/bin/lawtally agent" "$T/unit/lawtally-agent.service" ||
	fail "agent unit copy"
out=$(MANPATH="$ROOTDIR/usr/local/share/man" SYSTEMD_LOG_LEVEL=warning systemd-analyze verify \
	"$T/unit/lawtally-agent.service" 2>&1) || fail "systemd-analyze verify of the agent's unit: $out"
[ -z "$out" ] || fail "systemd-analyze verify of the agent's unit says: $out"
verify() { MANPATH="$ROOTDIR/usr/local/share/man" systemd-analyze verify "$T/unit/lawtallyd.service" 2>&1; }
out=$(verify) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify says: $out"
# and it notices a missing binary or man page, so the check above means something
mv "$ROOTDIR/usr/local/share/man/man8/lawtallyd.8" "$T/"
out=$(verify) && fail "verify passes without lawtallyd(8)"
grep -q "lawtallyd(8)" <<<"$out" || fail "verify without the man page: $out"
mv "$T/lawtallyd.8" "$ROOTDIR/usr/local/share/man/man8/"
rm "$ROOTDIR/usr/local/sbin/lawtallyd"
out=$(verify) && fail "verify passes without the binary"
grep -q "is not executable" <<<"$out" || fail "verify without the binary: $out"

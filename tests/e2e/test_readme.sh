#!/usr/bin/env bash
# The README's commands run as written on a fresh clone and print what it
# says: every ```sh block marked "<!-- test_readme: run -->" is run, one
# command at a time, in one shell (exports carry on), against a daemon of
# this test's own; each line "#   TEXT" under a command is a line its output
# must hold (runs of blanks count as one). Only the daemon's addresses
# (LAWTALLY_INGEST, LAWTALLY_QUERY, 127.0.0.1:8570), the spool's place and
# the clone's root change, so that parallel runs do not meet.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log"
start_daemon
export LAWTALLY_INGEST=$INGEST LAWTALLY_QUERY=$QUERY
mkdir -p "$T/work" "$T/cmds"

/usr/bin/python3 - "$ROOT/README.md" "$T/cmds" "$BUILD" "$ROOT" "$HTTP" "$T/spool" <<'PY'
import os, re, sys
readme, out, build, root, http, spool = sys.argv[1:7]
lines = open(readme, encoding="utf-8").read().split("\n")
def local(text):
    text = re.sub(r"(?<![\w/$])build/lawtally", build + "/lawtally", text)
    text = re.sub(r"(?<![\w/$])tests/", root + "/tests/", text)
    text = text.replace("127.0.0.1:8570", http)
    return text.replace("/var/lib/lawtally-spool", spool)
n, i = 0, 0
while i < len(lines):
    if lines[i].strip() != "<!-- test_readme: run -->":
        i += 1
        continue
    i += 1
    assert lines[i].startswith("```sh"), "a marked block must be ```sh"
    i += 1
    cmd, expect, heredoc = [], [], None
    def flush():
        global n
        if not cmd:
            return
        n += 1
        with open(os.path.join(out, "%03d.sh" % n), "w", encoding="utf-8") as f:
            f.write(local("\n".join(cmd)) + "\n")
        with open(os.path.join(out, "%03d.expect" % n), "w", encoding="utf-8") as f:
            f.write("".join(local(e) + "\n" for e in expect))
        with open(os.path.join(out, "%03d.text" % n), "w", encoding="utf-8") as f:
            f.write(cmd[0] + "\n")
        cmd.clear()
        expect.clear()
    while not lines[i].startswith("```"):
        l = lines[i]
        i += 1
        if heredoc:
            cmd.append(l)
            if l == heredoc:
                heredoc = None
            continue
        if l.startswith("#   "):
            expect.append(l[4:])
            continue
        if not l.strip() or l.startswith("#"):
            continue
        if cmd and not cmd[-1].endswith("\\"):
            flush()
        cmd.append(l)
        m = re.search(r"<<'?(\w+)'?", l)
        if m:
            heredoc = m.group(1)
    flush()
PY

squeeze() { tr -s ' \t' '  '; }
ran=0
cd "$T/work"
for c in "$T"/cmds/*.sh; do
	base=${c%.sh}
	if ! . "$c" >"$base.out" 2>&1; then
		fail "README: \`$(cat "$base.text")\` failed: $(tail -n 3 "$base.out")"
	fi
	while IFS= read -r want; do
		want=$(printf '%s' "$want" | squeeze)
		squeeze <"$base.out" | grep -qF -- "$want" ||
			fail "README: \`$(cat "$base.text")\` does not print \"$want\"; it printed: $(cat "$base.out")"
	done <"$base.expect"
	ran=$((ran + 1))
done
[ "$ran" -ge 20 ] || fail "only $ran README commands found"
cd "$ROOT"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"

#!/usr/bin/env python3
"""sametext.py - whether a document converted to text says what the text report says.

    sametext.py [--contains] [--drop-page-numbers] [--repeated-headers] [--ignore REGEX]
                EXPECTED ACTUAL

Compares two UTF-8 files as the reader sees them: a byte order mark, the
rules under table headers (lines of '-' alone) and all white space are
dropped first, then what matches --ignore (e.g. the minute a document was
made, written without its blank), since converters lay out lines, table
cells and pages their own way; the words and figures, in their order, must
be equal (or, with --contains, EXPECTED must appear whole within ACTUAL).
--drop-page-numbers removes the "— N —" page numbers from ACTUAL, and
--repeated-headers the headers of EXPECTED's tables (the lines above the
rules) that ACTUAL repeats at the top of a new page. Exits 0,
or 1 saying where the two part, with some context.
"""
import argparse
import re
import sys


def squeeze(s):
    return re.sub(r"\s+", "", s)


def load(path, ignore):
    """The text without white space, and the headers of its tables."""
    with open(path, encoding="utf-8") as f:
        text = f.read().lstrip("\ufeff")
    lines = text.splitlines()
    rule = [bool(re.fullmatch(r"\s*-+\s*", l)) for l in lines]
    headers = [squeeze(lines[i - 1]) for i in range(1, len(lines)) if rule[i]]
    text = squeeze("".join(l for i, l in enumerate(lines) if not rule[i]))
    return (re.sub(ignore, "", text) if ignore else text), headers


def drop_repeats(text, header):
    first = text.find(header)
    if first < 0:
        return text
    head, tail = text[:first + len(header)], text[first + len(header):]
    return head + tail.replace(header, "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--contains", action="store_true")
    ap.add_argument("--drop-page-numbers", action="store_true")
    ap.add_argument("--repeated-headers", action="store_true")
    ap.add_argument("--ignore")
    ap.add_argument("expected")
    ap.add_argument("actual")
    a = ap.parse_args()
    (want, headers), (got, _) = load(a.expected, a.ignore), load(a.actual, a.ignore)
    if a.drop_page_numbers:
        got = re.sub(r"—\d+—", "", got)
    if a.repeated_headers:
        for h in headers:
            got = drop_repeats(got, h)
    if (want in got) if a.contains else (want == got):
        return 0
    # where they part: the longest prefix of want found in got
    lo, hi = 0, len(want)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if (want[:mid] in got) if a.contains else got.startswith(want[:mid]):
            lo = mid
        else:
            hi = mid - 1
    at = got.find(want[:lo]) + lo if a.contains else lo
    print("sametext.py: %s and %s part after %d characters:\n  expected: ...%s...\n  actual:   ...%s..."
          % (a.expected, a.actual, lo, want[max(0, lo - 30):lo + 40],
             got[max(0, at - 30):at + 40]), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Every message of lawtally marked for translation (_, N_, dngettext in
# clients/ and clients/cli/) has its Chinese in po/zh_CN.po, with the same
# printf conversions (msgfmt --check); a message added without one fails
# here, not in front of a mediator.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
xgettext --from-code=UTF-8 -k_ -kN_ -kdngettext:2,3 --no-location -o "$T/lawtally.pot" \
	clients/*.c clients/cli/*.c || fail "xgettext failed"
cp po/zh_CN.po "$T/zh_CN.po"
msgmerge --quiet --update --backup=none --no-location "$T/zh_CN.po" "$T/lawtally.pot" ||
	fail "msgmerge failed"
missing=$(msgattrib --untranslated --no-wrap "$T/zh_CN.po"; msgattrib --only-fuzzy --no-wrap "$T/zh_CN.po")
[ -z "$missing" ] || fail "messages without their Chinese in po/zh_CN.po (make po, then translate): $missing"
msgfmt --check -o /dev/null "$T/zh_CN.po" || fail "po/zh_CN.po does not compile"
n=$(($(grep -c '^msgid ' "$T/lawtally.pot") - 1)) # less the header
[ "$n" -ge 200 ] || fail "only $n messages found in the sources"

/*
 * i18n.h - messages in the user's language (gettext).
 *
 * Every message `lawtally` shows a person goes through _(): English in the
 * source (the msgid), Chinese from po/zh_CN.po under a Chinese locale
 * (LANG=zh_CN.UTF-8, or LANGUAGE=zh_CN with LC_ALL=C.UTF-8 where zh_CN is
 * not generated). The library's strings are looked up in lawtally's own
 * domain, whatever domain the program linking it has chosen. N_() marks a
 * string for translation where it is defined (a table); _() translates it
 * where it is shown.
 */
#ifndef LAWTALLY_I18N_H
#define LAWTALLY_I18N_H

#include <libintl.h>

#define I18N_DOMAIN "lawtally"
#define _(s) dgettext(I18N_DOMAIN, s)
#define N_(s) (s)

/*
 * Takes the language from the environment (LC_CTYPE and LC_MESSAGES only:
 * numbers keep their C form for strtod and printf) and finds the
 * catalogues: $LAWTALLY_LOCALEDIR if set, else the build tree's locale/
 * beside the program, else PREFIX/share/locale for a program installed in
 * PREFIX/bin. Never fails: without a catalogue, messages stay English.
 */
void i18n_init(void);

/* The folder i18n_init() bound the catalogues to (for tests and --version). */
const char *i18n_localedir(void);

#endif

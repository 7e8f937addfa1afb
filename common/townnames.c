/* townnames.c - a township's own names on the wire (see townnames.h). */
#include "townnames.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"
#include "xalloc.h"

const char *townnames_read(const Lawtally__V1__TownshipNames *m, struct townnames *out)
{
	villages_clear(&out->villages);
	out->name[0] = '\0';
	if (strlen(m->name) > TOWNNAMES_NAME_MAX)
		return "township name longer than 64 bytes";
	if (!validate_utf8((const uint8_t *)m->name, strlen(m->name)))
		return "township name is not UTF-8";
	for (size_t i = 0; i < m->n_villages; i++) {
		const Lawtally__V1__VillageName *v = m->villages[i];
		/* the config's rules for a village (villages_add), and a name it must have */
		const char *why = "village without a name";
		if (!v->name[0] || villages_add(&out->villages, v->code, v->name, &why) != 0) {
			villages_clear(&out->villages);
			return why;
		}
	}
	snprintf(out->name, sizeof(out->name), "%s", m->name);
	return NULL;
}

uint8_t *townnames_pack(const char *name, const struct villages *list, size_t *len)
{
	char cut[TOWNNAMES_NAME_MAX + 1];
	size_t n = strlen(name);
	if (n > TOWNNAMES_NAME_MAX) {
		n = TOWNNAMES_NAME_MAX;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--; /* not inside a character */
	}
	memcpy(cut, name, n);
	cut[n] = '\0';
	Lawtally__V1__TownshipNames m = LAWTALLY__V1__TOWNSHIP_NAMES__INIT;
	Lawtally__V1__VillageName *v = xcalloc(list->n ? list->n : 1, sizeof(*v));
	Lawtally__V1__VillageName **vp = xcalloc(list->n ? list->n : 1, sizeof(*vp));
	for (size_t i = 0; i < list->n; i++) {
		lawtally__v1__village_name__init(&v[i]);
		v[i].code = (char *)list->v[i].code;
		v[i].name = (char *)list->v[i].name;
		vp[i] = &v[i];
	}
	m.name = cut;
	m.n_villages = list->n;
	m.villages = vp;
	*len = lawtally__v1__township_names__get_packed_size(&m);
	uint8_t *buf = xmalloc(*len ? *len : 1);
	lawtally__v1__township_names__pack(&m, buf);
	free(vp);
	free(v);
	return buf;
}

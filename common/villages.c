/* villages.c - the village list and Zhangliang's built-in villages. */
#include "villages.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "validate.h"
#include "words.h"

static const struct {
	const char *code, *name;
} zhangliang[] = {
	{"ZL01", "张北村"}, {"ZL02", "张南村"}, {"ZL03", "姚吴程村"},
	{"ZL04", "李法河村"}, {"ZL05", "三间房村"}, {"ZL06", "芹菜沟村"},
	{"ZL07", "王岗村"}, {"ZL08", "麦川村"}, {"ZL09", "朱马沟村"},
	{"ZL10", "老庄村"}, {"ZL11", "黄五常村"}, {"ZL12", "郭沟村"},
	{"ZL13", "杨李沟村"}, {"ZL14", "盆尧村"}, {"ZL15", "范庄村"},
	{"ZL16", "张西村"}, {"ZL17", "张东村"}, {"ZL18", "东营村"},
	{"ZL19", "前营村"}, {"ZL20", "王营村"}, {"ZL21", "辛庄村"},
	{"ZL22", "东留庄村"}, {"ZL23", "陶庄村"}, {"ZL24", "石庙村"},
	{"ZL25", "余庄村"}, {"ZL26", "段庄村"}, {"ZL27", "李庄村"},
	{"ZL28", "周楼村"}, {"ZL29", "福林村"}, {"ZL30", "贾寨村"},
	{"ZL31", "闫洼村"}, {"ZL32", "黄庄村"}, {"ZL33", "杜庄村"},
	{"ZL34", "湾张村"}, {"ZL35", "营东村"}, {"ZL36", "营西村"},
	{"ZL37", "西营南村"}, {"ZL38", "纪营村"}, {"ZL39", "东袁寨村"},
	{"ZL40", "贺塘村"}, {"ZL41", "刘庄村"},
};

void villages_clear(struct villages *list)
{
	list->n = 0;
}

void villages_builtin(struct villages *list)
{
	villages_clear(list);
	for (size_t i = 0; i < sizeof(zhangliang) / sizeof(zhangliang[0]); i++) {
		const char *why;
		(void)villages_add(list, zhangliang[i].code, zhangliang[i].name, &why);
	}
}

int village_code_valid(const char *code)
{
	size_t n = strlen(code);
	if (n == 0 || n > VILLAGE_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int villages_add(struct villages *list, const char *code, const char *name,
		 const char **why)
{
	if (!village_code_valid(code)) {
		*why = "village code must be 1-8 characters of A-Z a-z 0-9 _ -";
		return LT_EINVAL;
	}
	if (strlen(name) > VILLAGE_NAME_MAX) {
		*why = "village name longer than 64 bytes";
		return LT_EINVAL;
	}
	if (!validate_utf8((const uint8_t *)name, strlen(name))) {
		*why = "village name is not UTF-8";
		return LT_EINVAL;
	}
	if (villages_find(list, code)) {
		*why = "village code listed twice";
		return LT_EINVAL;
	}
	if (list->n == VILLAGES_MAX) {
		*why = "more than 1024 villages";
		return LT_EINVAL;
	}
	struct village *v = &list->v[list->n++];
	memcpy(v->code, code, strlen(code) + 1);
	memcpy(v->name, name, strlen(name) + 1);
	return 0;
}

const struct village *villages_find(const struct villages *list, const char *code)
{
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->v[i].code, code) == 0)
			return &list->v[i];
	return NULL;
}

const struct village *villages_lookup(const struct villages *list, const char *text)
{
	char t[VILLAGE_NAME_MAX + 8];
	if (words_halfwidth(text, t, sizeof(t)) >= sizeof(t))
		return NULL;
	size_t start = strspn(t, " \t"), len = strlen(t);
	while (len > start && (t[len - 1] == ' ' || t[len - 1] == '\t'))
		len--;
	t[len] = '\0';
	const char *s = t + start;
	size_t n = strlen(s);
	if (!n)
		return NULL;
	for (size_t i = 0; i < list->n; i++)
		if (strcasecmp(list->v[i].code, s) == 0)
			return &list->v[i];
	for (size_t i = 0; i < list->n; i++) {
		const char *name = list->v[i].name;
		size_t nl = strlen(name);
		if (strcmp(name, s) == 0 ||
		    (nl == n + strlen("村") && strncmp(name, s, n) == 0 && strcmp(name + n, "村") == 0))
			return &list->v[i];
	}
	return NULL;
}

void villages_describe(const struct villages *list, char *out, size_t cap)
{
	size_t o = 0;
	if (cap == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < list->n; i++) {
		char one[VILLAGE_CODE_MAX + VILLAGE_NAME_MAX + 4];
		int n = snprintf(one, sizeof(one), "%s%s %s", i ? ", " : "", list->v[i].code,
				 list->v[i].name);
		if (n < 0 || o + (size_t)n + 6 >= cap) {
			if (o + 6 < cap)
				memcpy(out + o, ", ...", 6);
			return;
		}
		memcpy(out + o, one, (size_t)n + 1);
		o += (size_t)n;
	}
}

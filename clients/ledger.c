/*
 * ledger.c - ledger rows to events: the header and value tables, dates,
 * amounts and the deterministic ids (see ledger.h).
 */
#include "ledger.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "byteorder.h"
#include "calendar.h"
#include "err.h"
#include "i18n.h"
#include "uuid.h"
#include "words.h"

#define DSTAGE(x) LAWTALLY__V1__DISPUTE__STAGE__STAGE_##x
#define CAT(x) LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_##x
#define INIT(x) LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_##x
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CELL_MAX 256
#define CASE_ID_MAX 64
#define NAME_MAX_BYTES 64
#define TOPIC_MAX 200
#define PEOPLE_MAX 100000
#define ATTENDEES_MAX 10000
#define AMOUNT_MAX_FEN 1000000000000ULL
#define DAY 86400

static const char *const kind_names[LEDGER_KINDS] = {"dispute", "training"};

int ledger_kind_by_name(const char *name)
{
	for (int k = 0; k < LEDGER_KINDS; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

/* ---- headers ---- */

#define D (1u << LEDGER_DISPUTE)
#define T (1u << LEDGER_TRAINING)

/*
 * Column headers as the ledgers of mediation centres and the township's
 * templates write them. rank orders the headers of one field: where a
 * ledger has both 调解结果 and 状态, the result says more than the status.
 */
static const struct header {
	unsigned kinds;
	const char *name;
	enum ledger_field field;
	int rank;
} headers[] = {
	{D, "受理日期", LF_DATE, 0}, {D, "登记日期", LF_DATE, 0}, {D, "排查日期", LF_DATE, 1},
	{D, "受理时间", LF_DATE, 1}, {D | T, "日期", LF_DATE, 2}, {D | T, "时间", LF_DATE, 3},
	{T, "培训日期", LF_DATE, 0}, {T, "培训时间", LF_DATE, 1},
	{D, "调解日期", LF_OUTCOME_DATE, 0}, {D, "结案日期", LF_OUTCOME_DATE, 0},
	{D, "办结日期", LF_OUTCOME_DATE, 0}, {D, "化解日期", LF_OUTCOME_DATE, 0},
	{D, "调解时间", LF_OUTCOME_DATE, 1},
	{D, "案件编号", LF_CASE_ID, 0}, {D | T, "编号", LF_CASE_ID, 1}, {D, "案号", LF_CASE_ID, 1},
	{D, "卷宗号", LF_CASE_ID, 2}, {D, "档案号", LF_CASE_ID, 2},
	{D, "纠纷类型", LF_CATEGORY, 0}, {D, "纠纷类别", LF_CATEGORY, 0},
	{D, "矛盾纠纷类型", LF_CATEGORY, 0}, {D, "案件类型", LF_CATEGORY, 1},
	{D, "类型", LF_CATEGORY, 2}, {D, "类别", LF_CATEGORY, 2},
	{D, "调解结果", LF_STAGE, 0}, {D, "化解结果", LF_STAGE, 0}, {D, "化解情况", LF_STAGE, 1},
	{D, "办理结果", LF_STAGE, 1}, {D, "调解状态", LF_STAGE, 1}, {D, "状态", LF_STAGE, 2},
	{D, "办理状态", LF_STAGE, 2},
	{D, "受理方式", LF_INITIATED, 0}, {D, "纠纷来源", LF_INITIATED, 1},
	{D, "案件来源", LF_INITIATED, 1}, {D, "来源", LF_INITIATED, 2},
	{D, "协议金额", LF_AMOUNT, 0}, {D, "协议涉及金额", LF_AMOUNT, 0},
	{D, "涉及金额", LF_AMOUNT, 1}, {D, "金额", LF_AMOUNT, 2},
	{D, "防止民转刑", LF_CRIMINAL, 0}, {D, "是否防止民转刑", LF_CRIMINAL, 0},
	{D, "防止群体性上访", LF_GROUP, 0}, {D, "是否防止群体性上访", LF_GROUP, 0},
	{D, "涉及人数", LF_PEOPLE, 0}, {D, "群体上访人数", LF_PEOPLE, 0},
	{D, "调解员", LF_RECORDED_BY, 0}, {D | T, "经办人", LF_RECORDED_BY, 1},
	{D | T, "登记人", LF_RECORDED_BY, 1}, {D, "承办人", LF_RECORDED_BY, 1},
	{D, "人民调解员", LF_RECORDED_BY, 0},
	{T, "培训内容", LF_TOPIC, 0}, {T, "培训主题", LF_TOPIC, 0}, {T, "主题", LF_TOPIC, 1},
	{T, "内容", LF_TOPIC, 1},
	{T, "培训对象", LF_AUDIENCE, 0}, {T, "参训对象", LF_AUDIENCE, 0}, {T, "对象", LF_AUDIENCE, 1},
	{T, "参训人数", LF_ATTENDEES, 0}, {T, "参加人数", LF_ATTENDEES, 0},
	{T, "培训人数", LF_ATTENDEES, 0}, {T, "人数", LF_ATTENDEES, 1},
	/* personal data and narratives: recognised so that they are never read */
	{D | T, "当事人", LF_PRIVATE, 0}, {D | T, "当事人姓名", LF_PRIVATE, 0},
	{D | T, "双方当事人", LF_PRIVATE, 0}, {D | T, "申请人", LF_PRIVATE, 0},
	{D | T, "被申请人", LF_PRIVATE, 0}, {D | T, "姓名", LF_PRIVATE, 0},
	{D | T, "身份证号", LF_PRIVATE, 0}, {D | T, "身份证号码", LF_PRIVATE, 0},
	{D | T, "联系电话", LF_PRIVATE, 0}, {D | T, "电话", LF_PRIVATE, 0},
	{D | T, "联系方式", LF_PRIVATE, 0}, {D | T, "住址", LF_PRIVATE, 0},
	{D | T, "家庭住址", LF_PRIVATE, 0}, {D, "纠纷简要情况", LF_PRIVATE, 0},
	{D, "简要案情", LF_PRIVATE, 0}, {D, "基本案情", LF_PRIVATE, 0},
	{D, "纠纷情况", LF_PRIVATE, 0}, {D, "协议内容", LF_PRIVATE, 0},
	{D, "调解协议内容", LF_PRIVATE, 0}, {T, "参训人员", LF_PRIVATE, 0},
	/* known, not needed */
	{D | T, "序号", LF_IGNORED, 0}, {D | T, "备注", LF_IGNORED, 0},
	{D | T, "村", LF_VILLAGE, 0}, {D | T, "村名", LF_VILLAGE, 0},
	{D | T, "所属村", LF_VILLAGE, 0}, {D | T, "村居", LF_VILLAGE, 1},
	{D | T, "村别", LF_VILLAGE, 1}, {D, "调解方式", LF_IGNORED, 0},
	{D, "回访情况", LF_IGNORED, 0}, {D, "回访日期", LF_IGNORED, 0},
	{D, "履行情况", LF_IGNORED, 0}, {D, "是否履行", LF_IGNORED, 0},
	{T, "地点", LF_IGNORED, 0}, {T, "培训地点", LF_IGNORED, 0},
	{T, "主讲人", LF_IGNORED, 0}, {T, "授课人", LF_IGNORED, 0},
};

#undef D
#undef T

/* The fields a row of each kind cannot do without. */
static const enum ledger_field required[LEDGER_KINDS][3] = {
	[LEDGER_DISPUTE] = {LF_DATE, LF_CASE_ID, LF_CATEGORY},
	[LEDGER_TRAINING] = {LF_DATE, LF_ATTENDEES, LF_UNKNOWN},
};

static const char *const field_names[LF_COUNT] = {
	[LF_DATE] = "日期", [LF_OUTCOME_DATE] = "调解日期", [LF_CASE_ID] = "案件编号",
	[LF_CATEGORY] = "纠纷类型", [LF_STAGE] = "调解结果", [LF_INITIATED] = "受理方式",
	[LF_AMOUNT] = "协议金额", [LF_CRIMINAL] = "防止民转刑", [LF_GROUP] = "防止群体性上访",
	[LF_PEOPLE] = "涉及人数", [LF_RECORDED_BY] = "调解员", [LF_TOPIC] = "培训内容",
	[LF_ATTENDEES] = "参训人数", [LF_VILLAGE] = "村名", [LF_AUDIENCE] = "培训对象",
};

/* Starts with the UTF-8 bytes of a character to drop from headers and values. */
static size_t blank_at(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		return 1;
	if (strncmp(s, "\xE3\x80\x80", 3) == 0) /* ideographic space */
		return 3;
	return 0;
}

/*
 * s as typed on a Chinese keyboard, read plainly: full-width digits,
 * letters and punctuation as ASCII (words.h), without blanks around it,
 * copied into out (cap bytes). Returns 0, or -1 when it did not fit (out
 * then holds the start of it, which a length check after it still finds
 * too long).
 */
static int trim(const char *s, char *out, size_t cap)
{
	int rc = words_halfwidth(s, out, cap) >= cap ? -1 : 0;
	size_t start = 0, len = strlen(out);
	while (start < len && blank_at(out + start))
		start++;
	while (len > start && blank_at(out + len - 1))
		len--;
	memmove(out, out + start, len - start);
	out[len - start] = '\0';
	return rc;
}

/*
 * A header as written, reduced to its words: no blanks or line breaks
 * anywhere, no "*" (required-field marks of templates), no parenthesised
 * unit in ASCII or full-width parentheses.
 */
static void normalise_header(const char *h, char *out, size_t cap)
{
	size_t o = 0;
	int depth = 0;
	while (*h && o + 4 < cap) {
		size_t b = blank_at(h);
		if (b) {
			h += b;
		} else if (*h == '(' || strncmp(h, "\xEF\xBC\x88", 3) == 0) {
			depth++;
			h += *h == '(' ? 1 : 3;
		} else if (*h == ')' || strncmp(h, "\xEF\xBC\x89", 3) == 0) {
			depth -= depth > 0;
			h += *h == ')' ? 1 : 3;
		} else if (*h == '*' || strncmp(h, "\xEF\xBC\x8A", 3) == 0) {
			h += *h == '*' ? 1 : 3;
		} else if (depth) {
			h++;
		} else {
			out[o++] = *h++;
		}
	}
	out[o] = '\0';
}

enum ledger_field ledger_header_field(enum ledger_kind kind, const char *header, int *rank)
{
	char h[128];
	normalise_header(header, h, sizeof(h));
	for (size_t i = 0; i < NELEM(headers); i++)
		if (headers[i].kinds & (1u << kind) && strcmp(headers[i].name, h) == 0) {
			if (rank)
				*rank = headers[i].rank;
			return headers[i].field;
		}
	return LF_UNKNOWN;
}

int ledger_map_header(struct ledger_map *m, enum ledger_kind kind, char *const *names,
		      size_t n, char *err, size_t errlen)
{
	int rank[LF_COUNT][LEDGER_ALT_MAX];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->ncols = n;
	for (int f = 0; f < LF_COUNT; f++)
		for (int a = 0; a < LEDGER_ALT_MAX; a++)
			m->col[f][a] = -1;
	for (size_t c = 0; c < n; c++) {
		int r = 0;
		enum ledger_field f = ledger_header_field(kind, names[c], &r);
		if (f == LF_UNKNOWN) {
			char t[8];
			if (trim(names[c], t, sizeof(t)) == 0 && !t[0])
				continue; /* an empty header over an empty column */
			if (m->n_unknown < NELEM(m->unknown))
				m->unknown[m->n_unknown] = c;
			m->n_unknown++;
			continue;
		}
		if (f == LF_PRIVATE || f == LF_IGNORED)
			continue;
		/* insert by rank; a column past the last place is not used */
		for (int a = 0; a < LEDGER_ALT_MAX; a++) {
			if (m->col[f][a] >= 0 && rank[f][a] <= r)
				continue;
			for (int b = LEDGER_ALT_MAX - 1; b > a; b--) {
				m->col[f][b] = m->col[f][b - 1];
				rank[f][b] = rank[f][b - 1];
			}
			m->col[f][a] = (int)c;
			rank[f][a] = r;
			break;
		}
	}
	char missing[128] = "";
	for (size_t i = 0; i < NELEM(required[kind]); i++) {
		enum ledger_field f = required[kind][i];
		if (f != LF_UNKNOWN && m->col[f][0] < 0)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", field_names[f]);
	}
	if (missing[0]) {
		snprintf(err, errlen, _("no column for %s"), missing);
		return LT_EINVAL;
	}
	return 0;
}

/* ---- values ---- */

/* strip_suffix: s with a trailing word removed if it ends with it ("12人" -> "12"). */
static void strip_suffix(char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	if (n > k && strcmp(s + n - k, suffix) == 0)
		s[n - k] = '\0';
}

int ledger_category(const char *value)
{
	return words_enum(&lawtally__v1__dispute__category__descriptor, value);
}

int ledger_stage(const char *value)
{
	return words_enum(&lawtally__v1__dispute__stage__descriptor, value);
}

int ledger_initiated(const char *value)
{
	return words_enum(&lawtally__v1__dispute__initiated__descriptor, value);
}

/* ---- dates and amounts ---- */

/* Reads 1..max digits at *p into *v, advancing *p; -1 if none. */
static int digits(const char **p, int max, int *v)
{
	int n = 0, x = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		x = x * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*v = x;
	return n ? 0 : -1;
}

/* Skips one date separator: - / . or the given UTF-8 word; -1 if none. */
static int sep(const char **p, const char *word)
{
	if (**p == '-' || **p == '/' || **p == '.') {
		(*p)++;
		return 0;
	}
	size_t k = strlen(word);
	if (strncmp(*p, word, k) == 0) {
		*p += k;
		return 0;
	}
	return -1;
}

int ledger_parse_date(const char *s, int64_t *t, int64_t *day)
{
	char buf[64];
	if (trim(s, buf, sizeof(buf)) || !buf[0])
		return LT_EINVAL;
	const char *p = buf;
	int y, m, d, hh = 12, mm = 0, ss = 0;
	if (strspn(buf, "0123456789") == strlen(buf)) {
		/* an Excel day number: days since 1899-12-30, years 2000..2100 */
		if (strlen(buf) != 5 || digits(&p, 5, &y) || y < 36526 || y > 73415)
			return LT_EINVAL;
		*day = y - 25569;
		*t = *day * DAY + hh * 3600 - LEDGER_TZ_OFFSET;
		return 0;
	}
	if (digits(&p, 4, &y) || p - buf != 4 || sep(&p, "年") || digits(&p, 2, &m) ||
	    sep(&p, "月") || digits(&p, 2, &d))
		return LT_EINVAL;
	if (strncmp(p, "日", 3) == 0 || strncmp(p, "号", 3) == 0)
		p += 3;
	if (*p == ' ' || *p == 'T') {
		p++;
		while (*p == ' ')
			p++;
		if (digits(&p, 2, &hh) || *p++ != ':' || digits(&p, 2, &mm))
			return LT_EINVAL;
		if (*p == ':' && (p++, digits(&p, 2, &ss)))
			return LT_EINVAL;
	}
	if (*p || y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1 ||
	    d > cal_days_in_month(y, m) || hh > 23 || mm > 59 || ss > 59)
		return LT_EINVAL;
	*day = cal_days_from_civil(y, m, d);
	*t = *day * DAY + hh * 3600 + mm * 60 + ss - LEDGER_TZ_OFFSET;
	return 0;
}

/* What ledgers write in an amount cell for "none". */
static int is_none(const char *s)
{
	static const char *const none[] = {"", "/", "-", "—", "无"};
	for (size_t i = 0; i < NELEM(none); i++)
		if (strcmp(s, none[i]) == 0)
			return 1;
	return 0;
}

int ledger_parse_amount(const char *s, uint64_t *fen)
{
	char buf[64], clean[64];
	size_t o = 0;
	if (trim(s, buf, sizeof(buf)))
		return LT_EINVAL;
	uint64_t mult = 100; /* fen per unit written */
	for (const char *p = buf; *p;) {
		static const char *const drop[] = {"\xEF\xBF\xA5", "\xC2\xA5", "元", ",", "，", " "};
		int dropped = 0;
		for (size_t i = 0; i < NELEM(drop) && !dropped; i++)
			if (strncmp(p, drop[i], strlen(drop[i])) == 0) {
				p += strlen(drop[i]);
				dropped = 1;
			}
		if (dropped)
			continue;
		if (strncmp(p, "万", 3) == 0 && p[3] == '\0' && mult == 100) {
			mult = 1000000;
			p += 3;
			continue;
		}
		if (o + 1 >= sizeof(clean))
			return LT_EINVAL;
		clean[o++] = *p++;
	}
	clean[o] = '\0';
	if (is_none(buf)) {
		*fen = 0;
		return 0;
	}
	uint64_t whole = 0, frac = 0, scale = 1;
	const char *p = clean;
	if (*p < '0' || *p > '9')
		return LT_EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > AMOUNT_MAX_FEN)
			return LT_EINVAL;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale >= 1000000)
				return LT_EINVAL;
			frac = frac * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
	}
	if (*p || (frac * mult) % scale != 0)
		return LT_EINVAL; /* text left, or a fraction of a fen */
	uint64_t v = whole * mult + frac * mult / scale;
	if (whole > AMOUNT_MAX_FEN / mult || v > AMOUNT_MAX_FEN)
		return LT_EINVAL;
	*fen = v;
	return 0;
}

/* ---- ids ---- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                              \
	do {                                                                  \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);     \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                        \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                        \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);     \
	} while (0)

uint64_t ledger_siphash(const uint8_t key[16], const uint8_t *data, size_t len)
{
	uint64_t k0 = le64_load(key), k1 = le64_load(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	size_t full = len - len % 8;
	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = le64_load(data + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	uint64_t b = (uint64_t)len << 56;
	for (size_t i = 0; i < len % 8; i++)
		b |= (uint64_t)data[full + i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

void ledger_event_id(uint8_t out[16], enum ledger_kind kind, const char *village,
		     const char *key, const char *stage, int64_t day, uint64_t t_ms)
{
	static const uint8_t k1[16] = "lawtally ledger ", k2[16] = "ids, version one";
	uint8_t name[512];
	int64_t y;
	int m, d;
	cal_civil_from_days(day, &y, &m, &d);
	int len = snprintf((char *)name, sizeof(name), "lawtally-ledger-v1%c%s%c%s%c%s%c%s%c%04lld-%02d-%02d",
			   0, kind_names[kind], 0, village, 0, key, 0, stage, 0, (long long)y, m, d);
	if (len < 0 || len >= (int)sizeof(name))
		len = sizeof(name) - 1; /* callers bound their strings well below this */
	uint64_t h1 = ledger_siphash(k1, name, (size_t)len);
	uint64_t h2 = ledger_siphash(k2, name, (size_t)len);
	uuid_pack(out, 8, t_ms, (uint16_t)(h1 & 0xFFF), h2);
}

/* ---- rows ---- */

struct rowctx {
	const struct ledger_map *m;
	char *const *cells;
	size_t n;
	size_t *bad_col;
	char *err;
	size_t errlen;
};

/*
 * The trimmed text of field f in this row: from its best column that is
 * not empty, copied into out. NULL if the field has no column or every
 * column of it is empty. *col gets the column read (or the best one).
 */
static const char *cell(struct rowctx *r, enum ledger_field f, char *out, size_t cap, size_t *col)
{
	*col = r->m->col[f][0] >= 0 ? (size_t)r->m->col[f][0] : 0;
	for (int a = 0; a < LEDGER_ALT_MAX && r->m->col[f][a] >= 0; a++) {
		size_t c = (size_t)r->m->col[f][a];
		if (c >= r->n)
			continue;
		int too_long = trim(r->cells[c], out, cap) != 0;
		if (out[0] || too_long) { /* too long: the caller's length check names it */
			*col = c;
			return out;
		}
	}
	return NULL;
}

static int bad(struct rowctx *r, size_t col, const char *fmt, const char *value)
{
	*r->bad_col = col;
	snprintf(r->err, r->errlen, fmt, value ? value : "");
	return LT_EINVAL;
}

/* An unknown enum value: fmt has two %s, the value and the valid ones. */
static int unknown(struct rowctx *r, size_t col, const char *fmt, const char *value,
		   const ProtobufCEnumDescriptor *d)
{
	char valid[320];
	words_list(d, 0, valid, sizeof(valid));
	*r->bad_col = col;
	snprintf(r->err, r->errlen, fmt, value, valid);
	return LT_EINVAL;
}

/* 1 if every cell of the row is blank. */
static int blank_row(char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char v[CELL_MAX];
		if (trim(cells[i], v, sizeof(v)) != 0 || v[0])
			return 0;
	}
	return 1;
}

/* Why the row holds no case: empty, or a total line (合计/总计/小计) at the foot of the sheet. */
static const char *skip_row(char *const *cells, size_t n)
{
	static const char *const totals[] = {"合计", "总计", "小计"};
	if (blank_row(cells, n))
		return N_("an empty row");
	for (size_t i = 0; i < n; i++) {
		char v[CELL_MAX];
		if (trim(cells[i], v, sizeof(v)) != 0)
			continue;
		for (size_t k = 0; k < NELEM(totals); k++)
			if (strcmp(v, totals[k]) == 0)
				return N_("a total row");
	}
	return NULL;
}

/* The fields whose cells ledgers merge down a block of rows. */
static const enum ledger_field fill_fields[LEDGER_FILL_FIELDS] = {LF_DATE, LF_VILLAGE};

void ledger_fill_down(const struct ledger_map *m, struct ledger_carry *c, char **cells, size_t n)
{
	if (blank_row(cells, n))
		return; /* a blank line between blocks is not part of a merge */
	for (int i = 0; i < LEDGER_FILL_FIELDS; i++) {
		const int *col = m->col[fill_fields[i]];
		char v[LEDGER_ALT_MAX][CELL_MAX];
		int blank = 1;
		for (int a = 0; a < LEDGER_ALT_MAX && col[a] >= 0; a++) {
			v[a][0] = '\0';
			if ((size_t)col[a] < n && (trim(cells[col[a]], v[a], sizeof(v[a])) != 0 || v[a][0]))
				blank = 0;
		}
		/* a row with the field carries what it says (blank columns included) down */
		for (int a = 0; !blank && a < LEDGER_ALT_MAX && col[a] >= 0; a++)
			snprintf(c->value[i][a], sizeof(c->value[i][a]), "%s",
				 (size_t)col[a] < n && v[a][0] ? cells[col[a]] : "");
		if (!blank)
			continue;
		for (int a = 0; a < LEDGER_ALT_MAX && col[a] >= 0; a++)
			if ((size_t)col[a] < n && c->value[i][a][0]) {
				cells[col[a]] = c->value[i][a];
				break;
			}
	}
}

static int read_bool(struct rowctx *r, enum ledger_field f, int *out)
{
	char v[CELL_MAX];
	size_t col;
	*out = 0;
	if (!cell(r, f, v, sizeof(v), &col))
		return 0;
	int b = words_bool(v);
	if (b < 0)
		return bad(r, col, _("\"%s\" is not 是 or 否"), v);
	*out = b;
	return 0;
}

/*
 * A whole number as ledgers write it: "1200", "1,200", "1，200" (groups of
 * three after the first), "12人". 0 or -1.
 */
static int parse_count(char *v, unsigned long max, unsigned long *out)
{
	unsigned long x = 0;
	size_t i = 0, group = 0;
	int grouped = 0;
	strip_suffix(v, "人");
	for (; v[i]; i++) {
		if (v[i] == ',' && i > 0 && (grouped ? group == 3 : group <= 3)) {
			grouped = 1;
			group = 0;
			continue;
		}
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (unsigned long)(v[i] - '0');
		group++;
		if (x > max)
			return -1;
	}
	if (i == 0 || group == 0 || (grouped && group != 3))
		return -1;
	*out = x;
	return 0;
}

static int read_uint(struct rowctx *r, enum ledger_field f, unsigned max, uint32_t *out)
{
	char v[CELL_MAX];
	size_t col;
	unsigned long x;
	*out = 0;
	if (!cell(r, f, v, sizeof(v), &col))
		return 0;
	if (parse_count(v, max, &x))
		return bad(r, col, _("\"%s\" is not a whole number in range"), v);
	*out = (uint32_t)x;
	return 0;
}

static void envelope(struct ledger_row *o, int i, int64_t t)
{
	Lawtally__V1__Event *e = &o->ev[i];
	*e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	e->id.data = o->id[i];
	e->id.len = 16;
	e->village = o->village;
	e->occurred_at = t;
	e->source = o->source;
	e->recorded_by = o->recorded_by;
}

static const char *stage_name(int stage)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&lawtally__v1__dispute__stage__descriptor, stage);
	return v ? v->name + strlen("STAGE_") : "";
}

static int dispute_row(struct rowctx *r, struct ledger_row *o)
{
	char v[CELL_MAX];
	size_t col;
	int64_t t1, day1, t2, day2;
	if (!cell(r, LF_CASE_ID, o->case_id, sizeof(o->case_id), &col) || !o->case_id[0])
		return bad(r, col, _("case number: required%s"), NULL);
	if (strlen(o->case_id) > CASE_ID_MAX)
		return bad(r, col, _("case number: longer than 64 bytes%s"), NULL);
	if (!cell(r, LF_DATE, v, sizeof(v), &col))
		return bad(r, col, _("date: required%s"), NULL);
	if (ledger_parse_date(v, &t1, &day1))
		return bad(r, col, _("\"%s\" is not a date (2024-03-05, 2024/3/5 or 2024年3月5日)"), v);
	if (!cell(r, LF_CATEGORY, v, sizeof(v), &col))
		return bad(r, col, _("dispute type: required%s"), NULL);
	int category = ledger_category(v);
	if (category < 0)
		return unknown(r, col, _("unknown dispute type \"%s\"; one of: %s"), v,
			       &lawtally__v1__dispute__category__descriptor);
	int stage = DSTAGE(REGISTERED);
	if (cell(r, LF_STAGE, v, sizeof(v), &col) && (stage = ledger_stage(v)) < 0)
		return unknown(r, col, _("unknown result \"%s\"; one of: %s (or 调解中)"), v,
			       &lawtally__v1__dispute__stage__descriptor);
	int initiated = 0;
	if (cell(r, LF_INITIATED, v, sizeof(v), &col) && (initiated = ledger_initiated(v)) < 0)
		return unknown(r, col, _("unknown way in \"%s\"; one of: %s"), v,
			       &lawtally__v1__dispute__initiated__descriptor);
	t2 = t1;
	day2 = day1;
	if (cell(r, LF_OUTCOME_DATE, v, sizeof(v), &col) && stage != DSTAGE(REGISTERED)) {
		if (ledger_parse_date(v, &t2, &day2))
			return bad(r, col, _("\"%s\" is not a date"), v);
		if (t2 < t1)
			return bad(r, col, _("\"%s\" is before the case was registered"), v);
	}
	uint64_t amount = 0;
	if (cell(r, LF_AMOUNT, v, sizeof(v), &col)) {
		if (ledger_parse_amount(v, &amount))
			return bad(r, col, _("\"%s\" is not an amount in yuan"), v);
		if (amount && stage != DSTAGE(RESOLVED))
			return bad(r, col, _("an agreement amount only goes with 调解成功%s"), NULL);
	}
	int criminal, group;
	uint32_t people;
	if (read_bool(r, LF_CRIMINAL, &criminal) || read_bool(r, LF_GROUP, &group) ||
	    read_uint(r, LF_PEOPLE, PEOPLE_MAX, &people))
		return LT_EINVAL;
	if (people && !group)
		return bad(r, r->m->col[LF_PEOPLE][0] >= 0 ? (size_t)r->m->col[LF_PEOPLE][0] : 0,
			   _("a number of people only goes with 防止群体性上访%s"), NULL);
	if (cell(r, LF_RECORDED_BY, o->recorded_by, sizeof(o->recorded_by), &col) &&
	    strlen(o->recorded_by) > NAME_MAX_BYTES)
		return bad(r, col, _("name longer than 64 bytes%s"), NULL);

	/* the case was registered; a row with an outcome adds that stage */
	o->n = stage == DSTAGE(REGISTERED) ? 1 : 2;
	for (size_t i = 0; i < o->n; i++) {
		int st = i == 0 ? DSTAGE(REGISTERED) : stage;
		int64_t t = i == 0 ? t1 : t2, day = i == 0 ? day1 : day2;
		Lawtally__V1__Dispute *d = &o->dispute[i];
		*d = (Lawtally__V1__Dispute)LAWTALLY__V1__DISPUTE__INIT;
		d->case_id = o->case_id;
		d->category = category;
		d->stage = st;
		d->initiated = initiated;
		if (i == o->n - 1) { /* the facts of the case go with its last stage */
			d->agreement_amount_fen = st == DSTAGE(RESOLVED) ? amount : 0;
			d->prevented_criminal = criminal;
			d->prevented_group_petition = group;
			d->people = people;
		}
		ledger_event_id(o->id[i], LEDGER_DISPUTE, o->village, o->case_id, stage_name(st), day,
				(uint64_t)t * 1000);
		envelope(o, (int)i, t);
		o->ev[i].body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
		o->ev[i].dispute = d;
	}
	return 0;
}

static int training_row(struct rowctx *r, struct ledger_row *o)
{
	char v[CELL_MAX], key[CELL_MAX];
	size_t col;
	int64_t t, day;
	if (!cell(r, LF_DATE, v, sizeof(v), &col))
		return bad(r, col, _("date: required%s"), NULL);
	if (ledger_parse_date(v, &t, &day))
		return bad(r, col, _("\"%s\" is not a date (2024-03-05, 2024/3/5 or 2024年3月5日)"), v);
	uint32_t attendees;
	if (read_uint(r, LF_ATTENDEES, ATTENDEES_MAX, &attendees))
		return LT_EINVAL;
	int audience = 0;
	if (cell(r, LF_AUDIENCE, v, sizeof(v), &col) &&
	    (audience = words_enum(&lawtally__v1__training__audience__descriptor, v)) < 0)
		return unknown(r, col, _("unknown audience \"%s\"; one of: %s"), v,
			       &lawtally__v1__training__audience__descriptor);
	if (cell(r, LF_TOPIC, o->topic, sizeof(o->topic), &col) && strlen(o->topic) > TOPIC_MAX)
		return bad(r, col, _("topic longer than 200 bytes%s"), NULL);
	/* what tells two trainings of one day apart: their number, else their topic */
	if (!cell(r, LF_CASE_ID, key, sizeof(key), &col) && !o->topic[0])
		return bad(r, r->m->col[LF_DATE][0] >= 0 ? (size_t)r->m->col[LF_DATE][0] : 0,
			   _("a training needs its 编号 or its 培训内容%s"), NULL);
	if (cell(r, LF_RECORDED_BY, o->recorded_by, sizeof(o->recorded_by), &col) &&
	    strlen(o->recorded_by) > NAME_MAX_BYTES)
		return bad(r, col, _("name longer than 64 bytes%s"), NULL);
	o->n = 1;
	o->training = (Lawtally__V1__Training)LAWTALLY__V1__TRAINING__INIT;
	o->training.attendees = attendees;
	o->training.audience = audience;
	o->training.topic = o->topic;
	ledger_event_id(o->id[0], LEDGER_TRAINING, o->village,
			cell(r, LF_CASE_ID, key, sizeof(key), &col) ? key : o->topic, "", day,
			(uint64_t)t * 1000);
	envelope(o, 0, t);
	o->ev[0].body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	o->ev[0].training = &o->training;
	return 0;
}

/* 1 if a village cell names the village the ledger is imported for (code or name). */
static int same_village(const struct ledger_map *m, const char *village, const char *v)
{
	const char *name = m->village_name;
	size_t nl = strlen(name), vl = strlen(v);
	if (strcasecmp(v, village) == 0 || (nl && strcmp(v, name) == 0))
		return 1;
	/* 王岗 for 王岗村 */
	return nl > vl && vl > 0 && strncmp(name, v, vl) == 0 && strcmp(name + vl, "村") == 0;
}

int ledger_row(const struct ledger_map *m, const char *village, const char *source,
	       char *const *cells, size_t n, struct ledger_row *out, size_t *bad_col, char *err,
	       size_t errlen)
{
	struct rowctx r = {m, cells, n, bad_col, err, errlen};
	char v[CELL_MAX];
	size_t col;
	memset(out, 0, sizeof(*out));
	*bad_col = 0;
	err[0] = '\0';
	if ((out->skipped = skip_row(cells, n)))
		return 0;
	if (cell(&r, LF_VILLAGE, v, sizeof(v), &col) && !same_village(m, village, v))
		return bad(&r, col, _("\"%s\" is another village than the one imported for"), v);
	snprintf(out->village, sizeof(out->village), "%s", village);
	snprintf(out->source, sizeof(out->source), "%s", source);
	return m->kind == LEDGER_DISPUTE ? dispute_row(&r, out) : training_row(&r, out);
}

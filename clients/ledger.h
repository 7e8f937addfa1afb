/*
 * ledger.h - a village centre's ledger (台账) row as lawtally events.
 *
 * Mediation centres keep their cases in Excel ledgers such as the
 * 矛盾纠纷排查化解台账: one row per case, Chinese column headers (日期, 案件编号,
 * 纠纷类型, 调解结果, 协议金额, 受理方式, ...) and Chinese values (邻里纠纷,
 * 调解成功, ...). This module maps headers to event fields through a table
 * and values to enum values through common/words.c (the words send reads
 * too), and turns one row into the events a sender would
 * have sent: a REGISTERED event for the case and, once it has an outcome, an
 * event for that stage. Columns of personal data (当事人, 身份证号, 联系电话,
 * 住址, the case's narrative) are recognised and never read.
 *
 * Event ids are derived from the row, so that importing the same ledger
 * again, or a later copy of it with more rows, sends the same ids and
 * counts nothing twice: a UUIDv8 (RFC 9562) whose first 48 bits are the
 * event's time in milliseconds (ids stay roughly time-ordered, which the
 * daemon's index likes) and whose 74 other free bits are SipHash-2-4 of
 * "lawtally-ledger-v1", kind, village, case number (trainings: topic),
 * stage and local date. This derivation is a contract: changing it would
 * make a re-import count twice. Cells are read as typed on a Chinese
 * keyboard: full-width digits, letters and punctuation count as ASCII
 * (words.h) everywhere, case numbers included, so that ＷＧ２０２４－００１ and
 * WG2024-001 are one case (and one id).
 *
 * Ledgers merge the cells of a column down a block of rows (one date, one
 * village for several cases); a spreadsheet or its CSV then holds the value
 * in the block's first row only. ledger_fill_down() gives the blank cells
 * of those columns the value above.
 *
 * Pure code: no I/O, no clock, no allocation.
 */
#ifndef LAWTALLY_LEDGER_H
#define LAWTALLY_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"

/* Dates without a time of day count at noon, in the township's zone. */
#define LEDGER_TZ_OFFSET 28800

enum ledger_kind { LEDGER_DISPUTE, LEDGER_TRAINING, LEDGER_KINDS };

/* What a column holds. */
enum ledger_field {
	LF_UNKNOWN = 0,  /* not in the tables: ignored, named once in a warning */
	LF_PRIVATE,      /* personal data or free text: never read */
	LF_IGNORED,      /* known and not needed (序号, 备注, ...) */
	LF_DATE,         /* 日期 受理日期 ...: when the case was registered */
	LF_OUTCOME_DATE, /* 调解日期 结案日期 ...: when it was resolved or passed on */
	LF_CASE_ID,
	LF_CATEGORY,
	LF_STAGE,
	LF_INITIATED,
	LF_AMOUNT,       /* 协议金额, in yuan */
	LF_CRIMINAL,     /* 防止民转刑 */
	LF_GROUP,        /* 防止群体性上访 */
	LF_PEOPLE,
	LF_RECORDED_BY,  /* 调解员 / 登记人 */
	LF_TOPIC,
	LF_ATTENDEES,
	LF_VILLAGE,      /* 村 / 村名: must name the village imported for */
	LF_AUDIENCE,     /* 培训对象 */
	LF_COUNT
};

/* Columns that may feed one field, best first (e.g. 调解结果 before 状态). */
#define LEDGER_ALT_MAX 3

/* Where each field of a kind is read from: column indexes, -1 for none. */
struct ledger_map {
	enum ledger_kind kind;
	int col[LF_COUNT][LEDGER_ALT_MAX];
	size_t ncols;
	size_t n_unknown;      /* columns not in the tables */
	size_t unknown[16];    /* the first of them */
	/* set by the caller after mapping: the name of the village imported
	 * for, which a village column may use instead of its code ("" if none) */
	char village_name[72];
};

/* The kind named ("dispute", "training"), or -1. */
int ledger_kind_by_name(const char *name);

/*
 * The field a header names for kind, after trimming blanks, line breaks, a
 * "*" mark and a parenthesised unit ("协议金额（元）"). *rank (if not NULL)
 * is the header's preference among those of the same field, 0 best.
 */
enum ledger_field ledger_header_field(enum ledger_kind kind, const char *header, int *rank);

/*
 * Maps a header row. Returns 0 when the fields a row of kind needs are all
 * there, else LT_EINVAL with err naming the missing ones.
 */
int ledger_map_header(struct ledger_map *m, enum ledger_kind kind, char *const *names,
		      size_t n, char *err, size_t errlen);

/* A cell's value -> enum value through words_enum (words.h); -1 if unknown. */
int ledger_category(const char *value);
int ledger_stage(const char *value);
int ledger_initiated(const char *value);

/* The events of one row; everything lives inside the struct. */
struct ledger_row {
	size_t n;                           /* 0 (skipped row), 1 or 2 events */
	const char *skipped;                /* n == 0: why ("an empty row", "a total row") */
	Lawtally__V1__Event ev[2];
	Lawtally__V1__Dispute dispute[2];
	Lawtally__V1__Training training;
	uint8_t id[2][16];
	char village[16], source[72], case_id[72], recorded_by[72], topic[208];
};

/*
 * Turns cells[0..n) of a data row into events for village, sent as
 * source. Returns 0 (out->n may be 0 for an empty or a 合计 total row, with
 * out->skipped saying which), or LT_EINVAL with *bad_col the 0-based column
 * at fault and err saying why (without the line, which the caller knows).
 * A village column's cell must name village (its code in any case, or
 * m->village_name with or without its 村).
 */
int ledger_row(const struct ledger_map *m, const char *village, const char *source,
	       char *const *cells, size_t n, struct ledger_row *out, size_t *bad_col, char *err,
	       size_t errlen);

/* What merged columns held in the rows above; zero it before the first row. */
#define LEDGER_FILL_FIELDS 2
struct ledger_carry {
	char value[LEDGER_FILL_FIELDS][LEDGER_ALT_MAX][256];
};

/*
 * Before ledger_row(): where every column of a merged field (the date, the
 * village) is blank in a row that is not blank, points its best column's
 * cell at the value the rows above carried (c owns it: the row must be
 * read before c changes); a row with the field updates c. Blank rows are
 * left alone.
 */
void ledger_fill_down(const struct ledger_map *m, struct ledger_carry *c, char **cells, size_t n);

/*
 * Parses a ledger date: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, each
 * optionally followed by a time HH:MM[:SS], or an Excel day number (1900
 * system). Into *t (unix seconds: noon in UTC+08:00 without a time) and
 * *day (days since 1970-01-01 of the local date). Returns 0 or LT_EINVAL.
 */
int ledger_parse_date(const char *s, int64_t *t, int64_t *day);

/* Yuan ("2,500.50", "2500元", "￥2500", "1.2万") to fen. 0 or LT_EINVAL. */
int ledger_parse_amount(const char *s, uint64_t *fen);

/*
 * The deterministic id of an event of a ledger row (see above): t_ms the
 * event's time in ms, key the case number (or training topic), stage the
 * stage's name ("" for trainings), day the local date in days since 1970.
 */
void ledger_event_id(uint8_t out[16], enum ledger_kind kind, const char *village,
		     const char *key, const char *stage, int64_t day, uint64_t t_ms);

/* SipHash-2-4 of data with a 16-byte key (exposed for its test vectors). */
uint64_t ledger_siphash(const uint8_t key[16], const uint8_t *data, size_t len);

#endif

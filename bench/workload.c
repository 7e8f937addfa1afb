/* workload.c - the bench's deterministic event mix (see workload.h). */
#include "workload.h"

#include <stdio.h>
#include <string.h>

#include "byteorder.h"

#define YEAR_2024_START 1704038400 /* 2024-01-01T00:00:00+08:00 */
#define YEAR_SECONDS (366 * 86400)
#define VILLAGES 41

uint64_t workload_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void workload_random_id(uint64_t *state, uint8_t id[16])
{
	le64_store(id, workload_rand(state));
	le64_store(id + 8, workload_rand(state));
	id[6] = (uint8_t)(0x40 | (id[6] & 0x0F));
	id[8] = (uint8_t)(0x80 | (id[8] & 0x3F));
}

void workload_set_id(struct workload_event *w, const uint8_t id[16])
{
	memcpy(w->id, id, 16);
}

/* The slot of an event in its round decides its kind (see workload.h). */
enum slot_kind { S_CASE_A_REG, S_CASE_A_RES, S_CASE_B_REG, S_CASE_B_RES, S_CASE_C_REG,
		 S_ENF1, S_ENF2, S_PUB1, S_PUB2, S_TRAINING };

static void make_dispute(struct workload_event *w, uint64_t seed, uint64_t round, char letter,
			 int resolved)
{
	Lawtally__V1__Dispute *d = &w->body.dispute;
	lawtally__v1__dispute__init(d);
	/* zero-padded round: a village's case keys grow with i */
	snprintf(w->case_id, sizeof(w->case_id), "B%llx-%012llx%c", (unsigned long long)seed,
		 (unsigned long long)round, letter);
	d->case_id = w->case_id;
	d->category = 1 + (int)(round % 15);
	d->initiated = (int)(round % 4);
	d->stage = resolved ? LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED
			    : LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED;
	if (resolved)
		d->agreement_amount_fen = 10000 + round % 90000;
	w->e.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	w->e.dispute = d;
}

void workload_event(struct workload_event *w, uint64_t seed, uint64_t i)
{
	uint64_t round = i / WORKLOAD_ROUND;
	unsigned slot = (unsigned)(i % WORKLOAD_ROUND);
	lawtally__v1__event__init(&w->e);
	memset(w->id, 0, sizeof(w->id));
	snprintf(w->village, sizeof(w->village), "ZL%02u", (unsigned)(round % VILLAGES) + 1);
	snprintf(w->source, sizeof(w->source), "centre-%s", w->village);
	w->e.id = (ProtobufCBinaryData){16, w->id};
	w->e.village = w->village;
	w->e.source = w->source;
	/* cases keep their events in time order: REGISTERED before RESOLVED */
	w->e.occurred_at = YEAR_2024_START + (int64_t)((round * 611 % (YEAR_SECONDS / 2)) * 2) +
			   (int64_t)slot;
	switch ((enum slot_kind)slot) {
	case S_CASE_A_REG: make_dispute(w, seed, round, 'A', 0); break;
	case S_CASE_A_RES: make_dispute(w, seed, round, 'A', 1); break;
	case S_CASE_B_REG: make_dispute(w, seed, round, 'B', 0); break;
	case S_CASE_B_RES: make_dispute(w, seed, round, 'B', 1); break;
	case S_CASE_C_REG: make_dispute(w, seed, round, 'C', 0); break;
	case S_ENF1:
	case S_ENF2: {
		Lawtally__V1__Enforcement *x = &w->body.enforcement;
		lawtally__v1__enforcement__init(x);
		x->campaign = 1 + (int)((round + slot) % 3);
		x->action = 1 + (int)((round + slot) % 7);
		x->recorded = (round + slot) % 2;
		x->device_id = w->source;
		w->e.village = "";
		w->e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
		w->e.enforcement = x;
		break;
	}
	case S_PUB1:
	case S_PUB2: {
		Lawtally__V1__Publicity *p = &w->body.publicity;
		lawtally__v1__publicity__init(p);
		p->venue = 1 + (int)((round + slot) % 5);
		p->materials = (uint32_t)(round % 500);
		p->consultations = (uint32_t)(round % 40);
		p->is_activity = slot == S_PUB1;
		w->e.village = "";
		w->e.body_case = LAWTALLY__V1__EVENT__BODY_PUBLICITY;
		w->e.publicity = p;
		break;
	}
	case S_TRAINING: {
		Lawtally__V1__Training *t = &w->body.training;
		lawtally__v1__training__init(t);
		t->attendees = 5 + (uint32_t)(round % 30);
		t->topic = "人民调解法";
		w->e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
		w->e.training = t;
		break;
	}
	}
}

void workload_registered(struct workload_event *w, uint64_t seed, uint64_t i)
{
	lawtally__v1__event__init(&w->e);
	memset(w->id, 0, sizeof(w->id));
	snprintf(w->village, sizeof(w->village), "ZL%02u", (unsigned)(i % VILLAGES) + 1);
	snprintf(w->source, sizeof(w->source), "centre-%s", w->village);
	w->e.id = (ProtobufCBinaryData){16, w->id};
	w->e.village = w->village;
	w->e.source = w->source;
	w->e.occurred_at = YEAR_2024_START + (int64_t)(i % 12) * 30 * 86400 + (int64_t)(i % 86400);
	make_dispute(w, seed, i, 'R', 0);
}

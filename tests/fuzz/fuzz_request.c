/*
 * fuzz_request.c - one ingest frame: the wire check with the events' spans,
 * the decoding, the validation of every event and the scope rules of every
 * role, and a forwarding township's names, as take_request() in
 * daemon/ingest.c does them. Each span must decode to the very event
 * unpack gave, since the store keeps those bytes; names that read must
 * pack and read back the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scope.h"
#include "tally.h"
#include "townnames.h"
#include "validate.h"
#include "villages.h"

/* The daemon's clock for the fuzz runs: 2024-06-10T00:00:00+08:00. */
#define NOW 1717948800LL

static struct villages villages;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct scope roles[] = {
		{SCOPE_VILLAGE, "ZL07", ""}, {SCOPE_DEVICE, "", ""}, {SCOPE_OFFICE, "", ""},
		{SCOPE_TOWNSHIP, "", "410423100"},
	};
	if (villages.n == 0)
		villages_builtin(&villages);
	if (size > VALIDATE_FRAME_MAX)
		return 0;
	static struct validate_span spans[VALIDATE_EVENTS_MAX];
	size_t nspans = 0;
	if (validate_request_wire(data, size, spans, VALIDATE_EVENTS_MAX, &nspans))
		return 0;
	Lawtally__V1__SubmitRequest *req = lawtally__v1__submit_request__unpack(NULL, size, data);
	if (!req)
		return 0;
	for (size_t i = 0; i < req->n_events; i++) {
		const Lawtally__V1__Event *e = req->events[i];
		if (nspans == req->n_events) {
			FUZZ_REQUIRE(spans[i].off <= size && spans[i].len <= size - spans[i].off);
			Lawtally__V1__Event *again =
				lawtally__v1__event__unpack(NULL, spans[i].len, data + spans[i].off);
			FUZZ_REQUIRE(again != NULL);
			size_t a = lawtally__v1__event__get_packed_size(e);
			size_t b = lawtally__v1__event__get_packed_size(again);
			FUZZ_REQUIRE(a == b);
			uint8_t *pa = malloc(a ? a : 1), *pb = malloc(b ? b : 1);
			FUZZ_REQUIRE(pa && pb);
			lawtally__v1__event__pack(e, pa);
			lawtally__v1__event__pack(again, pb);
			FUZZ_REQUIRE(memcmp(pa, pb, a) == 0);
			free(pa);
			free(pb);
			lawtally__v1__event__free_unpacked(again, NULL);
		}
		if (validate_event(e, &villages) || validate_ahead(e, NOW))
			continue;
		for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++)
			scope_check_event(&roles[r], e);
		struct tally_fact f;
		if (e->body_case != LAWTALLY__V1__EVENT__BODY_RETRACTION)
			FUZZ_REQUIRE(tally_fact_from_event(e, 8 * 3600, &f) == 0);
	}
	static struct townnames names, again;
	if (req->names && !townnames_read(req->names, &names)) {
		size_t len;
		uint8_t *buf = townnames_pack(names.name, &names.villages, &len);
		Lawtally__V1__TownshipNames *m =
			lawtally__v1__township_names__unpack(NULL, len, buf);
		FUZZ_REQUIRE(m != NULL);
		FUZZ_REQUIRE(townnames_read(m, &again) == NULL);
		FUZZ_REQUIRE(strcmp(names.name, again.name) == 0 &&
			     names.villages.n == again.villages.n);
		for (size_t i = 0; i < names.villages.n; i++)
			FUZZ_REQUIRE(strcmp(names.villages.v[i].code, again.villages.v[i].code) == 0 &&
				     strcmp(names.villages.v[i].name, again.villages.v[i].name) == 0);
		lawtally__v1__township_names__free_unpacked(m, NULL);
		free(buf);
	}
	lawtally__v1__submit_request__free_unpacked(req, NULL);
	return 0;
}

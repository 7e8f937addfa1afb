/* test_arena.c - the ingest group's bump allocator (common/arena.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "lawtally.pb-c.h"

static void test_aligned_and_distinct(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	unsigned char *prev = NULL;
	for (size_t n = 1; n < 200; n++) {
		unsigned char *p = arena_alloc(&a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, 0xab, n); /* the whole block is ours: ASan would see an overrun */
		if (prev)
			assert_true(p != prev);
		prev = p;
	}
	arena_free(&a);
}

/* After a reset the same memory is handed out again: no malloc per group. */
static void test_reset_reuses(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	void *first = arena_alloc(&a, 100);
	for (int i = 0; i < 5000; i++)
		assert_non_null(arena_alloc(&a, 100));
	size_t held = a.held;
	assert_true(held >= 5001 * 100);
	arena_reset(&a);
	assert_ptr_equal(arena_alloc(&a, 100), first);
	for (int i = 0; i < 5000; i++)
		assert_non_null(arena_alloc(&a, 100));
	assert_int_equal(a.held, held);
	arena_free(&a);
	assert_int_equal(a.held, 0);
}

/* One block larger than a chunk, then small ones; a reset keeps ARENA_KEEP at most. */
static void test_large_and_kept(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	unsigned char *big = arena_alloc(&a, 3 * ARENA_CHUNK + 5);
	assert_non_null(big);
	memset(big, 1, 3 * ARENA_CHUNK + 5);
	for (int i = 0; i < 200; i++) /* 200 x 64 KiB: past ARENA_KEEP */
		assert_non_null(arena_alloc(&a, ARENA_CHUNK));
	assert_true(a.held > ARENA_KEEP);
	arena_reset(&a);
	assert_true(a.held <= ARENA_KEEP);
	assert_true(a.held >= 3 * ARENA_CHUNK);
	/* a kept chunk too small for a request is passed over, not overrun */
	unsigned char *p = arena_alloc(&a, 5 * ARENA_CHUNK);
	assert_non_null(p);
	memset(p, 2, 5 * ARENA_CHUNK);
	assert_null(arena_alloc(&a, SIZE_MAX - 8));
	arena_free(&a);
}

/* protobuf-c unpacks into the arena; the unpacked request reads back the same. */
static void test_protobuf_allocator(void **state)
{
	(void)state;
	Lawtally__V1__Event ev[3];
	Lawtally__V1__Event *evp[3];
	uint8_t ids[3][16];
	Lawtally__V1__SubmitRequest req = LAWTALLY__V1__SUBMIT_REQUEST__INIT;
	for (int i = 0; i < 3; i++) {
		lawtally__v1__event__init(&ev[i]);
		memset(ids[i], i + 1, 16);
		ev[i].id = (ProtobufCBinaryData){16, ids[i]};
		ev[i].source = "village:410101001";
		ev[i].occurred_at = 1718000000 + i;
		evp[i] = &ev[i];
	}
	req.batch_id = 42;
	req.n_events = 3;
	req.events = evp;
	size_t len = lawtally__v1__submit_request__get_packed_size(&req);
	uint8_t *buf = malloc(len);
	assert_non_null(buf);
	lawtally__v1__submit_request__pack(&req, buf);

	struct arena a;
	arena_init(&a);
	for (int round = 0; round < 3; round++) {
		Lawtally__V1__SubmitRequest *got =
			lawtally__v1__submit_request__unpack(&a.pb, len, buf);
		assert_non_null(got);
		assert_int_equal(got->batch_id, 42);
		assert_int_equal(got->n_events, 3);
		for (int i = 0; i < 3; i++) {
			assert_memory_equal(got->events[i]->id.data, ids[i], 16);
			assert_string_equal(got->events[i]->source, "village:410101001");
			assert_int_equal(got->events[i]->occurred_at, 1718000000 + i);
		}
		/* freeing through the arena's allocator is a no-op: no double free */
		lawtally__v1__submit_request__free_unpacked(got, &a.pb);
		arena_reset(&a);
	}
	/* a truncated frame fails to unpack without leaking or crashing */
	assert_null(lawtally__v1__submit_request__unpack(&a.pb, len - 3, buf));
	arena_free(&a);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aligned_and_distinct),
		cmocka_unit_test(test_reset_reuses),
		cmocka_unit_test(test_large_and_kept),
		cmocka_unit_test(test_protobuf_allocator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

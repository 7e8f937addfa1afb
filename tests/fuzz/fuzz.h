/*
 * fuzz.h - the one function every fuzz target defines (libFuzzer's entry).
 *
 * Each tests/fuzz/fuzz_NAME.c feeds one input to one parser of hostile
 * input and checks what must hold for any input; a violated property
 * aborts, which libFuzzer and the replay (replay.c) report as a crash.
 */
#ifndef LAWTALLY_FUZZ_H
#define LAWTALLY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message when a property of the target does not hold. */
#define FUZZ_REQUIRE(cond)                                                          \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "fuzz: %s:%d: %s does not hold\n", __FILE__, \
				__LINE__, #cond);                                   \
			abort();                                                    \
		}                                                                   \
	} while (0)

#endif

/*
 * test_labels.c - the report's words for dimension values read back as
 * those values through common/words.c, the table people's input goes
 * through: what the office reads in a report, a mediator may type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "labels.h"
#include "tally.h"
#include "words.h"

static void test_labels_read_back(void **state)
{
	(void)state;
	unsigned checked = 0;
	for (int m = 0; m < M_COUNT; m++) {
		const struct tally_metric_info *mi = tally_metric((enum tally_metric)m);
		for (int d = 0; d < 2; d++) {
			const ProtobufCEnumDescriptor *desc = mi->dim[d].desc;
			if (!mi->dim[d].name || !desc)
				continue;
			for (unsigned v = 0; v < desc->n_values; v++) {
				int value = desc->values[v].value;
				if (value == 0)
					continue;
				const char *zh = labels_dim_value(m, d, value, LANG_ZH);
				if (words_enum(desc, zh) != value)
					fail_msg("%s: label \"%s\" does not read back as %s",
						 mi->name, zh, desc->values[v].name);
				checked++;
			}
		}
	}
	assert_true(checked > 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels_read_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

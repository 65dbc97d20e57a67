/*
 * Dates, periods and Ombudsman references from outside input: never a
 * crash, and whatever parses formats back to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "period.h"
#include "reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';

	int32_t day;
	if (date_parse(s, &day) == LD_OK) {
		char out[DATE_STRLEN];
		date_format(day, out);
		if (strcmp(out, s))
			abort(); /* a date reads back as itself */
	}
	struct period p;
	if (period_parse(s, &p) == LD_OK &&
	    (p.from > p.to || strcmp(p.label, s)))
		abort();
	char ref[REFERENCE_MAX], again[REFERENCE_MAX];
	static const char *const masks[] = {"#########", "## ### ###", NULL};
	for (int i = 0; i < 3; i++) {
		if (reference_normalise(masks[i], s, ref) != LD_OK)
			continue;
		/* Normalising is idempotent. */
		if (reference_normalise(masks[i], ref, again) != LD_OK ||
		    strcmp(ref, again))
			abort();
	}
	free(s);
	return 0;
}

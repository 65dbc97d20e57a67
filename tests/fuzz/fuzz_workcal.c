/*
 * The working-day calculator against a naive day-by-day loop, on a
 * calendar whose holidays the fuzzer chooses.
 */
#include <stdint.h>
#include <stdlib.h>

#include "date.h"
#include "workcal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	struct workcal cal;
	int32_t first = date_from_ymd(2020, 1, 1);
	int32_t last = date_from_ymd(2022, 12, 31);
	workcal_init(&cal);
	workcal_set_range(&cal, first, last);
	/* Bytes after the first four pick holidays. */
	for (size_t i = 4; i + 1 < size; i += 2)
		workcal_add_holiday(&cal, first + (data[i] << 8 | data[i + 1]) %
							  1096);
	int32_t from = first + (data[0] << 8 | data[1]) % 1096;
	int n = (data[2] << 8 | data[3]) % 400;
	int32_t due;
	enum ld_err err = workcal_add(&cal, from, n, &due);
	if (!err) {
		int count = 0;
		for (int32_t d = from + 1; d <= due; d++)
			count += workcal_is_working_day(&cal, d);
		if (count != n || (n > 0 && !workcal_is_working_day(&cal, due)))
			abort();
		int between;
		if (workcal_between(&cal, from, due, &between) || between != n)
			abort();
	} else if (err != LD_ERANGE) {
		abort();
	}
	workcal_release(&cal);
	return 0;
}

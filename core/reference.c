#include "reference.h"

#include <string.h>

static enum ld_err free_text(const char *input, char out[REFERENCE_MAX])
{
	size_t start = 0, end = strlen(input);
	while (input[start] == ' ')
		start++;
	while (end > start && input[end - 1] == ' ')
		end--;
	if (end == start || end - start >= REFERENCE_MAX)
		return LD_EINVAL;
	for (size_t i = start; i < end; i++)
		if ((unsigned char)input[i] < 0x20 || input[i] == 0x7f)
			return LD_EINVAL;
	memcpy(out, input + start, end - start);
	out[end - start] = '\0';
	return LD_OK;
}

enum ld_err reference_normalise(const char *mask, const char *input,
				char out[REFERENCE_MAX])
{
	char digits[REFERENCE_MAX];
	size_t nd = 0, want = 0;

	if (!input)
		return LD_EINVAL;
	if (!mask)
		return free_text(input, out);
	if (strlen(mask) >= REFERENCE_MAX)
		return LD_EINVAL;
	for (const char *m = mask; *m; m++)
		want += *m == '#';
	for (const char *p = input; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (nd == want)
				return LD_EINVAL;
			digits[nd++] = *p;
		} else if (*p != ' ' && *p != '-') {
			return LD_EINVAL;
		}
	}
	if (nd != want || want == 0)
		return LD_EINVAL;
	size_t o = 0, d = 0;
	for (const char *m = mask; *m; m++)
		out[o++] = *m == '#' ? digits[d++] : *m;
	out[o] = '\0';
	return LD_OK;
}

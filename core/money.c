#include "money.h"

#include <stdio.h>
#include <string.h>

void money_format(long long pence, char out[MONEY_STRLEN])
{
	/* Unsigned, so the most negative amount has a magnitude too. */
	unsigned long long v = pence < 0 ? 0ULL - (unsigned long long)pence
					 : (unsigned long long)pence;
	char digits[24], grouped[32];
	int n = snprintf(digits, sizeof(digits), "%llu", v / 100);
	size_t g = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	snprintf(out, MONEY_STRLEN, "%s£%s.%02llu", pence < 0 ? "-" : "",
		 grouped, v % 100);
}

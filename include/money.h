/*
 * Money as leadership reads it: pounds with a thousands separator and two
 * decimals ("£1,234.50", "-£12.00").  Amounts are kept in whole pence;
 * this is the one place they become text, for pages, exports and the API.
 */
#ifndef MONEY_H
#define MONEY_H

/* "-£92,233,720,368,547,758.08" plus the terminating NUL fits here. */
#define MONEY_STRLEN 40

/* Write pence as pounds into out. */
void money_format(long long pence, char out[MONEY_STRLEN]);

#endif

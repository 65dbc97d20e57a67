#include "csv.h"

#include <string.h>

enum ld_err csv_field(struct buf *out, const char *value, bool first)
{
	enum ld_err err = first ? LD_OK : buf_addch(out, ',');
	if (err)
		return err;
	/*
	 * A leading =, +, - or @ would be read by a spreadsheet as a formula,
	 * and a leading tab, carriage return or line feed is dropped by some
	 * before they look at what follows ("\t=cmd"): prefix each with a quote
	 * so a value is always a value.
	 */
	bool formula = value[0] && strchr("=+-@\t\r\n", value[0]);
	if (!strpbrk(value, ",\"\r\n") && !formula)
		return buf_addstr(out, value);
	if ((err = buf_addch(out, '"')))
		return err;
	if (formula && (err = buf_addch(out, '\'')))
		return err;
	for (const char *p = value; *p && !err; p++)
		err = *p == '"' ? buf_addstr(out, "\"\"") : buf_addch(out, *p);
	return err ? err : buf_addch(out, '"');
}

enum ld_err csv_end(struct buf *out)
{
	return buf_addstr(out, "\r\n");
}

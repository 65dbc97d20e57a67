/*
 * RFC 4180 CSV: the one piece of a file format Linkdesk writes by hand,
 * kept tiny and tested.  Fields with a comma, quote, CR or LF are quoted,
 * quotes doubled; records end with CRLF.  A field that a spreadsheet
 * could read as a formula (one beginning with =, +, -, @, a tab, a line feed or
 * a carriage return) is written quoted with a leading apostrophe.
 */
#ifndef CSV_H
#define CSV_H

#include <stdbool.h>

#include "buf.h"

/* Append one field (first: no comma before it). */
enum ld_err csv_field(struct buf *out, const char *value, bool first);

/* End a record. */
enum ld_err csv_end(struct buf *out);

#endif

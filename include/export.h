/*
 * Exports as a spreadsheet: a table of named, typed columns, written as CSV
 * (RFC 4180, UTF-8) or XLSX (libxlsxwriter: dates as dates, numbers as
 * numbers, a bold header row frozen in place) and sent as an attachment.
 */
#ifndef EXPORT_H
#define EXPORT_H

#include "http.h"
#include "report_store.h"

struct table {
	int ncols, nrows;
	const char **names;
	enum report_type *types;
	/* The text of a cell, or NULL for an empty one. */
	const char *(*cell)(void *src, int row, int col);
	void *src;
};

enum ld_err export_csv(struct request *req, const struct table *t,
		       const char *filename);
enum ld_err export_xlsx(struct request *req, const struct table *t,
			const char *filename, const char *sheet);

#endif

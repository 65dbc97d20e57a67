/*
 * Reading fields of a JSON request body, each refusal naming the field:
 * wrong type, missing, too long, not a real date, out of bounds, not one of
 * the allowed values, or a field the endpoint does not know.  When an
 * optional field is absent the output is left as it was.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "http.h"

/*
 * Pass over obj's field key from now on, as if it were left out even where
 * it is required (false when the list is full): a form shows every
 * refusal at once by decoding again without each field refused
 * (form_decode() in page_form.c).  The list is the request's.
 */
bool input_skip(struct request *req, const json_t *obj, const char *key);

/*
 * obj's field key as the decoders see it: NULL when it is absent or passed
 * over (input_skip()); a JSON null is a value.  For a decoder that asks
 * whether a field is there before it decodes it.
 */
json_t *input_field(const struct request *req, json_t *obj, const char *key);

/* Refuse any field of obj not in the NULL-terminated list. */
enum ld_err input_known_fields(struct request *req, json_t *obj,
			       const char *const *fields);

/*
 * A string of 1 to maxlen characters (UTF-8 code points, as PostgreSQL's
 * length() counts them; no space is trimmed: what was sent is kept), valid
 * UTF-8, with no control characters other than tab, newline and carriage
 * return.
 */
enum ld_err input_string(struct request *req, json_t *obj, const char *field,
			 size_t maxlen, bool required, const char **out);

/*
 * input_string() for a field that is one line (a title): a carriage return
 * or line feed is refused, since a title travels into mail subjects and
 * calendar summaries, where a line break would end or fold the line.
 */
enum ld_err input_line(struct request *req, json_t *obj, const char *field,
		       size_t maxlen, bool required, const char **out);

enum ld_err input_date(struct request *req, json_t *obj, const char *field,
		       bool required, int32_t *out);

enum ld_err input_int(struct request *req, json_t *obj, const char *field,
		      long long min, long long max, bool required,
		      long long *out);

enum ld_err input_bool(struct request *req, json_t *obj, const char *field,
		       bool required, bool *out);

/* One of the NULL-terminated values; *out is its index. */
enum ld_err input_enum(struct request *req, json_t *obj, const char *field,
		       const char *const *values, bool required, int *out);

/*
 * One of the names of a table of include/kinds.h (rows stride bytes apart,
 * each beginning with its name, the last NULL); *out is its index.
 */
enum ld_err input_kind(struct request *req, json_t *obj, const char *field,
		       const void *table, size_t stride, bool required,
		       int *out);

/* The same for a query parameter (absent: *out left as it was). */
enum ld_err input_query_kind(struct request *req, const char *name,
			     const void *table, size_t stride, int *out);

/*
 * After an error inside element i of array name, make the error's field
 * read "name[i].field" (i counted from 0, as in JSON); with i < 0, inside
 * the object name: "name.field".
 */
void input_nest_field(struct request *req, const char *name, int i);

/* An array field (may be absent: *out NULL); at most max elements. */
enum ld_err input_array(struct request *req, json_t *obj, const char *field,
			size_t max, json_t **out);

/* An array of positive ids into arena memory. */
enum ld_err input_ids(struct request *req, json_t *obj, const char *field,
		      int64_t **ids, int *n);

/*
 * The version a change is made against: "version" in the body, or an
 * If-Match header ("3" or W/"3").  Required.
 */
enum ld_err input_version(struct request *req, json_t *obj, int *out);

#endif

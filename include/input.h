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

/* Refuse any field of obj not in the NULL-terminated list. */
enum ld_err input_known_fields(struct request *req, json_t *obj,
			       const char *const *fields);

/*
 * A string of 1 to maxlen bytes (after trimming no space: what was sent is
 * kept), with no control characters other than tab and newline.
 */
enum ld_err input_string(struct request *req, json_t *obj, const char *field,
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

#endif

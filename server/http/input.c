#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "date.h"
#include "kinds.h"
#include "utf8.h"

#define SKIPS_MAX 16

struct input_skips {
	int n;
	const json_t *obj[SKIPS_MAX];
	const char *key[SKIPS_MAX];
};

bool input_skip(struct request *req, const json_t *obj, const char *key)
{
	if (!req->skips)
		req->skips = arena_calloc(req->arena, 1, sizeof(*req->skips));
	struct input_skips *s = req->skips;
	if (s->n == SKIPS_MAX)
		return false;
	s->obj[s->n] = obj;
	s->key[s->n++] = arena_strdup(req->arena, key);
	return true;
}

static bool skipped(const struct request *req, const json_t *obj,
		    const char *key)
{
	const struct input_skips *s = req->skips;
	for (int i = 0; s && i < s->n; i++)
		if (s->obj[i] == obj && !strcmp(s->key[i], key))
			return true;
	return false;
}

json_t *input_field(const struct request *req, json_t *obj, const char *key)
{
	return skipped(req, obj, key) ? NULL : json_object_get(obj, key);
}

enum ld_err input_known_fields(struct request *req, json_t *obj,
			       const char *const *fields)
{
	const char *key;
	json_t *value;

	json_object_foreach(obj, key, value)
	{
		bool known = skipped(req, obj, key);
		for (int i = 0; fields[i] && !known; i++)
			known = !strcmp(key, fields[i]);
		if (!known)
			return request_fail(req, LD_EINVAL, key,
					    "unknown field \"%.60s\"", key);
	}
	return LD_OK;
}

static json_t *field_value(json_t *obj, const char *field, bool required,
			   struct request *req, enum ld_err *err)
{
	json_t *v = json_object_get(obj, field);
	*err = LD_OK;
	if (skipped(req, obj, field))
		return NULL;
	if (!v || json_is_null(v)) {
		if (required)
			*err = request_fail(req, LD_EINVAL, field,
					    "%s is required", field);
		return NULL;
	}
	return v;
}

static enum ld_err text_field(struct request *req, json_t *obj,
			      const char *field, size_t maxlen, bool required,
			      bool one_line, const char **out)
{
	enum ld_err err;
	json_t *v = field_value(obj, field, required, req, &err);
	if (!v)
		return err;
	if (!json_is_string(v))
		return request_fail(req, LD_EINVAL, field,
				    "%s must be a string", field);
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (strlen(s) != len)
		return request_fail(req, LD_EINVAL, field,
				    "%s must not contain NUL characters",
				    field);
	if (len == 0 && required)
		return request_fail(req, LD_EINVAL, field,
				    "%s must not be empty", field);
	long chars = utf8_chars(s, len);
	if (chars < 0)
		return request_fail(req, LD_EINVAL, field,
				    "%s is not valid UTF-8", field);
	if ((size_t)chars > maxlen)
		return request_fail(req, LD_EINVAL, field,
				    "%s is longer than %zu characters", field,
				    maxlen);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (one_line && (c == '\n' || c == '\r'))
			return request_fail(req, LD_EINVAL, field,
					    "%s must be one line: it contains "
					    "a line break",
					    field);
		if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') ||
		    c == 0x7f)
			return request_fail(req, LD_EINVAL, field,
					    "%s contains a control character",
					    field);
	}
	*out = s;
	return LD_OK;
}

enum ld_err input_string(struct request *req, json_t *obj, const char *field,
			 size_t maxlen, bool required, const char **out)
{
	return text_field(req, obj, field, maxlen, required, false, out);
}

enum ld_err input_line(struct request *req, json_t *obj, const char *field,
		       size_t maxlen, bool required, const char **out)
{
	return text_field(req, obj, field, maxlen, required, true, out);
}

enum ld_err input_date(struct request *req, json_t *obj, const char *field,
		       bool required, int32_t *out)
{
	enum ld_err err;
	json_t *v = field_value(obj, field, required, req, &err);
	if (!v)
		return err;
	if (!json_is_string(v) || date_parse(json_string_value(v), out))
		return request_fail(req, LD_EINVAL, field,
				    "%s must be a real date as YYYY-MM-DD",
				    field);
	return LD_OK;
}

enum ld_err input_int(struct request *req, json_t *obj, const char *field,
		      long long min, long long max, bool required,
		      long long *out)
{
	enum ld_err err;
	json_t *v = field_value(obj, field, required, req, &err);
	if (!v)
		return err;
	if (!json_is_integer(v))
		return request_fail(req, LD_EINVAL, field,
				    "%s must be a whole number", field);
	long long n = json_integer_value(v);
	if (n < min || n > max)
		return request_fail(req, LD_EINVAL, field,
				    "%s must be from %lld to %lld", field, min,
				    max);
	*out = n;
	return LD_OK;
}

enum ld_err input_bool(struct request *req, json_t *obj, const char *field,
		       bool required, bool *out)
{
	enum ld_err err;
	json_t *v = field_value(obj, field, required, req, &err);
	if (!v)
		return err;
	if (!json_is_boolean(v))
		return request_fail(req, LD_EINVAL, field,
				    "%s must be true or false", field);
	*out = json_is_true(v);
	return LD_OK;
}

enum ld_err input_enum(struct request *req, json_t *obj, const char *field,
		       const char *const *values, bool required, int *out)
{
	enum ld_err err;
	json_t *v = field_value(obj, field, required, req, &err);
	if (!v)
		return err;
	const char *s = json_string_value(v);
	for (int i = 0; s && values[i]; i++) {
		if (!strcmp(s, values[i])) {
			*out = i;
			return LD_OK;
		}
	}
	char allowed[400] = "";
	for (int i = 0; values[i]; i++) {
		size_t len = strlen(allowed);
		snprintf(allowed + len, sizeof(allowed) - len, "%s%s",
			 i ? ", " : "", values[i]);
	}
	return request_fail(req, LD_EINVAL, field, "%s must be one of: %s",
			    field, allowed);
}

static enum ld_err kind_refused(struct request *req, const char *field,
				const void *table, size_t stride)
{
	char allowed[600] = "";
	for (int i = 0; kind_name(table, stride, i); i++) {
		size_t len = strlen(allowed);
		snprintf(allowed + len, sizeof(allowed) - len, "%s%s",
			 i ? ", " : "", kind_name(table, stride, i));
	}
	return request_fail(req, LD_EINVAL, field, "%s must be one of: %s",
			    field, allowed);
}

enum ld_err input_kind(struct request *req, json_t *obj, const char *field,
		       const void *table, size_t stride, bool required,
		       int *out)
{
	enum ld_err err;
	json_t *v = field_value(obj, field, required, req, &err);
	if (!v)
		return err;
	int i = kind_index(table, stride, json_string_value(v));
	if (i < 0)
		return kind_refused(req, field, table, stride);
	*out = i;
	return LD_OK;
}

enum ld_err input_query_kind(struct request *req, const char *name,
			     const void *table, size_t stride, int *out)
{
	const char *v = request_query(req, name);
	if (!v)
		return LD_OK;
	int i = kind_index(table, stride, v);
	if (i < 0)
		return kind_refused(req, name, table, stride);
	*out = i;
	return LD_OK;
}

void input_nest_field(struct request *req, const char *name, int i)
{
	const char *inner = req->err_field ? req->err_field : "";
	const char *dot = req->err_field ? "." : "";
	if (i < 0)
		req->err_field =
			arena_printf(req->arena, "%s%s%s", name, dot, inner);
	else
		req->err_field = arena_printf(req->arena, "%s[%d]%s%s", name, i,
					      dot, inner);
}

enum ld_err input_array(struct request *req, json_t *obj, const char *field,
			size_t max, json_t **out)
{
	json_t *v = json_object_get(obj, field);
	*out = NULL;
	if (!v || json_is_null(v) || skipped(req, obj, field))
		return LD_OK;
	if (!json_is_array(v))
		return request_fail(req, LD_EINVAL, field,
				    "%s must be an array", field);
	if (json_array_size(v) > max)
		return request_fail(req, LD_EINVAL, field,
				    "%s has more than %zu items", field, max);
	*out = v;
	return LD_OK;
}

enum ld_err input_ids(struct request *req, json_t *obj, const char *field,
		      int64_t **ids, int *n)
{
	json_t *arr, *v;
	size_t i;
	enum ld_err err = input_array(req, obj, field, 1000, &arr);
	*ids = NULL;
	*n = 0;
	if (err || !arr)
		return err;
	*ids = arena_calloc(req->arena, json_array_size(arr) + 1,
			    sizeof(**ids));
	json_array_foreach(arr, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return request_fail(req, LD_EINVAL, field,
					    "%s must hold ids (whole numbers "
					    "above 0)",
					    field);
		(*ids)[(*n)++] = json_integer_value(v);
	}
	return LD_OK;
}

enum ld_err input_version(struct request *req, json_t *obj, int *out)
{
	const char *match = request_header(req, "If-Match");
	long long v = 0;
	if (input_field(req, obj, "version")) {
		enum ld_err err =
			input_int(req, obj, "version", 1, 2147483647, true, &v);
		if (!err)
			*out = (int)v;
		return err;
	}
	if (match) {
		char *end;
		if (!strncmp(match, "W/", 2))
			match += 2;
		if (*match == '"')
			match++;
		errno = 0;
		v = strtoll(match, &end, 10);
		if (!errno && v > 0 && v < 2147483647 &&
		    (*end == '"' || *end == '\0')) {
			*out = (int)v;
			return LD_OK;
		}
	}
	return request_fail(req, LD_EINVAL, "version",
			    "version is required (or an If-Match header): the "
			    "version you are changing");
}

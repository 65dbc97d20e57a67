/*
 * What every form shares: what was typed as the API's body, and the API's
 * refusal shown on the form.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "date.h"
#include "input.h"
#include "app.h"
#include "page.h"

json_t *page_parsed(char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return j;
}

bool page_positive_id(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0)
		return false;
	*out = v;
	return true;
}

enum ld_err page_posted(struct request *req, json_t *form, int64_t *id)
{
	enum ld_err err = request_id(req, 0, id);
	if (!err && !form)
		err = request_fail(req, LD_EINVAL, NULL,
				   "The form is malformed.");
	return err;
}

void page_why_refused(struct request *req, struct why *why)
{
	why->field = req->err_field;
	snprintf(why->msg, sizeof(why->msg), "%s",
		 req->err_message ? req->err_message : "");
}

json_t *form_body(struct request *req)
{
	json_t *body = json_object();
	request_own(req, body);
	return body;
}

void form_body_number(json_t *body, const char *key, const char *text)
{
	char *end;
	if (!*text)
		return;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	json_object_set_new(body, key,
			    !errno && end != text && !*end ? json_integer(v)
							   : json_string(text));
}

void form_body_date(json_t *body, const char *key, int32_t day)
{
	char text[DATE_STRLEN];
	if (!day)
		return;
	date_format(day, text);
	json_object_set_new(body, key, json_string(text));
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), e = strlen(end);
	return n >= e && !strcmp(s + n - e, end);
}

unsigned int form_refused(struct request *req, json_t *ctx,
			  const struct form_input *inputs, const int *rows,
			  int nrows, enum ld_err err, const char *field,
			  const char *msg)
{
	const char *f = field ? field : "", *open = strchr(f, '[');
	const char *key = f;
	int row = nrows > 0 ? rows[0] : 1;
	if (open) {
		char *end;
		long i = strtol(open + 1, &end, 10);
		if (*end == ']' && i >= 0 && i < nrows)
			row = rows[i];
		key = arena_printf(req->arena, "%.*s[]%s", (int)(open - f), f,
				   *end == ']' ? end + 1 : "");
	}
	const struct form_input *in = &inputs[0];
	for (int k = 0; inputs[k].field; k++)
		if (!strcmp(inputs[k].field, key))
			in = &inputs[k];
	size_t idlen = strlen(in->id);
	const char *id = idlen && in->id[idlen - 1] == '-'
				 ? arena_printf(req->arena, "%s%d", in->id, row)
				 : in->id;
	const char *name = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
	const char *text = msg && *msg ? msg : "That could not be done";
	size_t n = strlen(name);
	if (in->missing && (ends_with(text, " is required") ||
			    ends_with(text, " must not be empty")))
		text = in->missing;
	else if (in->label && n && !strncmp(text, name, n) && text[n] == ' ')
		text = arena_printf(req->arena, "%s%s", in->label, text + n);
	if (!json_object_get(json_object_get(ctx, "err"), id))
		page_field_error(ctx, id, text);
	return http_status(err);
}

void refusals_add(struct request *req, struct refusals *refused,
		  enum ld_err err, const char *field, const char *msg)
{
	if (refused->n == FORM_REFUSALS_MAX)
		return;
	struct refusal *r = &refused->r[refused->n++];
	r->err = err;
	r->field = arena_strdup(req->arena, field ? field : "");
	r->msg = arena_strdup(req->arena, msg ? msg : "");
}

/*
 * The object of body that holds the field a refusal names
 * ("complaint.resident.name", "tasks[0].title"), and in *key its name
 * there; NULL when there is no such object.
 */
static json_t *field_parent(struct request *req, json_t *body,
			    const char *field, const char **key)
{
	json_t *obj = body;
	const char *s = field;
	for (;;) {
		size_t n = strcspn(s, ".[");
		if (!s[n]) {
			*key = s;
			return n ? obj : NULL;
		}
		json_t *v = json_object_get(
			obj, arena_printf(req->arena, "%.*s", (int)n, s));
		s += n;
		if (*s == '[') {
			char *end;
			long i = strtol(s + 1, &end, 10);
			if (*end != ']' || i < 0)
				return NULL;
			v = json_array_get(v, (size_t)i);
			s = end + 1;
		}
		if (!json_is_object(v) || *s != '.')
			return NULL;
		obj = v;
		s++;
	}
}

enum ld_err form_decode(struct request *req, json_t *body, form_decoder d,
			void *out, struct refusals *refused)
{
	struct input_skips *before = req->skips;
	enum ld_err first = LD_OK;
	refused->n = 0;
	req->skips = NULL;
	while (refused->n < FORM_REFUSALS_MAX) {
		enum ld_err err = d(req, body, out);
		if (!err)
			break;
		const char *field = req->err_field ? req->err_field : "";
		bool again = false;
		for (int k = 0; k < refused->n; k++)
			again = again || !strcmp(refused->r[k].field, field);
		if (again)
			break;
		if (!first)
			first = err;
		refusals_add(req, refused, err, field, req->err_message);
		const char *key;
		json_t *obj = field_parent(req, body, field, &key);
		if (!obj || !input_skip(req, obj, key))
			break;
	}
	req->skips = before;
	return first;
}

unsigned int form_show_refusals(struct request *req, json_t *ctx,
				const struct form_input *inputs,
				const int *rows, int nrows,
				const struct refusals *refused,
				const char *const *plain)
{
	unsigned int status = 400;
	for (int i = 0; i < refused->n; i++) {
		const struct refusal *r = &refused->r[i];
		const char *msg = r->msg, *dot = strrchr(r->field, '.');
		const char *name = dot ? dot + 1 : r->field;
		size_t len = strlen(name);
		for (int k = 0; plain && plain[k]; k += 2)
			if (!strcmp(plain[k], r->field))
				msg = plain[k + 1];
		/* One that begins with its field's name takes its label. */
		if (msg == r->msg && *msg &&
		    !(len && !strncmp(msg, name, len) && msg[len] == ' '))
			msg = arena_printf(req->arena, "%c%s",
					   toupper((unsigned char)msg[0]),
					   msg + 1);
		unsigned int st = form_refused(req, ctx, inputs, rows, nrows,
					       r->err, r->field, msg);
		status = i ? status : st; /* the API's, for the first */
	}
	return status;
}

const char *page_file_max_text(struct request *req)
{
	long max = req->app->cfg.file_max;
	return max >= 1L << 20 && !(max & ((1L << 20) - 1))
		       ? arena_printf(req->arena, "%ld MB", max >> 20)
		       : arena_printf(req->arena, "%ld KB", (max + 1023) >> 10);
}

const char *page_upload_reason(struct request *req, enum ld_err err,
			       const char *msg, const char *thing)
{
	msg = msg ? msg : "";
	if (req->body_too_large || req->upload_refusal == UPLOAD_TOO_LARGE)
		return arena_printf(req->arena,
				    "The selected %s must be smaller than %s",
				    thing, page_file_max_text(req));
	if (err == LD_EFORBIDDEN && req->csrf_in_body && !req->csrf_ok)
		return arena_printf(req->arena,
				    "The page had expired. Choose the %s again "
				    "and upload it",
				    thing);
	if (err == LD_EFORBIDDEN)
		return arena_printf(req->arena, "You cannot upload a %s here",
				    thing);
	switch (req->upload_refusal) {
	case UPLOAD_NO_FILE:
		return arena_printf(req->arena, "Choose a %s to upload", thing);
	case UPLOAD_MANY_FILES: return "Choose one file at a time";
	case UPLOAD_NOT_MULTIPART:
		return arena_printf(req->arena,
				    "The selected %s could not be uploaded. "
				    "Choose it again and upload it",
				    thing);
	case UPLOAD_REFUSED:
	case UPLOAD_TOO_LARGE: break;
	}
	return *msg ? arena_printf(req->arena, "%c%s",
				   toupper((unsigned char)msg[0]), msg + 1)
		    : arena_printf(req->arena, "The %s could not be uploaded",
				   thing);
}

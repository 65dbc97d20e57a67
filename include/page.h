/*
 * Helpers of the dashboard's pages (server-rendered HTML from
 * web/templates): the context every page has, forms, errors, redirects.
 */
#ifndef PAGE_H
#define PAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http.h"

/* Is this request for a page (not the API, a feed or a file)? */
bool page_path(const char *path);

/*
 * The context of every page: organisation, title, the user and their
 * navigation (current marks the page's entry), the CSRF token, and empty
 * errors.  A new reference.
 */
json_t *page_ctx(struct request *req, const char *title, const char *current);

/* Render a template with ctx (stolen) as the reply. */
enum ld_err page_render(struct request *req, unsigned int status,
			const char *name, json_t *ctx);

/*
 * A part of a page, template name rendered with ctx (stolen) into *html
 * (free() it), escaped as every page is: a part the same for every reader,
 * remembered once rendered and put into each reply by page_render_around().
 */
enum ld_err page_part(const char *name, json_t *ctx, char **html);

/* Reply with template top, then part as it is, then the footer, the two
 * templates rendered with ctx (stolen). */
enum ld_err page_render_around(struct request *req, unsigned int status,
			       const char *top, const char *part, json_t *ctx);

/* Reply 303 See Other to location (copied). */
enum ld_err page_redirect(struct request *req, const char *location);

/* The page a failed request shows: sign-in for 401, else an error page. */
enum ld_err page_error(struct request *req, enum ld_err err);

/* Add an error to a page's context: the summary links to #id. */
void page_field_error(json_t *ctx, const char *id, const char *text);

/* The urlencoded form of a POST (owned by the request); NULL when bad. */
json_t *page_form(struct request *req);

/* A form field as a string; "" when missing. */
const char *page_field(json_t *form, const char *name);

/*
 * A GOV.UK date input named id (id-day, id-month, id-year) as its context
 * object for the date_input partial, and the date: false with the
 * object's error set when required and missing, or not a real date.
 */
bool page_date(json_t *form, const char *id, const char *label,
	       const char *hint, bool required, int32_t *out, json_t **input);

/* A date input's context object showing a date (0: empty). */
json_t *page_date_input(const char *id, const char *label, const char *hint,
			int32_t day);

/* JSON text a store call made (NULL: none) parsed, the text freed. */
json_t *page_parsed(char *text);

/* A form field's text as an id above 0. */
bool page_positive_id(const char *s, int64_t *out);

/*
 * page_form.c: a form is decoded by its API twin's decoder from the JSON
 * body the API takes, built from what was typed (form_body: empty, owned
 * by the request).  A number typed becomes a JSON number, or stays text
 * when it is not a whole number, for the decoder to refuse; a date (0:
 * none) becomes "YYYY-MM-DD".  Empty text adds nothing.
 */
json_t *form_body(struct request *req);
/*
 * A form posted to a resource's address: the path's {id}, and the form
 * (page_form()'s, NULL when it could not be read: LD_EINVAL).
 */
enum ld_err page_posted(struct request *req, json_t *form, int64_t *id);
/*
 * A decoder's refusal (request_fail's field and sentence) as a why, so a
 * form shows the decoder's and the store's refusals the same way.
 */
struct why;
void page_why_refused(struct request *req, struct why *why);
void form_body_number(json_t *body, const char *key, const char *text);
void form_body_date(json_t *body, const char *key, int32_t day);

/*
 * Where a field of the API's body is on a form: "findings[].finding" is
 * the input "finding-N" of the form's row N; a message that begins with
 * the field's name begins with the label instead.
 */
struct form_input {
	const char *field;
	const char *id;	     /* ends in '-' where a row number follows */
	const char *label;   /* NULL: the message as it is */
	const char *missing; /* the message when it is left empty, or NULL */
};

/*
 * Show the API's refusal err (field, message) on the form: inputs[0] takes
 * a refusal of no input it knows, and the list ends with a NULL field;
 * rows[i] is the form's row of element i.  An input that shows an error
 * already (the form's own, a date it could not read) keeps that one.  Returns
 * the page's status: the API's for the same refusal (400 malformed, 422 against
 * a rule, 409 not now).
 */
unsigned int form_refused(struct request *req, json_t *ctx,
			  const struct form_input *inputs, const int *rows,
			  int nrows, enum ld_err err, const char *field,
			  const char *msg);

/*
 * A decoder of the API as a form calls it: out filled from body, or a
 * refusal by request_fail() naming its field.
 */
typedef enum ld_err (*form_decoder)(struct request *req, json_t *body,
				    void *out);

struct refusal {
	enum ld_err err;
	const char *field, *msg; /* the request's arena */
};

#define FORM_REFUSALS_MAX 12

/* The refusals of one form, in the order the decoder met them. */
struct refusals {
	int n;
	struct refusal r[FORM_REFUSALS_MAX];
};

/*
 * Every refusal of a form at once, the one way every form decodes: the
 * decoder refuses one field; it is passed over (input_skip()) and the
 * body decoded again, until the decoder accepts the rest, refuses a field
 * a second time, or refuses none by name.  Returns the first refusal's
 * error (LD_OK: the body accepted whole, out filled, refused->n 0).
 */
enum ld_err form_decode(struct request *req, json_t *body, form_decoder d,
			void *out, struct refusals *refused);

/* Add one refusal (a store's why, say) to a list. */
void refusals_add(struct request *req, struct refusals *refused,
		  enum ld_err err, const char *field, const char *msg);

/*
 * Show every refusal on the form through form_refused(), each in the
 * reader's words: plain (pairs of a field and its sentence, NULL-ended,
 * or NULL) where the API's words name codes, else the API's sentence
 * begun with a capital.  Returns the page's status: the first refusal's.
 */
unsigned int form_show_refusals(struct request *req, json_t *ctx,
				const struct form_input *inputs,
				const int *rows, int nrows,
				const struct refusals *refused,
				const char *const *plain);

/* The largest file an upload takes, in words ("20 MB"); the request's. */
const char *page_file_max_text(struct request *req);

/*
 * Why a page's upload of a thing ("file", "message") was refused, in the
 * reader's words: over the limit, no token (an expired page), not a
 * form's upload, or the refusal's own sentence msg (NULL: none) begun with
 * a capital.  Owned by the request.
 */
const char *page_upload_reason(struct request *req, enum ld_err err,
			       const char *msg, const char *thing);

/* Does the user have a role (enum role bit)? */
bool page_has_role(struct request *req, unsigned role);

/* The calendar's view of today's tasks: decorate an array of tasks. */
void page_view_tasks(struct request *req, json_t *tasks);

/* A section object for the tasks_table partial (tasks stolen). */
json_t *page_tasks_section(struct request *req, const char *caption,
			   const char *empty, json_t *tasks);

/*
 * The same for the first few of a longer list: total is how many there are
 * (the section says "the first N of total" when it shows fewer).
 */
json_t *page_tasks_section_of(struct request *req, const char *caption,
			      const char *empty, json_t *tasks,
			      json_int_t total);

/*
 * The home page shows this many of each of its longer lists (the most
 * urgent first) and links to the pages of every one: 50 rows each made
 * home 114 KB of JSON to read and 63 KB more HTML on every visit.
 */
#define PAGE_HOME_SHOWN 10

/*
 * Into ctx under key: "See all <total> <what>", the words of the link to
 * the rest, when home shows fewer than total.
 */
void page_home_more(json_t *ctx, const char *key, json_int_t total,
		    const char *what);

/*
 * A page (PAGE_ROWS) of a list home shows the first few of, at path with
 * ?page=N and GOV.UK pagination: into() puts the rows after offset into
 * the context and answers the total (-1 on failure, *err saying why).  A
 * page past the last (of a list that has rows) is not found; a ?page= that
 * is no page number is refused.
 */
enum ld_err page_paged(struct request *req, const char *title, const char *path,
		       const char *template,
		       json_int_t (*into)(struct request *req, json_t *ctx,
					  size_t offset, size_t max,
					  enum ld_err *err));

#endif

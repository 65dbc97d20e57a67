/*
 * The organisation's brand (issue 16): the administrators' page that sets
 * its name, colour and logo, and the two public addresses every page's
 * header reads them from: /brand/style.css and /brand/logo.
 *
 * The logo may be an SVG, which can hold script: it is served with a
 * policy of its own that runs none (sandbox, no script source), as an
 * image the page's <img> shows and that a browser opened on it cannot run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "brand.h"
#include "brand_store.h"
#include "filetype.h"
#include "handlers.h"
#include "page.h"

/* Why an upload was refused, by the code its redirect carries. */
static const struct {
	const char *code, *text;
} logo_errors[] = {
	{"empty", "Choose a logo: a PNG or SVG file"},
	{"large", "The logo must be smaller than 200 KB"},
	{"type", "The logo must be a PNG or SVG file"},
	{"form", "The logo could not be read: choose the file again"},
};

static const char *logo_error_code(const char *why)
{
	for (size_t i = 0; i < sizeof(logo_errors) / sizeof(logo_errors[0]);
	     i++)
		if (!strcmp(why, logo_errors[i].text))
			return logo_errors[i].code;
	return "form";
}

/* The words of a reason's code, or NULL. */
static const char *logo_error_text(const char *code)
{
	for (size_t i = 0;
	     code && i < sizeof(logo_errors) / sizeof(logo_errors[0]); i++)
		if (!strcmp(code, logo_errors[i].code))
			return logo_errors[i].text;
	return NULL;
}

static enum ld_err brand_page(struct request *req, json_t *ctx,
			      unsigned int status)
{
	json_t *brand = json_object_get(ctx, "brand");
	json_t *values = json_object_get(ctx, "values");
	if (!json_object_get(values, "name"))
		json_object_set(values, "name", json_object_get(brand, "name"));
	if (!json_object_get(values, "colour"))
		json_object_set(values, "colour",
				json_object_get(brand, "colour"));
	json_object_set_new(ctx, "back", json_string("/admin"));
	json_object_set_new(ctx, "logo_max_kb",
			    json_integer(BRAND_LOGO_MAX / 1024));
	return page_render(req, status, "brand", ctx);
}

enum ld_err h_page_brand(struct request *req)
{
	json_t *ctx = page_ctx(req, "Brand", "/admin");
	const char *done = request_query(req, "done");
	const char *logo_error = request_query(req, "logo_error");
	if (done)
		json_object_set_new(ctx, "flash",
				    json_string(!strcmp(done, "logo")
							? "Logo saved."
						: !strcmp(done, "removed")
							? "Logo removed."
							: "Brand saved."));
	if (logo_error_text(logo_error))
		page_field_error(ctx, "logo", logo_error_text(logo_error));
	return brand_page(req, ctx, logo_error ? 400 : 200);
}

enum ld_err h_page_brand_post(struct request *req)
{
	json_t *form = page_form(req);
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	const char *name = page_field(form, "name");
	const char *colour_in = page_field(form, "colour");
	const char *why = NULL;
	char colour[8];
	json_t *ctx = page_ctx(req, "Brand", "/admin");
	json_t *values = json_object_get(ctx, "values");
	json_object_set_new(values, "name", json_string(name));
	json_object_set_new(values, "colour", json_string(colour_in));
	if (!brand_name_valid(name, &why))
		page_field_error(ctx, "name", why);
	if (!brand_colour_parse(colour_in, colour, &why))
		page_field_error(ctx, "colour", why);
	if (json_is_true(json_object_get(ctx, "has_errors")))
		return brand_page(req, ctx, 400);
	json_decref(ctx);
	/* The name as it is shown: without the spaces around it. */
	while (*name == ' ')
		name++;
	char *trimmed = arena_strdup(req->arena, name);
	for (size_t n = strlen(trimmed); n && trimmed[n - 1] == ' '; n--)
		trimmed[n - 1] = '\0';
	enum ld_err err = brand_store_set(req->app->store, req->who.user_id,
					  trimmed, colour);
	return err ? err : page_redirect(req, "/admin/brand?done=brand");
}

/* The uploaded logo, kept in memory: it is small. */
struct logo_upload {
	struct MHD_PostProcessor *pp;
	unsigned char *bytes;
	size_t len;
	bool got_file, too_large;
	char csrf[64]; /* the page's token, as its field arrives */
};

static enum MHD_Result logo_chunk(void *cls, enum MHD_ValueKind kind,
				  const char *key, const char *filename,
				  const char *content_type,
				  const char *transfer_encoding,
				  const char *data, uint64_t off, size_t size)
{
	struct request *req = cls;
	struct logo_upload *u = req->upload;
	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	/* The token's field comes first: no byte is kept before it. */
	if (!strcmp(key, "csrf_token") && req->csrf_in_body)
		return request_upload_token(req, u->csrf, sizeof(u->csrf), data,
					    off, size)
			       ? MHD_YES
			       : MHD_NO;
	if (strcmp(key, "logo"))
		return MHD_YES;
	if (req->csrf_in_body && !req->csrf_ok)
		return MHD_NO; /* the router refuses the request */
	u->got_file = true;
	if (u->len + size > BRAND_LOGO_MAX) {
		u->too_large = true;
		return MHD_YES; /* read on to the end, keep nothing more */
	}
	memcpy(u->bytes + u->len, data, size);
	u->len += size;
	return MHD_YES;
}

static enum ld_err logo_begin(struct request *req)
{
	struct logo_upload *u = arena_calloc(req->arena, 1, sizeof(*u));
	u->bytes = arena_calloc(req->arena, 1, BRAND_LOGO_MAX);
	u->pp = MHD_create_post_processor(req->conn, 64 * 1024, logo_chunk,
					  req);
	if (!u->pp) {
		req->upload_refusal = UPLOAD_NOT_MULTIPART;
		return request_fail(req, LD_EINVAL, "logo",
				    "send the logo as multipart/form-data in "
				    "a field named logo");
	}
	req->upload = u;
	return LD_OK;
}

static enum ld_err logo_data(struct request *req, const char *data, size_t len)
{
	struct logo_upload *u = req->upload;
	if (MHD_post_process(u->pp, data, len) == MHD_YES)
		return LD_OK;
	if (req->csrf_in_body && !req->csrf_ok)
		return request_fail(req, LD_EFORBIDDEN, NULL,
				    "missing or wrong CSRF token: reload the "
				    "page and try again");
	return page_redirect(req, "/admin/brand?logo_error=form");
}

static void logo_abort(struct request *req)
{
	struct logo_upload *u = req->upload;
	if (!u)
		return;
	if (u->pp)
		MHD_destroy_post_processor(u->pp);
	req->upload = NULL;
}

const struct upload_ops brand_logo_ops = {logo_begin, logo_data, logo_abort};

/*
 * A logo refused before its form is read (over any upload's limit, an
 * expired page's token): the brand page again, the reason by its field.
 */
enum ld_err brand_logo_refused(struct request *req, enum ld_err err)
{
	if (ld_err_transient(err))
		return err;
	json_t *ctx = page_ctx(req, "Brand", "/admin");
	page_field_error(ctx, "logo",
			 req->body_too_large
				 ? logo_error_text("large")
				 : page_upload_reason(
					   req, err, req->err_message, "logo"));
	return brand_page(req, ctx, http_status(err));
}

/*
 * A refusal goes back to the brand page by a redirect, with the reason's
 * code, so that reloading the page sends nothing again.
 */
enum ld_err h_page_brand_logo(struct request *req)
{
	struct logo_upload *u = req->upload;
	const char *why = NULL;
	const char *type =
		!u ? NULL
		: u->too_large
			? brand_logo_type(NULL, BRAND_LOGO_MAX + 1, &why)
			: brand_logo_type(filetype_mime(u->bytes, u->len),
					  u->got_file ? u->len : 0, &why);
	if (!type)
		return page_redirect(
			req,
			arena_printf(req->arena, "/admin/brand?logo_error=%s",
				     logo_error_code(why ? why : "")));
	enum ld_err err = brand_store_set_logo(
		req->app->store, req->who.user_id, type, u->bytes, u->len);
	return err ? err : page_redirect(req, "/admin/brand?done=logo");
}

enum ld_err h_page_brand_logo_remove(struct request *req)
{
	enum ld_err err = brand_store_set_logo(req->app->store,
					       req->who.user_id, NULL, NULL, 0);
	return err ? err : page_redirect(req, "/admin/brand?done=removed");
}

/* The brand's colour for GOV.UK Frontend, on every page (also signed out). */
enum ld_err h_brand_style(struct request *req)
{
	char *text = NULL;
	json_t *brand = NULL;
	if (!brand_store_get(req->app->store, &text))
		brand = json_loads(text, 0, NULL);
	free(text);
	char colour[8];
	const char *why;
	const char *stored =
		json_string_value(json_object_get(brand, "colour"));
	/* A colour set by hand in the database is checked here too. */
	if (!stored || !brand_colour_parse(stored, colour, &why))
		snprintf(colour, sizeof(colour), "%s", BRAND_COLOUR_DEFAULT);
	json_decref(brand);
	char *css =
		arena_printf(req->arena,
			     "/* The organisation's brand (Brand page). */\n"
			     ":root { --govuk-brand-colour: %s; }\n",
			     colour);
	reply_bytes(req, 200, "text/css; charset=utf-8", css, strlen(css));
	reply_header(req, "Cache-Control", "public, max-age=86400");
	return LD_OK;
}

enum ld_err h_brand_logo(struct request *req)
{
	const char *type = NULL;
	unsigned char *bytes = NULL;
	size_t len = 0;
	enum ld_err err =
		brand_store_logo(req->app->store, &type, &bytes, &len);
	if (err)
		return err;
	reply_bytes(req, 200, type, bytes, len);
	free(bytes);
	reply_header(req, "Content-Security-Policy",
		     "default-src 'none'; style-src 'unsafe-inline'; sandbox");
	reply_header(req, "Content-Disposition", "inline; filename=\"logo\"");
	reply_header(req, "Cache-Control", "public, max-age=86400");
	return LD_OK;
}

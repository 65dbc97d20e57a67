/*
 * HTML templates: a small subset of Mustache, rendered from a jansson value
 * with every value HTML-escaped; there is no way to write a value
 * unescaped, so no page can be built by concatenating unescaped data.
 *
 *   {{name}}, {{a.b}}, {{.}}     a value, escaped
 *   {{#name}}...{{/name}}        a section: once per array item, once with an
 *                                object as context, once for any other true
 *                                value; never for null, false, 0, "" or []
 *   {{^name}}...{{/name}}        the inverse
 *   {{>partial}}                 another template of the set
 *   {{! comment }}
 *
 * Names are looked up from the innermost context outwards.
 *
 * tmpl_render_text() is the one exception to escaping, for the text/plain
 * part of an email (web/templates/mail_*.txt), which no browser reads as
 * HTML; its HTML twin is rendered by tmpl_render() from the same context.
 */
#ifndef TMPL_H
#define TMPL_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

struct tmpl {
	const char *name;
	const char *text;
};

struct tmpl_set {
	const struct tmpl *items;
	size_t n;
};

/*
 * Render template name with ctx into out.  LD_EINVAL with why for a
 * template error (unknown template, unclosed section, too deep).
 */
enum ld_err tmpl_render(const struct tmpl_set *set, const char *name,
			json_t *ctx, struct buf *out, char *why, size_t whylen);

/*
 * As tmpl_render(), values written as they are: only for text that is
 * never read as HTML (the text/plain part of an email).
 */
enum ld_err tmpl_render_text(const struct tmpl_set *set, const char *name,
			     json_t *ctx, struct buf *out, char *why,
			     size_t whylen);

/* Append text to out with &, <, >, " and ' escaped. */
enum ld_err tmpl_escape(struct buf *out, const char *text, size_t len);

#endif

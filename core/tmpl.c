#include "tmpl.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DEPTH_MAX    32
#define NAME_MAX_LEN 128

struct render {
	const struct tmpl_set *set;
	json_t *stack[DEPTH_MAX];
	int depth;
	int partials;
	bool text; /* values as they are: a text/plain mail part */
	struct buf *out;
	char *why;
	size_t whylen;
};

enum ld_err tmpl_escape(struct buf *out, const char *text, size_t len)
{
	enum ld_err err = LD_OK;
	for (size_t i = 0; i < len && !err; i++) {
		switch (text[i]) {
		case '&': err = buf_addstr(out, "&amp;"); break;
		case '<': err = buf_addstr(out, "&lt;"); break;
		case '>': err = buf_addstr(out, "&gt;"); break;
		case '"': err = buf_addstr(out, "&quot;"); break;
		case '\'': err = buf_addstr(out, "&#39;"); break;
		default: err = buf_addch(out, text[i]); break;
		}
	}
	return err;
}

static enum ld_err fail(struct render *r, const char *fmt, const char *arg)
{
	snprintf(r->why, r->whylen, fmt, arg);
	return LD_EINVAL;
}

static json_t *lookup(struct render *r, const char *name)
{
	if (!strcmp(name, "."))
		return r->stack[r->depth - 1];
	char first[NAME_MAX_LEN];
	size_t n = strcspn(name, ".");
	snprintf(first, sizeof(first), "%.*s", (int)n, name);
	json_t *v = NULL;
	for (int i = r->depth - 1; i >= 0 && !v; i--)
		if (json_is_object(r->stack[i]))
			v = json_object_get(r->stack[i], first);
	for (const char *p = name + n; v && *p == '.';) {
		p++;
		size_t k = strcspn(p, ".");
		snprintf(first, sizeof(first), "%.*s", (int)k, p);
		v = json_is_object(v) ? json_object_get(v, first) : NULL;
		p += k;
	}
	return v;
}

static bool truthy(json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return true;
}

static enum ld_err value(struct render *r, json_t *v)
{
	char num[64];
	if (!v || json_is_null(v) || json_is_false(v))
		return LD_OK;
	if (json_is_string(v))
		return r->text ? buf_add(r->out, json_string_value(v),
					 json_string_length(v))
			       : tmpl_escape(r->out, json_string_value(v),
					     json_string_length(v));
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		return buf_addstr(r->out, num);
	}
	if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		return buf_addstr(r->out, num);
	}
	if (json_is_true(v))
		return buf_addstr(r->out, "true");
	return LD_OK; /* objects and arrays have no text */
}

static enum ld_err run(struct render *r, const char *s, const char *end);

/* Where the section opened by name ends: its {{/name}}, nesting counted. */
static const char *section_end(const char *s, const char *end, const char *name,
			       const char **after)
{
	int level = 1;
	size_t nlen = strlen(name);
	while (s < end) {
		const char *open = strstr(s, "{{");
		if (!open || open >= end)
			return NULL;
		const char *close = strstr(open, "}}");
		if (!close || close >= end)
			return NULL;
		const char *t = open + 2;
		char kind = *t;
		if (kind == '#' || kind == '^' || kind == '/') {
			const char *n = t + 1;
			while (*n == ' ')
				n++;
			size_t len = (size_t)(close - n);
			while (len && n[len - 1] == ' ')
				len--;
			if (len == nlen && !strncmp(n, name, nlen)) {
				level += kind == '/' ? -1 : 1;
				if (!level) {
					*after = close + 2;
					return open;
				}
			}
		}
		s = close + 2;
	}
	return NULL;
}

static const struct tmpl *find(const struct tmpl_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->items[i].name, name))
			return &set->items[i];
	return NULL;
}

static enum ld_err run(struct render *r, const char *s, const char *end)
{
	enum ld_err err;
	while (s < end) {
		const char *open = strstr(s, "{{");
		if (!open || open >= end)
			return buf_add(r->out, s, (size_t)(end - s));
		if ((err = buf_add(r->out, s, (size_t)(open - s))))
			return err;
		const char *close = strstr(open + 2, "}}");
		if (!close || close > end)
			return fail(r, "unclosed tag near \"%.20s\"", open);
		const char *t = open + 2;
		char kind = *t;
		if (kind == '!') { /* a comment, of any length */
			s = close + 2;
			continue;
		}
		if (strchr("#^/>", kind))
			t++;
		while (*t == ' ')
			t++;
		size_t len = (size_t)(close - t);
		while (len && t[len - 1] == ' ')
			len--;
		char name[NAME_MAX_LEN];
		if (len >= sizeof(name))
			return fail(r, "name too long near \"%.20s\"", open);
		memcpy(name, t, len);
		name[len] = '\0';
		s = close + 2;

		if (kind == '/')
			return fail(r, "unexpected {{/%s}}", name);
		if (kind == '>') {
			const struct tmpl *p = find(r->set, name);
			if (!p)
				return fail(r, "no template \"%s\"", name);
			if (++r->partials > 1000)
				return fail(r, "partials nest too deep at %s",
					    name);
			if ((err = run(r, p->text, p->text + strlen(p->text))))
				return err;
			continue;
		}
		if (kind != '#' && kind != '^') {
			if ((err = value(r, lookup(r, name))))
				return err;
			continue;
		}
		const char *after;
		const char *body_end = section_end(s, end, name, &after);
		if (!body_end)
			return fail(r, "section \"%s\" is not closed", name);
		json_t *v = lookup(r, name);
		bool on = truthy(v);
		if (kind == '^') {
			if (!on && (err = run(r, s, body_end)))
				return err;
		} else if (on) {
			if (r->depth >= DEPTH_MAX)
				return fail(r, "sections nest too deep at %s",
					    name);
			if (json_is_array(v)) {
				size_t i;
				json_t *item;
				json_array_foreach(v, i, item)
				{
					r->stack[r->depth++] = item;
					err = run(r, s, body_end);
					r->depth--;
					if (err)
						return err;
				}
			} else {
				bool push = json_is_object(v);
				if (push)
					r->stack[r->depth++] = v;
				err = run(r, s, body_end);
				if (push)
					r->depth--;
				if (err)
					return err;
			}
		}
		s = after;
	}
	return LD_OK;
}

static enum ld_err render(const struct tmpl_set *set, const char *name,
			  json_t *ctx, bool text, struct buf *out, char *why,
			  size_t whylen)
{
	struct render r = {.set = set,
			   .text = text,
			   .out = out,
			   .why = why,
			   .whylen = whylen};
	const struct tmpl *t = find(set, name);
	why[0] = '\0';
	if (!t)
		return fail(&r, "no template \"%s\"", name);
	r.stack[r.depth++] = ctx;
	return run(&r, t->text, t->text + strlen(t->text));
}

enum ld_err tmpl_render(const struct tmpl_set *set, const char *name,
			json_t *ctx, struct buf *out, char *why, size_t whylen)
{
	return render(set, name, ctx, false, out, why, whylen);
}

enum ld_err tmpl_render_text(const struct tmpl_set *set, const char *name,
			     json_t *ctx, struct buf *out, char *why,
			     size_t whylen)
{
	return render(set, name, ctx, true, out, why, whylen);
}

/*
 * Templates: any template text renders or fails cleanly; any value, put
 * through a template, comes out with no markup of its own.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	char why[200];
	struct buf out;

	/* The input as a template over a small context. */
	json_t *ctx = json_pack("{s:s, s:[{s:s}], s:b}", "name", "<b>", "items",
				"x", "y", "flag", 1);
	struct tmpl t1[] = {{"page", text}};
	struct tmpl_set set1 = {t1, 1};
	buf_init(&out, 1 << 20);
	tmpl_render(&set1, "page", ctx, &out, why, sizeof(why));
	buf_release(&out);
	json_decref(ctx);

	/* The input as a value: never any markup in the output. */
	json_t *v = json_stringn(text, size);
	if (v) {
		json_t *c2 = json_pack("{s:o}", "v", v);
		struct tmpl t2[] = {{"p", "<p>{{v}}</p>"}};
		struct tmpl_set set2 = {t2, 1};
		buf_init(&out, 1 << 20);
		if (tmpl_render(&set2, "p", c2, &out, why, sizeof(why)) ==
		    LD_OK) {
			const char *inner = buf_str(&out) + 3;
			size_t len = out.len - 7;
			if (memchr(inner, '<', len) ||
			    memchr(inner, '>', len) || memchr(inner, '"', len))
				abort();
		}
		buf_release(&out);
		json_decref(c2);
	}
	free(text);
	return 0;
}

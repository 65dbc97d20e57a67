#include "form.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..len) into out (len + 1 bytes); -1 on a bad escape. */
static long decode(const char *s, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= len)
				return -1;
			int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return (long)o;
}

enum ld_err form_parse(const char *text, size_t len, json_t **out)
{
	json_t *obj = json_object();
	char *buf = xmalloc(len + 1);
	enum ld_err err = LD_OK;
	size_t i = 0;

	while (i < len && !err) {
		size_t end = i;
		while (end < len && text[end] != '&')
			end++;
		size_t eq = i;
		while (eq < end && text[eq] != '=')
			eq++;
		if (end > i) {
			long klen = decode(text + i, eq - i, buf);
			char *key =
				klen >= 0 ? xstrndup(buf, (size_t)klen) : NULL;
			long vlen = eq < end ? decode(text + eq + 1,
						      end - eq - 1, buf)
					     : 0;
			if (eq >= end)
				buf[0] = '\0';
			json_t *v =
				vlen >= 0 && key && strlen(key) == (size_t)klen
					? json_stringn(buf, (size_t)vlen)
					: NULL;
			if (!v || !key || !*key) {
				json_decref(v);
				err = LD_EINVAL;
			} else {
				json_t *old = json_object_get(obj, key);
				if (!old) {
					json_object_set_new(obj, key, v);
				} else if (json_is_array(old)) {
					json_array_append_new(old, v);
				} else {
					json_t *arr = json_array();
					json_array_append(arr, old);
					json_array_append_new(arr, v);
					json_object_set_new(obj, key, arr);
				}
			}
			free(key);
		}
		i = end + 1;
	}
	free(buf);
	if (err) {
		json_decref(obj);
		return err;
	}
	*out = obj;
	return LD_OK;
}

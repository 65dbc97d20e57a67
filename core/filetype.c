#include "filetype.h"

#include <string.h>
#include <strings.h>

struct kind {
	const char *ext;
	const char *content_type;
	const char *magic;
	size_t magic_len;
	bool text; /* no magic: valid UTF-8 text */
};

#define M(s) s, sizeof(s) - 1

static const struct kind kinds[] = {
	{".pdf", "application/pdf", M("%PDF-"), false},
	{".docx",
	 "application/vnd.openxmlformats-officedocument.wordprocessingml."
	 "document",
	 M("PK\x03\x04"), false},
	{".xlsx",
	 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	 M("PK\x03\x04"), false},
	{".doc", "application/msword", M("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
	 false},
	{".xls", "application/vnd.ms-excel",
	 M("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), false},
	{".msg", "application/vnd.ms-outlook",
	 M("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), false},
	{".png", "image/png", M("\x89PNG\r\n\x1a\n"), false},
	{".jpg", "image/jpeg", M("\xff\xd8\xff"), false},
	{".jpeg", "image/jpeg", M("\xff\xd8\xff"), false},
	{".gif", "image/gif", M("GIF8"), false},
	{".tif", "image/tiff", M("II*\0"), false},
	{".tiff", "image/tiff", M("II*\0"), false},
	{".txt", "text/plain; charset=utf-8", NULL, 0, true},
	{".csv", "text/csv; charset=utf-8", NULL, 0, true},
	{".eml", "message/rfc822", NULL, 0, true},
};

/* Valid UTF-8 with no NUL or other control bytes but tab, CR, LF, FF. */
static bool utf8_text(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		int extra;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
			     c != '\f') ||
			    c == 0x7f)
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			extra = 1;
		else if (c >= 0xe0 && c <= 0xef)
			extra = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			extra = 3;
		else
			return false;
		/* A character cut by the end of the head is fine. */
		for (int k = 1; k <= extra; k++)
			if (i + (size_t)k < n && (s[i + k] & 0xc0) != 0x80)
				return false;
		i += (size_t)extra + 1;
	}
	return true;
}

static const char *extension(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot ? dot : "";
}

enum ld_err filetype_detect(const char *name, const unsigned char *head,
			    size_t n, const char **content_type,
			    const char **why)
{
	const char *ext = extension(name);
	bool known = false;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct kind *k = &kinds[i];
		if (strcasecmp(ext, k->ext))
			continue;
		known = true;
		if (k->text ? utf8_text(head, n)
			    : n >= k->magic_len &&
				      !memcmp(head, k->magic, k->magic_len)) {
			*content_type = k->content_type;
			return LD_OK;
		}
	}
	*why = known ? "the file's contents do not match its type"
		     : "only PDF, Word, Excel, images (PNG, JPEG, GIF, TIFF), "
		       "plain text, CSV and email files (.eml, .msg) are "
		       "accepted";
	return LD_EINVAL;
}

void filename_sanitise(const char *in, char out[FILENAME_MAX_LEN])
{
	const char *base = in;
	size_t o = 0;

	for (const char *p = in; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	while (*base == '.' || *base == ' ')
		base++;
	for (const unsigned char *p = (const unsigned char *)base;
	     *p && o < FILENAME_MAX_LEN - 1; p++) {
		unsigned char c = *p;
		bool bad = c < 0x20 || c == 0x7f || strchr("<>:\"|?*", c);
		out[o++] = bad ? '_' : (char)c;
	}
	/* Do not end inside a UTF-8 sequence. */
	if (o == FILENAME_MAX_LEN - 1) {
		while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
			o--;
		if (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
			o--;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '.'))
		o--;
	out[o] = '\0';
	if (!o)
		memcpy(out, "file", 5);
}

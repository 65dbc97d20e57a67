#include "filetype.h"
#include "utf8.h"

#include <magic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * The kinds accepted, by extension, with the MIME types libmagic may give
 * their contents.  A Composite Document (.doc, .xls, .msg) is named by
 * libmagic only when its directory lies within the head, which in a long
 * one it rarely does; the container alone is then all that can be told.
 */
struct kind {
	const char *ext;
	const char *content_type;
	const char *magic[3]; /* libmagic's MIME types for it */
	bool text;	      /* text: valid UTF-8 too, and may be empty */
};

#define CDF "application/x-ole-storage", "application/CDFV2"

static const struct kind kinds[] = {
	{".pdf", "application/pdf", {"application/pdf"}, false},
	{".docx",
	 "application/vnd.openxmlformats-officedocument.wordprocessingml."
	 "document",
	 {"application/vnd.openxmlformats-officedocument.wordprocessingml."
	  "document"},
	 false},
	{".xlsx",
	 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	 {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	 false},
	{".doc", "application/msword", {"application/msword", CDF}, false},
	{".xls",
	 "application/vnd.ms-excel",
	 {"application/vnd.ms-excel", CDF},
	 false},
	{".msg",
	 "application/vnd.ms-outlook",
	 {"application/vnd.ms-outlook", CDF},
	 false},
	{".png", "image/png", {"image/png"}, false},
	{".jpg", "image/jpeg", {"image/jpeg"}, false},
	{".jpeg", "image/jpeg", {"image/jpeg"}, false},
	{".gif", "image/gif", {"image/gif"}, false},
	{".tif", "image/tiff", {"image/tiff"}, false},
	{".tiff", "image/tiff", {"image/tiff"}, false},
	{".txt", "text/plain; charset=utf-8", {"text/"}, true},
	{".csv", "text/csv; charset=utf-8", {"text/", "application/csv"}, true},
	{".eml", "message/rfc822", {"message/rfc822", "text/"}, true},
};

/*
 * Valid UTF-8 (utf8_chars) with no NUL or other control bytes but tab, CR,
 * LF, FF; a character cut by the end of the head is fine.
 */
static bool utf8_text(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
		     s[i] != '\r' && s[i] != '\f') ||
		    s[i] == 0x7f)
			return false;
	/* Back off a sequence the head cut short (at most three bytes). */
	size_t whole = n;
	for (size_t k = 1; k <= 3 && k <= n; k++) {
		unsigned char c = s[n - k];
		if ((c & 0xc0) == 0x80)
			continue;
		if (c >= 0xc0)
			whole = n - k;
		break;
	}
	if (whole < n && utf8_chars((const char *)s + whole, n - whole) >= 0)
		whole = n; /* it was whole after all */
	return utf8_chars((const char *)s, whole) >= 0;
}

static const char *extension(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot ? dot : "";
}

/*
 * libmagic's handles are not thread-safe: each thread opens its own, once,
 * and closes it when the thread ends.  Opening reads the compiled magic
 * database (a few milliseconds), so it is not done per file.
 */
static pthread_key_t magic_key;
static pthread_once_t magic_once = PTHREAD_ONCE_INIT;

static void magic_done(void *cookie)
{
	magic_close(cookie);
}

static void magic_key_make(void)
{
	if (pthread_key_create(&magic_key, magic_done))
		abort(); /* out of keys: a programmer error */
}

static magic_t thread_magic(void)
{
	pthread_once(&magic_once, magic_key_make);
	magic_t m = pthread_getspecific(magic_key);
	if (m)
		return m;
	/* Only the MIME type; no decompressing, no looking inside ELF. */
	m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS |
		       MAGIC_NO_CHECK_ELF | MAGIC_ERROR);
	if (!m)
		return NULL;
	if (magic_load(m, NULL) || pthread_setspecific(magic_key, m)) {
		magic_close(m);
		return NULL;
	}
	return m;
}

static bool magic_is(const struct kind *k, const char *mime)
{
	for (size_t i = 0; i < sizeof(k->magic) / sizeof(k->magic[0]); i++) {
		const char *want = k->magic[i];
		size_t len = want ? strlen(want) : 0;
		/* "text/" is a family: text/plain, text/csv, text/x-... */
		if (want && (want[len - 1] == '/' ? !strncmp(mime, want, len)
						  : !strcmp(mime, want)))
			return true;
	}
	return false;
}

enum ld_err filetype_detect(const char *name, const unsigned char *head,
			    size_t n, const char **content_type,
			    const char **why)
{
	const char *ext = extension(name);
	const struct kind *k = NULL;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !k; i++)
		if (!strcasecmp(ext, kinds[i].ext))
			k = &kinds[i];
	if (!k) {
		*why = "only PDF, Word, Excel, images (PNG, JPEG, GIF, TIFF), "
		       "plain text, CSV and email files (.eml, .msg) are "
		       "accepted";
		return LD_EINVAL;
	}
	if (k->text && n == 0) {
		*content_type = k->content_type;
		return LD_OK;
	}
	magic_t m = thread_magic();
	if (!m) {
		*why = "file types cannot be recognised now (libmagic's "
		       "database did not load)";
		return LD_EIO;
	}
	const char *mime = n ? magic_buffer(m, head, n) : NULL;
	if (mime && magic_is(k, mime) && (!k->text || utf8_text(head, n))) {
		*content_type = k->content_type;
		return LD_OK;
	}
	*why = "the file's contents do not match its type";
	return LD_EINVAL;
}

const char *filetype_mime(const unsigned char *bytes, size_t n)
{
	magic_t m = n ? thread_magic() : NULL;
	return m ? magic_buffer(m, bytes, n) : NULL;
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
	/* Bytes that are not UTF-8 cannot go into JSON or the database. */
	for (char *p = utf8_scrub(out); *p; p++)
		if (*p == '?')
			*p = '_';
	if (!o)
		memcpy(out, "file", 5);
}

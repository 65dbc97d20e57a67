/* Reading the files of an evidence message (include/evidence_mail.h). */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "evidence_mail.h"
#include "file_store.h"
#include "spool.h"
#include "xalloc.h"

size_t evidence_message_max(long max_bytes)
{
	return (size_t)max_bytes / 3 * 4 + (size_t)max_bytes / 38 + (1u << 20);
}

/* A whole spool file from offset 0. */
static unsigned char *read_all(int fd, size_t len)
{
	unsigned char *data = xmalloc(len + 1);
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, data + got, len - got, (off_t)got);
		if (n <= 0) {
			free(data);
			return NULL;
		}
		got += (size_t)n;
	}
	return data;
}

enum ld_err evidence_files_load(struct app *app, const char *facts,
				struct evidence_files *out, char *why,
				size_t whylen)
{
	json_t *f = facts ? json_loads(facts, 0, NULL) : NULL;
	json_t *files = json_object_get(f, "files");
	enum ld_err err = LD_OK;
	memset(out, 0, sizeof(*out));
	if (!json_is_array(files)) {
		snprintf(why, whylen, "an evidence message without its files");
		json_decref(f);
		return LD_EINVAL;
	}
	out->items = xcalloc(json_array_size(files) + 1, sizeof(*out->items));
	out->owned = xcalloc(json_array_size(files) + 1, sizeof(*out->owned));
	size_t i;
	json_t *file;
	json_array_foreach(files, i, file)
	{
		int64_t id = json_integer_value(json_object_get(file, "id"));
		const char *want =
			json_string_value(json_object_get(file, "sha256"));
		struct file_meta meta;
		struct why w = {0};
		int fd = spool_open(app->cfg.spool_dir);
		if (fd < 0) {
			snprintf(why, whylen, "no spool for a file");
			err = LD_EIO;
			break;
		}
		err = file_store_copy(app->store, NULL, id, &meta, fd, &w);
		unsigned char *data =
			err ? NULL : read_all(fd, (size_t)meta.size);
		close(fd);
		if (!data) {
			snprintf(why, whylen, "file %lld cannot be read: %s",
				 (long long)id, w.msg[0] ? w.msg : "gone");
			err = err ? err : LD_EIO;
			break;
		}
		unsigned char digest[crypto_hash_sha256_BYTES];
		char hex[65];
		crypto_hash_sha256(digest, data, (size_t)meta.size);
		sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
		if (!want || strcmp(hex, want)) {
			/* Never send other bytes than were signed off. */
			snprintf(why, whylen,
				 "file %lld is not the bytes signed off",
				 (long long)id);
			free(data);
			err = LD_EIO;
			break;
		}
		out->owned[out->n].name = xstrdup(meta.name);
		out->owned[out->n].content_type = xstrdup(meta.content_type);
		out->owned[out->n].data = data;
		struct mail_attachment *a = &out->items[out->n];
		a->name = out->owned[out->n].name;
		a->content_type = out->owned[out->n].content_type;
		a->data = data;
		a->len = (size_t)meta.size;
		out->n++;
		out->bytes += a->len;
	}
	json_decref(f);
	if (err)
		evidence_files_release(out);
	return err;
}

void evidence_files_release(struct evidence_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->owned[i].name);
		free(f->owned[i].content_type);
		free(f->owned[i].data);
	}
	free(f->items);
	free(f->owned);
	memset(f, 0, sizeof(*f));
}

/* linkdesk inbox import FILE...: take .eml files into the Ombudsman inbox. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "date.h"
#include "inbox_mail.h"
#include "mail.h"
#include "store.h"
#include "workcal.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: linkdesk inbox import FILE...\n\n"
		"Take each message (.eml, RFC 5322) into the Ombudsman inbox "
		"with a\nproposal of what to register; a link officer decides "
		"on the Inbox\npage.  A message seen before (the same "
		"Message-ID or bytes), over\nLINKDESK_FILE_MAX, not a message, "
		"or carrying a virus (LINKDESK_CLAMD)\nis refused with the "
		"reason.  Exit status 1 when any was refused.\n");
}

/* The whole file, up to max bytes and one more (to tell it is over). */
static enum ld_err slurp(const char *path, long max, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	enum ld_err err = LD_OK;
	if (!f)
		return LD_EIO;
	while (!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if ((long)(out->len + n) > max + 1)
			n = (size_t)(max + 1 - (long)out->len);
		err = buf_add(out, chunk, n);
		if ((long)out->len > max)
			break;
	}
	if (!err && ferror(f))
		err = LD_EIO;
	fclose(f);
	return err;
}

/* The command's own calendar, lent to inbox_take(). */
static enum ld_err
lend(void *cal, enum ld_err (*use)(const struct workcal *, void *), void *arg)
{
	return use(cal, arg);
}

int cmd_inbox(int argc, char **argv)
{
	struct config cfg;
	struct store *store;
	struct workcal cal;
	int refused = 0;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "import")) {
		usage(stderr);
		return 2;
	}
	if (!cli_open(&cfg, &store))
		return 1;
	mail_init();
	workcal_init(&cal);
	int32_t today = config_today(&cfg);
	int rc = 1;
	if (holiday_store_load(store, NULL, &cal)) {
		fprintf(stderr, "linkdesk: cannot load bank holidays from the "
				"database\n");
		goto out;
	}
	struct inbox_source src = {"import", cfg.file_max, cfg.clamd,
				   0,	     NULL,	   NULL};
	for (int i = 2; i < argc; i++) {
		struct buf raw;
		struct why why = {0};
		int64_t id = 0;
		buf_init(&raw, (size_t)cfg.file_max + 1);
		enum ld_err err = slurp(argv[i], cfg.file_max, &raw);
		if (err) {
			printf("%s: refused: cannot read it: %s\n", argv[i],
			       strerror(errno));
			refused++;
			buf_release(&raw);
			continue;
		}
		err = inbox_take(store, &src, lend, &cal, today,
				 (const unsigned char *)raw.ptr, raw.len, &id,
				 &why);
		buf_release(&raw);
		if (err && ld_err_transient(err)) {
			fprintf(stderr,
				"linkdesk: %s: the database is not "
				"available (%s)\n",
				argv[i], ld_err_name(err));
			refused++;
			break;
		}
		if (err) {
			printf("%s: refused: %s\n", argv[i],
			       why.msg[0] ? why.msg : ld_err_name(err));
			refused++;
		} else {
			printf("%s: inbox message %lld%s%s%s\n", argv[i],
			       (long long)id, why.msg[0] ? " (" : "", why.msg,
			       why.msg[0] ? ")" : "");
		}
	}
	rc = refused ? 1 : 0;
out:
	workcal_release(&cal);
	cli_close(&cfg, store);
	return rc;
}

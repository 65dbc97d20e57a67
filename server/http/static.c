/*
 * Static files of the dashboard: /assets/ (GOV.UK Frontend, copied from npm
 * by `make web`) and /static/ (our own), from LINKDESK_WEB_DIR.  Only plain
 * names are served: no "..", no hidden files, no links.
 */
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "arena.h"
#include "handlers.h"

struct mime {
	const char *ext, *type;
};

static const struct mime mimes[] = {
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".woff2", "font/woff2"},
	{".woff", "font/woff"},
	{".png", "image/png"},
	{".svg", "image/svg+xml"},
	{".ico", "image/x-icon"},
	{".json", "application/json"},
	{".map", "application/json"},
};

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(mimes) / sizeof(mimes[0]); i++)
		if (!strcasecmp(dot, mimes[i].ext))
			return mimes[i].type;
	return NULL;
}

static bool plain_path(const char *p)
{
	if (!*p || strlen(p) > 200)
		return false;
	for (const char *s = p; *s; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			  c == '.' || c == '/';
		if (!ok)
			return false;
		/* No segment may start with a dot: no "..", no hidden files. */
		if ((s == p || s[-1] == '/') && (c == '.' || c == '/'))
			return false;
	}
	return true;
}

bool static_path(const char *path)
{
	return !strncmp(path, "/assets/", 8) || !strncmp(path, "/static/", 8);
}

enum ld_err h_static(struct request *req)
{
	const char *rest = req->path + 8;
	const char *dir =
		!strncmp(req->path, "/assets/", 8) ? "vendor/assets" : "static";
	const char *type = content_type(rest);
	struct stat st;

	if (!plain_path(rest) || !type)
		return request_fail(req, LD_ENOTFOUND, NULL, "no such file");
	char *full = arena_printf(req->arena, "%s/%s/%s", req->app->cfg.web_dir,
				  dir, rest);
	int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return request_fail(req, LD_ENOTFOUND, NULL, "no such file");
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return request_fail(req, LD_ENOTFOUND, NULL, "no such file");
	}
	struct MHD_Response *resp =
		MHD_create_response_from_fd((size_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return LD_EINTERNAL;
	}
	reply_response(req, 200, type, resp);
	reply_header(req, "Cache-Control", "public, max-age=3600");
	return LD_OK;
}

#include "itest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

int itest_free_port(void)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		fail_msg("no free port: %s", strerror(errno));
	close(fd);
	return ntohs(a.sin_port);
}

static const char *env_or_fail(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		fail_msg("%s is not set: run the tests through make test",
			 name);
	return v;
}

void itest_server_start(struct itest_server *s, const char *const *env)
{
	const char *bin = env_or_fail("LINKDESK_BIN");
	const char *tmp = env_or_fail("LINKDESK_TEST_TMP");
	static int seq;

	s->port = itest_free_port();
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
	snprintf(s->log, sizeof(s->log), "%s/server-%d-%d.log", tmp,
		 (int)getpid(), ++seq);
	pid_t parent = getpid();
	s->pid = fork();
	if (s->pid == 0) {
		char listen[64];
		/* A test that dies (a failed assertion, a sanitizer abort)
		 * takes its servers with it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->port);
		setenv("LINKDESK_LISTEN", listen, 1);
		for (int i = 0; env && env[i]; i++)
			putenv((char *)(uintptr_t)env[i]);
		int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(bin, bin, "serve", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 400; i++) {
		struct itest_resp r;
		char url[128];
		int status;
		snprintf(url, sizeof(url), "%s/api/v1/ping", s->base);
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			char *log = itest_server_log(s);
			fail_msg("server exited at start:\n%s", log);
		}
		itest_request(NULL, "GET", url, NULL, NULL, &r);
		long st = r.status;
		itest_resp_release(&r);
		if (st == 200)
			return;
		usleep(50 * 1000);
	}
	fail_msg("server did not answer on %s", s->base);
}

int itest_server_stop(struct itest_server *s)
{
	int status = -1;
	/* Never kill(0): that would signal our whole process group. */
	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	for (int i = 0; i < 300; i++) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			return WIFEXITED(status) ? WEXITSTATUS(status)
						 : 128 + WTERMSIG(status);
		usleep(50 * 1000);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	return -1;
}

char *itest_server_log(const struct itest_server *s)
{
	char *out = NULL;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "cat '%s'", s->log);
	itest_sh(cmd, &out);
	return out;
}

struct sink {
	char *p;
	size_t len;
};

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;
	size_t add = size * n;
	k->p = realloc(k->p, k->len + add + 1);
	memcpy(k->p + k->len, data, add);
	k->len += add;
	k->p[k->len] = '\0';
	return add;
}

void itest_request(CURL *h, const char *method, const char *url,
		   const char *body, const char *const *headers,
		   struct itest_resp *r)
{
	CURL *own = h ? NULL : curl_easy_init();
	CURL *c = h ? h : own;
	struct curl_slist *hl = NULL;
	struct sink b = {0}, hd = {0};

	memset(r, 0, sizeof(*r));
	for (int i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOBODY, !strcmp(method, "HEAD") ? 1L : 0L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
		curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS,
				  &r->new_connections);
	}
	r->body = b.p ? b.p : calloc(1, 1);
	r->len = b.len;
	r->headers = hd.p ? hd.p : calloc(1, 1);
	r->json = json_loadb(r->body, r->len, 0, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	if (own)
		curl_easy_cleanup(own);
}

void itest_resp_release(struct itest_resp *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

const char *itest_resp_header(const struct itest_resp *r, const char *name)
{
	static char value[1024];
	size_t nlen = strlen(name);
	for (const char *line = r->headers; line && *line;) {
		const char *eol = strstr(line, "\r\n");
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		if (len > nlen && line[nlen] == ':' &&
		    !strncasecmp(line, name, nlen)) {
			const char *v = line + nlen + 1;
			while (*v == ' ')
				v++;
			snprintf(value, sizeof(value), "%.*s",
				 (int)(len - (size_t)(v - line)), v);
			return value;
		}
		line += len + (eol ? 2 : 0);
	}
	return NULL;
}

int itest_sh(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	struct sink k = {0};
	char chunk[4096];
	size_t n;
	if (!p)
		fail_msg("cannot run %s", cmd);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		collect(chunk, 1, n, &k);
	int status = pclose(p);
	if (out)
		*out = k.p ? k.p : calloc(1, 1);
	else
		free(k.p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const char *itest_error_code(const struct itest_resp *r)
{
	const char *code = json_string_value(
		json_object_get(json_object_get(r->json, "error"), "code"));
	return code ? code : "";
}

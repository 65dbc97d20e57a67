/*
 * Support for the black-box tests: start `linkdesk serve` on a free port
 * against the suite's database, call it over HTTP with libcurl, run
 * commands.  The suite (tests/run.sh) exports:
 *   LINKDESK_BIN           the binary under test
 *   LINKDESK_DATABASE_URL  the migrated test database
 *   LINKDESK_TEST_TMP      a scratch folder removed after the run
 *   LINKDESK_TEST_DBCTL    "sh scripts/devdb.sh" with the test cluster's env
 */
#ifndef ITEST_H
#define ITEST_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct itest_server {
	pid_t pid;
	int port;
	char base[64]; /* "http://127.0.0.1:PORT" */
	char log[512]; /* its standard error */
};

/*
 * Start a server with extra "NAME=value" settings (NULL-terminated, may be
 * NULL) and wait until it answers.  Fails the test if it does not.
 */
void itest_server_start(struct itest_server *s, const char *const *env);

/* SIGTERM and wait; returns the exit status (0 for a clean stop). */
int itest_server_stop(struct itest_server *s);

/* The server's log so far (free() it). */
char *itest_server_log(const struct itest_server *s);

struct itest_resp {
	long status;
	char *body;
	size_t len;
	char *headers;
	json_t *json; /* the body parsed, or NULL */
	long new_connections;
};

/*
 * One request on handle h (NULL: a fresh handle).  headers is a
 * NULL-terminated list of "Name: value" or NULL.  Release with
 * itest_resp_release().
 */
void itest_request(CURL *h, const char *method, const char *url,
		   const char *body, const char *const *headers,
		   struct itest_resp *r);
void itest_resp_release(struct itest_resp *r);

/* A header of a response, or NULL (a static copy, valid until next call). */
const char *itest_resp_header(const struct itest_resp *r, const char *name);

/* Run a shell command; returns its exit status; output into *out if set. */
int itest_sh(const char *cmd, char **out);

/* A free TCP port on 127.0.0.1. */
int itest_free_port(void);

/* The error code of a JSON error body, or "" */
const char *itest_error_code(const struct itest_resp *r);

#endif

#include "clamd.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"

#define CLAMD_TIMEOUT_SECONDS 60

struct clamd_stream {
	int fd;
};

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = {0};
	int fd;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int connect_tcp(const char *addr)
{
	char host[256];
	const char *colon = strrchr(addr, ':');
	struct addrinfo hints = {0}, *ai, *p;
	int fd = -1;

	if (!colon || (size_t)(colon - addr) >= sizeof(host))
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		return -1;
	for (p = ai; p && fd < 0; p = p->ai_next) {
		fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, p->ai_addr, p->ai_addrlen)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

static enum ld_err send_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return LD_EIO;
		p += n;
		len -= (size_t)n;
	}
	return LD_OK;
}

enum ld_err clamd_open(const char *addr, struct clamd_stream **out)
{
	struct timeval tv = {CLAMD_TIMEOUT_SECONDS, 0};
	int fd = addr[0] == '/' ? connect_unix(addr) : connect_tcp(addr);
	if (fd < 0) {
		log_warn("cannot reach clamd at %s", addr);
		return LD_EUNAVAILABLE;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* The z prefix: the command ends at a NUL byte. */
	if (send_all(fd, "zINSTREAM", sizeof("zINSTREAM"))) {
		close(fd);
		return LD_EIO;
	}
	*out = xmalloc(sizeof(**out));
	(*out)->fd = fd;
	return LD_OK;
}

enum ld_err clamd_write(struct clamd_stream *s, const void *data, size_t len)
{
	while (len) {
		uint32_t chunk = len > (1u << 20) ? (1u << 20) : (uint32_t)len;
		uint32_t be = htonl(chunk);
		if (send_all(s->fd, &be, sizeof(be)) ||
		    send_all(s->fd, data, chunk))
			return LD_EIO;
		data = (const char *)data + chunk;
		len -= chunk;
	}
	return LD_OK;
}

enum ld_err clamd_finish(struct clamd_stream *s, bool *infected,
			 char *signature, size_t siglen)
{
	uint32_t end = 0;
	char reply[512];
	size_t got = 0;

	if (send_all(s->fd, &end, sizeof(end)))
		return LD_EIO;
	while (got < sizeof(reply) - 1) {
		ssize_t n =
			recv(s->fd, reply + got, sizeof(reply) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(reply, '\0', got))
			break;
	}
	reply[got] = '\0';
	/* "stream: OK", "stream: Name FOUND", or "... ERROR". */
	const char *verdict = strncmp(reply, "stream: ", 8) ? reply : reply + 8;
	size_t len = strlen(verdict);
	if (!strcmp(verdict, "OK")) {
		*infected = false;
		signature[0] = '\0';
		return LD_OK;
	}
	if (len > 6 && !strcmp(verdict + len - 6, " FOUND")) {
		*infected = true;
		snprintf(signature, siglen, "%.*s", (int)(len - 6), verdict);
		return LD_OK;
	}
	log_warn("clamd answered \"%.200s\"", reply);
	return LD_EIO;
}

void clamd_close(struct clamd_stream *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}

enum ld_err clamd_scan_fd(const char *addr, int fd, bool *infected,
			  char *signature, size_t siglen)
{
	struct clamd_stream *s;
	char chunk[64 * 1024];
	off_t off = 0;
	ssize_t n;
	enum ld_err err = clamd_open(addr, &s);

	if (err)
		return err;
	while ((n = pread(fd, chunk, sizeof(chunk), off)) > 0 &&
	       !(err = clamd_write(s, chunk, (size_t)n)))
		off += n;
	if (!err && n < 0)
		err = LD_EIO;
	if (!err)
		err = clamd_finish(s, infected, signature, siglen);
	clamd_close(s);
	return err;
}

/*
 * notify_listen.c - stands in for systemd's end of NOTIFY_SOCKET.
 *
 *   notify-listen PATH SECONDS
 *
 * Binds an AF_UNIX datagram socket at PATH and prints every assignment of
 * every datagram that arrives ("READY=1", "WATCHDOG=1", "STATUS=..."), one
 * a line, prefixed with the milliseconds since it started: "1234 READY=1".
 * Lines are flushed at once so that a test can follow the file. Exits 0
 * after SECONDS, or on SIGTERM; removes PATH. Exit 2 on a usage or socket
 * error.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DATAGRAM_MAX 4096

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char *end;
	long seconds = argc == 3 ? strtol(argv[2], &end, 10) : 0;
	if (argc != 3 || *end || seconds < 1 || seconds > 3600 ||
	    strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notify-listen PATH SECONDS (1..3600; PATH under %zu bytes)\n",
			sizeof(sa.sun_path));
		return 2;
	}
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unlink(argv[1]);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "notify-listen: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	struct sigaction act = {.sa_handler = on_term};
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char buf[DATAGRAM_MAX + 1];
	while (!stop && ms_since(&t0) < seconds * 1000) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n = recv(fd, buf, DATAGRAM_MAX, 0);
		if (n < 0)
			continue;
		buf[n] = '\0';
		long long ms = ms_since(&t0);
		for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			printf("%lld %s\n", ms, line);
		fflush(stdout);
	}
	close(fd);
	unlink(argv[1]);
	return 0;
}

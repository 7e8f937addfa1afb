/*
 * starttime.c - how long lawtallyd takes to start.
 *
 *   starttime LAWTALLYD CONFIG
 *
 * Starts the daemon with a NOTIFY_SOCKET of its own and its stderr on a
 * pipe, and measures from just before exec to (a) the "listening:" log
 * line and (b) the READY=1 notification. Then stops it with SIGTERM and
 * waits (SIGKILL after 10 s). Prints "listening_ms X" and "ready_ms Y";
 * exits 1 if either did not come within 30 s.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "now.h"

#define START_TIMEOUT_S 30
#define STOP_TIMEOUT_S 10

/* Waits for pid up to seconds; returns its wait status, or -1 on time out. */
static int wait_for(pid_t pid, double seconds)
{
	double end = now_mono() + seconds;
	int st;
	while (now_mono() < end) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
	return -1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: starttime LAWTALLYD CONFIG\n");
		return 2;
	}
	/* an abstract socket: nothing to clean up on disk */
	char name[64];
	snprintf(name, sizeof(name), "@lawtally-bench-notify-%d", (int)getpid());
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, name, strlen(name));
	sa.sun_path[0] = '\0';
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
	int ns = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int pfd[2];
	if (ns < 0 || bind(ns, (struct sockaddr *)&sa, salen) != 0 || pipe(pfd) != 0) {
		perror("starttime: set-up");
		return 1;
	}
	setenv("NOTIFY_SOCKET", name, 1);
	double t0 = now_mono();
	pid_t pid = fork();
	if (pid < 0) {
		perror("starttime: fork");
		return 1;
	}
	if (pid == 0) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execl(argv[1], argv[1], "-c", argv[2], (char *)NULL);
		perror("starttime: exec");
		_exit(127);
	}
	close(pfd[1]);
	double t_listen = 0, t_ready = 0;
	char line[4096];
	size_t have = 0;
	int eof = 0;
	while ((!t_listen || !t_ready) && !eof && now_mono() - t0 < START_TIMEOUT_S) {
		struct pollfd p[2] = {{pfd[0], POLLIN, 0}, {ns, POLLIN, 0}};
		if (poll(p, 2, 100) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN) {
			char msg[512];
			ssize_t n = recv(ns, msg, sizeof(msg) - 1, MSG_DONTWAIT);
			if (n > 0) {
				msg[n] = '\0';
				if (!t_ready && (strncmp(msg, "READY=1", 7) == 0 || strstr(msg, "\nREADY=1")))
					t_ready = now_mono();
			}
		}
		if (!eof && (p[0].revents & (POLLIN | POLLHUP))) {
			ssize_t n = read(pfd[0], line + have, sizeof(line) - 1 - have);
			if (n <= 0) {
				eof = 1; /* the daemon closed stderr: it has exited */
				break;
			}
			double now = now_mono();
			have += (size_t)n;
			line[have] = '\0';
			if (!t_listen && strstr(line, "listening:"))
				t_listen = now;
			char *nl = strrchr(line, '\n');
			if (nl) { /* keep only the unfinished line */
				size_t rest = have - (size_t)(nl + 1 - line);
				memmove(line, nl + 1, rest);
				have = rest;
			} else if (have == sizeof(line) - 1) {
				have = 0;
			}
		}
	}
	kill(pid, SIGTERM);
	/* drain the log so the daemon never blocks on a full pipe while stopping */
	double end = now_mono() + STOP_TIMEOUT_S;
	int st = -1;
	while (now_mono() < end) {
		char sink[4096];
		struct pollfd p = {pfd[0], POLLIN, 0};
		if (!eof && poll(&p, 1, 20) > 0 && read(pfd[0], sink, sizeof(sink)) <= 0)
			eof = 1;
		st = wait_for(pid, eof ? STOP_TIMEOUT_S : 0.001);
		if (st != -1)
			break;
	}
	if (st == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fprintf(stderr, "starttime: lawtallyd did not stop within %d s\n", STOP_TIMEOUT_S);
		return 1;
	}
	if (!t_listen || !t_ready) {
		fprintf(stderr, "starttime: no %s within %d s\n",
			t_listen ? "READY=1" : "listening: line", START_TIMEOUT_S);
		return 1;
	}
	printf("listening_ms %.3f\nready_ms %.3f\n", (t_listen - t0) * 1000, (t_ready - t0) * 1000);
	return 0;
}

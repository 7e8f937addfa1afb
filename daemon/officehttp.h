/*
 * officehttp.h - the office's views over HTTP (office.h renders them):
 *
 *   GET /v1/report?year=Y[&lang=zh|en][&format=text|markdown|json][&as_of=DATE]
 *   GET /v1/report?month=YYYY-MM[&lang=..][&format=..][&as_of=DATE]
 *   GET /v1/senders
 *   GET /v1/export/totals.csv?year=Y[&metric=M][&by=D][&lang=zh|en]
 *   GET /v1/export/events.csv?year=Y      from this machine only (office)
 *
 * year defaults to the current one. A bad parameter is a 400 with
 * {"error": "..."}; the events export from another machine is a 403.
 */
#ifndef LAWTALLY_OFFICEHTTP_H
#define LAWTALLY_OFFICEHTTP_H

#include <event2/http.h>

#include "office.h"

/* 1 if path is one of the routes above. */
int officehttp_route(const char *path);

/* Answers req (its path is one of ours). */
void officehttp_handle(struct office *o, struct evhttp_request *req);

#endif

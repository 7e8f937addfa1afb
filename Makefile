# lawtally - build, test and run.
#
#   make            build everything into build/
#   make run        start lawtallyd on its built-in defaults (data in ./var)
#   make test       unit tests and end-to-end tests
#   make asan       the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make clean      remove build/
#
# `run` and `test` first install missing Debian packages (see `deps`).

BUILD    ?= build
CC       ?= cc
PROTOC_C ?= protoc-c

# Debian packages the build and the tests need; `make deps` installs the
# missing ones (a quick no-op when all are there).
DEB_PKGS := build-essential pkg-config protobuf-c-compiler libprotobuf-c-dev \
	libzmq3-dev liblmdb-dev libevent-dev libcmocka-dev libjansson-dev \
	libinih-dev libsystemd-dev curl jq
# The dashboard: Chart.js is embedded into lawtallyd; the browser test
# drives Debian's Chromium from a stdlib-only Python script (~10 s to
# install, 122 MB, once).
DEB_PKGS += libjs-chart.js chromium python3

# Operations: systemd-analyze checks the unit, mdb_load edits a test store,
# groff checks the manual pages.
DEB_PKGS += systemd lmdb-utils groff-base

# Village-centre client (issue 4): the example Python sender and its test
# (Debian's python3-zmq and python3-protobuf; protoc makes the module).
DEB_PKGS += python3-zmq python3-protobuf protobuf-compiler

PC_PKGS  := libzmq libprotobuf-c lmdb libevent jansson inih libsystemd
PC_CFLAGS := $(shell pkg-config --cflags $(PC_PKGS) 2>/dev/null)
PC_LIBS   := $(shell pkg-config --libs $(PC_PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT      ?= -O2 -g
SAN      ?=
VERSION  := 0.1.0
CPPFLAGS += -DLAWTALLY_VERSION='"$(VERSION)"' -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -I$(BUILD)/gen -Idaemon -Iclients
CFLAGS   += -std=c11 -pthread $(WARN) $(OPT) $(SAN) $(PC_CFLAGS)
LDFLAGS  += -pthread $(SAN)
LDLIBS   += $(PC_LIBS) -lm

GEN_SRC  := $(BUILD)/gen/lawtally.pb-c.c
GEN_HDR  := $(BUILD)/gen/lawtally.pb-c.h

# Pure logic (no I/O): validation, tally rules, queries over totals.
PURE_SRC := daemon/err.c daemon/log.c daemon/villages.c daemon/validate.c \
	daemon/tally.c daemon/reply.c daemon/arena.c
PURE_OBJ := $(PURE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/lawtally.pb-c.o
# The store (LMDB).
STORE_OBJ := $(BUILD)/daemon/store.o $(BUILD)/daemon/store_recount.o $(BUILD)/daemon/store_backup.o \
	$(BUILD)/daemon/store_office.o $(BUILD)/daemon/store_rollup.o $(BUILD)/daemon/query.o
# The daemon's I/O modules.
DAEMON_SRC := daemon/config.c daemon/zsock.c daemon/metrics.c daemon/ingest.c daemon/writer.c \
	daemon/querysock.c daemon/http.c daemon/lawtallyd.c
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
# The live dashboard: Server-Sent Events and the page's files, embedded.
DAEMON_OBJ += $(BUILD)/daemon/stream.o $(BUILD)/daemon/assets.o $(BUILD)/daemon/assets_data.o
CHARTJS := /usr/share/javascript/chart.js/chart.min.js
DASHBOARD_FILES := daemon/dashboard.html daemon/dashboard.js daemon/dashboard.css $(CHARTJS)
# Operations: systemd notification and watchdog; the data directory's lock.
DAEMON_OBJ += $(BUILD)/daemon/notify.o
STORE_OBJ += $(BUILD)/daemon/datadir.o
# The client library and the command-line client.
CLIENT_SRC := clients/client.c clients/jsonl.c clients/jsonl_format.c clients/uuid.c
CLI_SRC := clients/lawtally.c clients/cmd_send.c clients/cmd_totals.c
# Village-centre client (issue 4): the spool and its forwarder, ledger CSV
# import, and the commands spool, agent, import, simulate.
CLIENT_SRC += clients/spool.c clients/forward.c clients/csv.c clients/ledger.c
CLI_SRC += clients/cmd_spool.c clients/cmd_agent.c clients/cmd_import.c clients/cmd_simulate.c
# backup, restore and verify open the store themselves (read-only).
CLI_SRC += clients/cmd_backup.c clients/cmd_verify.c clients/cli_store.c
CLI_STORE_OBJ = $(STORE_OBJ) $(BUILD)/daemon/config.o
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(BUILD)/%.o)
BINS := $(BUILD)/lawtallyd $(BUILD)/lawtally
# Security: roles (scope) and key files, shared by both programs; the
# daemon's ZAP handler, clients directory, HTTP token and query string;
# lawtally keygen and the --key options.
PURE_OBJ += $(BUILD)/daemon/scope.o $(BUILD)/daemon/keyfile.o
DAEMON_OBJ += $(BUILD)/daemon/auth.o $(BUILD)/daemon/keyring.o $(BUILD)/daemon/httpauth.o \
	$(BUILD)/daemon/httpquery.o
CLI_OBJ += $(BUILD)/clients/cmd_keygen.o $(BUILD)/clients/keys.o
# The office's views (issue 6): the year-end report from editable templates
# (config/report.*.txt, embedded by templates_data.S), monthly mediation
# statistics, CSV exports, closed years (SHA-256 from nettle), completeness
# per sender; lawtally report, close-year and export.
DEB_PKGS += nettle-dev
LDLIBS += $(shell pkg-config --libs nettle 2>/dev/null)
PURE_OBJ += $(addprefix $(BUILD)/daemon/,figures.o sbuf.o labels.o when.o numbers.o \
	table.o template.o report.o monthly.o senders.o export.o)
DAEMON_OBJ += $(BUILD)/daemon/office.o $(BUILD)/daemon/officehttp.o \
	$(BUILD)/daemon/templates_data.o
CLI_OBJ += $(BUILD)/clients/cmd_report.o $(BUILD)/clients/cmd_close_year.o \
	$(BUILD)/clients/cmd_export.o $(BUILD)/clients/cli_view.o

# Shared client code (ids) and the 2024 fixture generator used by tests.
UUID_OBJ := $(BUILD)/clients/uuid.o
FIXTURE_OBJ := $(BUILD)/tests/fixture.o

UNIT_TESTS := test_validate test_tally test_store test_fixture test_config test_jsonl test_uuid
# The bench's latency histogram (bench/hist.c).
UNIT_TESTS += test_hist
# The ingest group's bump allocator for unpacked requests; query rows.
UNIT_TESTS += test_arena test_query
# Security: roles, key files, the clients directory, ZAP, the HTTP token and
# query string; and replays of the fuzz targets' seeds and saved crashes.
FUZZ_TARGETS := request jsonl csv config httpquery clientfile
UNIT_TESTS += test_scope test_keyring test_auth test_httpauth $(FUZZ_TARGETS:%=replay_%)
# The office's views: templates, figures, documents, CSV, and the store's
# as-of recount, closed years and senders.
UNIT_TESTS += test_template test_figures test_report test_export test_office_store
# Village-centre client (issue 4): the spool, the CSV reader, the ledger tables.
UNIT_TESTS += test_spool test_csv test_ledger
# Operations: the data directory's lock (daemon/datadir.c).
UNIT_TESTS += test_datadir
UNIT_BIN   := $(UNIT_TESTS:%=$(BUILD)/tests/%)
TEST_TOOLS := $(BUILD)/tests/gen-events $(BUILD)/tests/zsend
TEST_TOOLS += $(BUILD)/tests/notify-listen
# One CurveZMQ connection sending frames (tests/e2e/test_auth.sh).
TEST_TOOLS += $(BUILD)/tests/zcurve

.PHONY: all deps run test unit e2e asan clean
.PHONY: bench bench-quick bench-deps bench-tools
all: $(BINS) $(UNIT_BIN) $(TEST_TOOLS)

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "deps: run as root, or: apt-get install" $$missing >&2; exit 2; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null; } || \
		{ echo "deps: apt-get install failed:" $$missing >&2; exit 2; }; \
	fi

$(GEN_SRC) $(GEN_HDR): proto/lawtally.proto
	@mkdir -p $(BUILD)/gen
	$(PROTOC_C) --proto_path=proto --c_out=$(BUILD)/gen proto/lawtally.proto

$(BUILD)/%.o: %.c $(GEN_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/daemon/assets_data.o: daemon/assets_data.S $(DASHBOARD_FILES)
	@mkdir -p $(dir $@)
	$(CC) -DCHARTJS_PATH='"$(CHARTJS)"' -c -o $@ $<

$(BUILD)/gen/lawtally.pb-c.o: $(GEN_SRC)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/lawtallyd: $(DAEMON_OBJ) $(STORE_OBJ) $(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/lawtally: $(CLI_OBJ) $(CLIENT_OBJ) $(CLI_STORE_OBJ) $(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/liblawtally-pure.a: $(PURE_OBJ)
	$(AR) rcs $@ $^

# Each unit test links what it tests and no more.
$(BUILD)/tests/test_validate: $(BUILD)/tests/test_validate.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_tally: $(BUILD)/tests/test_tally.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_store: $(BUILD)/tests/test_store.o $(STORE_OBJ) $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_store: LDFLAGS += -Wl,--wrap=mdb_put -Wl,--wrap=mdb_txn_commit
$(BUILD)/tests/test_fixture: $(BUILD)/tests/test_fixture.o $(FIXTURE_OBJ) $(STORE_OBJ) $(UUID_OBJ) \
	$(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_config: $(BUILD)/tests/test_config.o $(BUILD)/daemon/config.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_jsonl: $(BUILD)/tests/test_jsonl.o $(CLIENT_OBJ) $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_uuid: $(BUILD)/tests/test_uuid.o $(UUID_OBJ) $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_datadir: $(BUILD)/tests/test_datadir.o $(STORE_OBJ) $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_arena: $(BUILD)/tests/test_arena.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_query: $(BUILD)/tests/test_query.o $(STORE_OBJ) $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_hist: $(BUILD)/tests/test_hist.o $(BUILD)/bench/hist.o
$(BUILD)/tests/test_spool: $(BUILD)/tests/test_spool.o $(BUILD)/clients/spool.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_csv: $(BUILD)/tests/test_csv.o $(BUILD)/clients/csv.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_ledger: $(BUILD)/tests/test_ledger.o $(BUILD)/clients/ledger.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_scope: $(BUILD)/tests/test_scope.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_keyring: $(BUILD)/tests/test_keyring.o $(BUILD)/daemon/keyring.o \
	$(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_auth: $(BUILD)/tests/test_auth.o $(BUILD)/daemon/auth.o $(BUILD)/daemon/keyring.o \
	$(BUILD)/daemon/zsock.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_httpauth: $(BUILD)/tests/test_httpauth.o $(BUILD)/daemon/httpauth.o \
	$(BUILD)/daemon/httpquery.o $(STORE_OBJ) $(BUILD)/liblawtally-pure.a
# Fuzz targets (tests/fuzz/fuzz_NAME.c): what each links, as a replay of
# its saved inputs in every build, and as a libFuzzer binary in `make fuzz`.
FUZZ_DEPS_request := $(BUILD)/liblawtally-pure.a
FUZZ_DEPS_jsonl := $(BUILD)/clients/jsonl.o $(BUILD)/clients/jsonl_format.o $(UUID_OBJ) $(BUILD)/liblawtally-pure.a
FUZZ_DEPS_csv := $(BUILD)/clients/csv.o $(BUILD)/clients/ledger.o $(BUILD)/liblawtally-pure.a
FUZZ_DEPS_config := $(BUILD)/daemon/config.o $(BUILD)/liblawtally-pure.a
FUZZ_DEPS_httpquery := $(BUILD)/daemon/httpquery.o $(STORE_OBJ) $(BUILD)/liblawtally-pure.a
FUZZ_DEPS_clientfile := $(BUILD)/liblawtally-pure.a
FUZZ_BIN := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/fuzz_%)
define fuzz_rules
$(BUILD)/tests/replay_$(1): $(BUILD)/tests/fuzz/fuzz_$(1).o $(BUILD)/tests/fuzz/replay.o \
	$(FUZZ_DEPS_$(1))
$(BUILD)/tests/fuzz/fuzz_$(1): $(BUILD)/tests/fuzz/fuzz_$(1).o $(FUZZ_DEPS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rules,$(t))))
$(FUZZ_BIN):
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
# The office's views (issue 6).
$(BUILD)/daemon/templates_data.o: daemon/templates_data.S config/report.zh.txt config/report.en.txt
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<
$(BUILD)/tests/test_template: $(BUILD)/tests/test_template.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_figures: $(BUILD)/tests/test_figures.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_report: $(BUILD)/tests/test_report.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_export: $(BUILD)/tests/test_export.o $(BUILD)/liblawtally-pure.a
$(BUILD)/tests/test_office_store: $(BUILD)/tests/test_office_store.o $(STORE_OBJ) \
	$(BUILD)/liblawtally-pure.a
$(UNIT_BIN):
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

# Tools the end-to-end tests use.
$(BUILD)/tests/gen-events: $(BUILD)/tests/gen_events.o $(FIXTURE_OBJ) $(CLIENT_OBJ) $(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/tests/zsend: $(BUILD)/tests/zsend.o $(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/tests/zcurve: $(BUILD)/tests/zcurve.o $(CLIENT_OBJ) $(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/tests/notify-listen: $(BUILD)/tests/notify_listen.o
	$(CC) $(LDFLAGS) -o $@ $^

# Install: `make install [PREFIX=/usr/local] [DESTDIR=]` puts the binaries,
# the man pages and the systemd unit under PREFIX, and the packaged config
# (data_dir = /var/lib/lawtally) at /etc/lawtally/lawtallyd.conf unless one
# is there already. tests/e2e/test_install.sh checks the tree.
PREFIX  ?= /usr/local
BINDIR  := $(PREFIX)/bin
SBINDIR := $(PREFIX)/sbin
MANDIR  := $(PREFIX)/share/man
UNITDIR := $(PREFIX)/lib/systemd/system
CONFDIR := /etc/lawtally
.PHONY: install uninstall
install: $(BINS)
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(CONFDIR)
	install -m 0755 $(BUILD)/lawtally $(DESTDIR)$(BINDIR)/lawtally
	install -m 0755 $(BUILD)/lawtallyd $(DESTDIR)$(SBINDIR)/lawtallyd
	install -m 0644 docs/man/lawtally.1 $(DESTDIR)$(MANDIR)/man1/lawtally.1
	install -m 0644 docs/man/lawtallyd.conf.5 $(DESTDIR)$(MANDIR)/man5/lawtallyd.conf.5
	install -m 0644 docs/man/lawtallyd.8 $(DESTDIR)$(MANDIR)/man8/lawtallyd.8
	sed 's|/usr/local/sbin/|$(SBINDIR)/|g' systemd/lawtallyd.service >$(DESTDIR)$(UNITDIR)/lawtallyd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/lawtallyd.service
	@if [ -e $(DESTDIR)$(CONFDIR)/lawtallyd.conf ]; then \
		echo "install: keeping the existing $(DESTDIR)$(CONFDIR)/lawtallyd.conf"; \
	else \
		echo "install: $(DESTDIR)$(CONFDIR)/lawtallyd.conf (data_dir = /var/lib/lawtally)"; \
		sed 's|^data_dir = .*|data_dir = /var/lib/lawtally|' config/lawtallyd.conf \
			>$(DESTDIR)$(CONFDIR)/lawtallyd.conf && chmod 0644 $(DESTDIR)$(CONFDIR)/lawtallyd.conf; \
	fi
# Leaves /etc/lawtally and the data in /var/lib/lawtally alone.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/lawtally $(DESTDIR)$(SBINDIR)/lawtallyd \
		$(DESTDIR)$(MANDIR)/man1/lawtally.1 $(DESTDIR)$(MANDIR)/man5/lawtallyd.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/lawtallyd.8 $(DESTDIR)$(UNITDIR)/lawtallyd.service

# Benchmarks (bench/, see BENCHMARKS.md): `make bench` builds optimised into
# $(BENCH_BUILD) and writes BENCHMARKS.md; `make bench-quick` runs a small
# version of the same and writes $(BUILD)/bench-quick.md (`make test` runs it).
BENCH_PKGS  := redis-server libhiredis-dev
BENCH_BUILD ?= build/bench
BENCH_LIB_OBJ := $(BUILD)/bench/hist.o $(BUILD)/bench/workload.o
BENCH_TOOLS := $(BUILD)/bench/loadgen $(BUILD)/bench/prefill $(BUILD)/bench/lmdb_ceiling \
	$(BUILD)/bench/redis_load $(BUILD)/bench/starttime
$(BUILD)/bench/loadgen: $(BUILD)/bench/loadgen.o $(BENCH_LIB_OBJ) $(UUID_OBJ) $(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpthread
$(BUILD)/bench/prefill: $(BUILD)/bench/prefill.o $(BENCH_LIB_OBJ) $(STORE_OBJ) $(UUID_OBJ) \
	$(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/bench/lmdb_ceiling: $(BUILD)/bench/lmdb_ceiling.o $(BENCH_LIB_OBJ) $(UUID_OBJ) \
	$(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/bench/redis_load: $(BUILD)/bench/redis_load.o $(BENCH_LIB_OBJ) $(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lhiredis -lpthread
$(BUILD)/bench/starttime: $(BUILD)/bench/starttime.o
	$(CC) $(LDFLAGS) -o $@ $^
bench-tools: $(BENCH_TOOLS)
bench-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(BENCH_PKGS)"
bench: deps bench-deps
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) SAN= OPT="-O2 -g" $(BENCH_BUILD)/lawtallyd bench-tools
	@BENCH_CMD="make bench" bench/run.sh --build $(BENCH_BUILD) --out BENCHMARKS.md
bench-quick: bench-deps
	@$(MAKE) --no-print-directory $(BUILD)/lawtallyd bench-tools
	@BENCH_CMD="make bench-quick" bench/run.sh --quick --build $(BUILD) --out $(BUILD)/bench-quick.md

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# End-to-end: the real daemon and clients on loopback (tests/e2e/).
e2e: $(BINS) $(TEST_TOOLS)
	@BUILD=$(abspath $(BUILD)) tests/e2e/run.sh

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory bench-quick
	@$(MAKE) --no-print-directory e2e

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan CC=clang \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		OPT="-O1 -g" all unit e2e

# Fuzzing (libFuzzer, clang): each target of FUZZ_TARGETS for FUZZ_SECONDS
# over its seeds (tests/fuzz/corpus/) and saved crashes (tests/fuzz/regress/);
# a crash stops it with the input saved and how to keep it as a regression.
FUZZ_BUILD ?= build/fuzz
FUZZ_SECONDS ?= 30
.PHONY: fuzz fuzz-run
fuzz: deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT="-O1 -g" \
		SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		fuzz-run
fuzz-run: $(FUZZ_BIN)
	@tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The daemon in the foreground on its built-in defaults, data in ./var.
run: deps
	@$(MAKE) --no-print-directory $(BINS)
	@echo "lawtallyd: data in ./var/lawtally; feed it with build/lawtally send, stop it with Ctrl-C"
	@exec $(BUILD)/lawtallyd

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

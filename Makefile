# lawtally - build, test and run.
#
#   make            build everything into build/
#   make run        start lawtallyd on its built-in defaults (data in ./var)
#   make test       unit tests and end-to-end tests
#   make asan       the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan       the tests under ThreadSanitizer (tests/tsan.supp: libzmq's hand-offs)
#   make valgrind   the unit tests under valgrind's memcheck
#   make bench      the benchmarks, written to BENCHMARKS.md
#   make bench-snapshot  only their section on answers under ingest
#   make bench-checksums only their section on the checksums and the scrub
#   make bench-seqs      only their section on the sequence numbers per sender
#   make bench-ingest    only their section on ingest against the disk's limit
#   make fuzz       each fuzz target for FUZZ_SECONDS
#   make clean      remove build/
#
# `run` and `test` first install missing Debian packages (see `deps`).
#
# The tree is layered (docs/architecture.md); each folder is compiled with
# the include paths of its own layer and the layers below, so that a lower
# layer including a higher one's header is a build error:
#
#   common/          shared by both programs          -Icommon
#   daemon/store/    the LMDB store and its queries   + daemon/store
#   daemon/office/   the office's documents           + daemon/office
#   daemon/          the lawtallyd process            + daemon
#   clients/         the client library               -Iclients -Icommon
#   clients/desk/    the village desk (agent's page)  + clients/desk
#   clients/cli/     the lawtally command             + clients/cli, clients/desk, daemon/store
#
# Each layer is a static library; programs and tests link the libraries of
# the layers they use, and the linker takes only the objects they need.

BUILD    ?= build
CC       ?= cc
PROTOC_C ?= protoc-c
VERSION  := 0.1.0

# ---- Debian packages ---------------------------------------------------
# `make deps` installs the missing ones (a quick no-op when all are there).
# The build: compiler, protoc-c and the libraries.
DEB_PKGS := build-essential pkg-config protobuf-c-compiler libprotobuf-c-dev \
	libzmq3-dev liblmdb-dev libevent-dev libcmocka-dev libjansson-dev \
	libinih-dev libsystemd-dev nettle-dev libzip-dev libxlsxwriter-dev libexpat1-dev gettext \
	libisal-dev
# The dashboard embeds Debian's Chart.js; its test drives Chromium over CDP.
DEB_PKGS += libjs-chart.js chromium python3
# End-to-end tests: HTTP and JSON from the shell, a test store edited with
# mdb_load, the unit checked by systemd-analyze, man pages by groff, a full
# disk on a tmpfs and a frozen one on a loop-mounted ext4 image, a daemon
# whose clock is wrong run under faketime.
DEB_PKGS += curl jq systemd lmdb-utils groff-base mount e2fsprogs faketime
# The office's documents: the report printed by Chromium to PDF and read by
# pdftotext/pdfinfo (with CJK fonts to print it in), the Word document
# converted back to text by LibreOffice, the workbook read by openpyxl.
DEB_PKGS += poppler-utils fonts-arphic-uming fonts-arphic-ukai fonts-wqy-microhei \
	libreoffice-writer-nogui python3-openpyxl
# The example Python sender and its test (protoc makes the module).
DEB_PKGS += python3-zmq python3-protobuf protobuf-compiler
# Ledger workbooks for the import tests, and the zh_CN locale they run under.
DEB_PKGS += python3-openpyxl locales
# `make bench`: the Redis comparison.
BENCH_PKGS := redis-server libhiredis-dev

# (xlsxwriter's pkg-config version reads 4 whatever the release: never test it.)
PC_PKGS     := libzmq libprotobuf-c lmdb libevent jansson inih libsystemd nettle libzip xlsxwriter \
	expat libisal
PC_CFLAGS   := $(shell pkg-config --cflags $(PC_PKGS) 2>/dev/null)
PC_LIBS     := $(shell pkg-config --libs $(PC_PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

# ---- Flags -------------------------------------------------------------
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT      ?= -O2 -g
SAN      ?=
# DEFINES: -D options of one build (the bench's comparison daemon, below).
DEFINES  ?=
CPPFLAGS += -DLAWTALLY_VERSION='"$(VERSION)"' -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 \
	-I$(BUILD)/gen $(LAYER_INC) $(DEFINES)
CFLAGS   += -std=c11 -pthread $(WARN) $(OPT) $(SAN) $(PC_CFLAGS)
LDFLAGS  += -pthread $(SAN)
LDLIBS   += $(PC_LIBS) -lm

# Include paths by layer (the most specific pattern wins).
ALL_INC := -Idaemon -Idaemon/office -Idaemon/store -Iclients/cli -Iclients/desk -Iclients -Icommon
$(BUILD)/common/%.o:        LAYER_INC = -Icommon
$(BUILD)/gen/%.o:           LAYER_INC = -Icommon
$(BUILD)/daemon/store/%.o:  LAYER_INC = -Idaemon/store -Icommon
$(BUILD)/daemon/office/%.o: LAYER_INC = -Idaemon/office -Idaemon/store -Icommon
$(BUILD)/daemon/%.o:        LAYER_INC = -Idaemon -Idaemon/office -Idaemon/store -Icommon
$(BUILD)/clients/%.o:       LAYER_INC = -Iclients -Icommon
$(BUILD)/clients/desk/%.o:  LAYER_INC = -Iclients/desk -Iclients -Icommon
$(BUILD)/clients/cli/%.o:   LAYER_INC = -Iclients/cli -Iclients/desk -Iclients -Idaemon/store -Icommon
$(BUILD)/tests/%.o:         LAYER_INC = $(ALL_INC) -Itests/tools -Ibench
$(BUILD)/bench/%.o:         LAYER_INC = $(ALL_INC) -Ibench

objs = $(patsubst %.c,$(BUILD)/%.o,$(1))

# ---- proto/: the wire schema; protoc-c writes the C once ---------------
GEN_SRC := $(BUILD)/gen/lawtally.pb-c.c
GEN_HDR := $(BUILD)/gen/lawtally.pb-c.h
GEN_OBJ := $(BUILD)/gen/lawtally.pb-c.o
$(GEN_SRC) $(GEN_HDR) &: proto/lawtally.proto
	@mkdir -p $(BUILD)/gen
	$(PROTOC_C) --proto_path=proto --c_out=$(BUILD)/gen proto/lawtally.proto

# ---- common/: errors, log, memory, calendar, the event model -----------
COMMON_OBJ := $(call objs,$(wildcard common/*.c)) $(GEN_OBJ)
COMMON_LIB := $(BUILD)/liblawtally-common.a

# ---- daemon/store/: LMDB, tallying on apply, queries, backups ----------
STORE_OBJ := $(call objs,$(wildcard daemon/store/*.c))
STORE_LIB := $(BUILD)/liblawtally-store.a

# ---- daemon/office/: report, monthly form, exports, templates ----------
OFFICE_OBJ := $(call objs,$(wildcard daemon/office/*.c)) $(BUILD)/daemon/office/templates_data.o
OFFICE_LIB := $(BUILD)/liblawtally-office.a
$(BUILD)/daemon/office/templates_data.o: daemon/office/templates_data.S \
		config/report.zh.txt config/report.en.txt
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# ---- daemon/: the lawtallyd process (loop, sockets, HTTP, writer) ------
DAEMON_MAIN := $(BUILD)/daemon/lawtallyd.o
DAEMON_OBJ  := $(filter-out $(DAEMON_MAIN),$(call objs,$(wildcard daemon/*.c))) \
	$(BUILD)/daemon/assets_data.o
DAEMON_LIB  := $(BUILD)/liblawtally-daemon.a
CHARTJS := /usr/share/javascript/chart.js/chart.min.js
DASHBOARD_FILES := daemon/dashboard.html daemon/dashboard.js daemon/dashboard.css $(CHARTJS)
$(BUILD)/daemon/assets_data.o: daemon/assets_data.S $(DASHBOARD_FILES)
	@mkdir -p $(dir $@)
	$(CC) -DCHARTJS_PATH='"$(CHARTJS)"' -c -o $@ $<

# ---- clients/: the client library (link, spool, JSON Lines, ledgers) ---
CLIENT_OBJ := $(call objs,$(wildcard clients/*.c))
CLIENT_LIB := $(BUILD)/liblawtally-client.a

# ---- clients/desk/: the village desk, served by `lawtally agent` --------
DESK_OBJ := $(call objs,$(wildcard clients/desk/*.c)) $(BUILD)/clients/desk/desk_assets_data.o
DESK_LIB := $(BUILD)/liblawtally-desk.a
DESK_FILES := clients/desk/desk.html clients/desk/desk.js clients/desk/desk.css
$(BUILD)/clients/desk/desk_assets_data.o: clients/desk/desk_assets_data.S $(DESK_FILES)
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# ---- po/: lawtally's messages in other languages (gettext) --------------
# Each po/LANG.po compiles into $(BUILD)/locale/LANG/LC_MESSAGES/lawtally.mo,
# where a lawtally run from the build tree finds it (clients/i18n.c);
# `make po` brings new messages from the sources into the .po files.
PO_LANGS := $(basename $(notdir $(wildcard po/*.po)))
MO_FILES := $(PO_LANGS:%=$(BUILD)/locale/%/LC_MESSAGES/lawtally.mo)
$(BUILD)/locale/%/LC_MESSAGES/lawtally.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<
POT := $(BUILD)/lawtally.pot
.PHONY: po
po:
	@mkdir -p $(BUILD)
	xgettext --from-code=UTF-8 -k_ -kN_ -kdngettext:2,3 --no-location --sort-output --package-name=lawtally \
		-o $(POT) clients/*.c clients/cli/*.c
	for p in po/*.po; do msgmerge --quiet --update --backup=none --no-location $$p $(POT) && \
		msgattrib --no-obsolete -o $$p $$p; done

# ---- clients/cli/: the lawtally command ---------------------------------
CLI_OBJ := $(call objs,$(wildcard clients/cli/*.c))

$(COMMON_LIB): $(COMMON_OBJ)
$(STORE_LIB):  $(STORE_OBJ)
$(OFFICE_LIB): $(OFFICE_OBJ)
$(DAEMON_LIB): $(DAEMON_OBJ)
$(CLIENT_LIB): $(CLIENT_OBJ)
$(DESK_LIB):   $(DESK_OBJ)
$(COMMON_LIB) $(STORE_LIB) $(OFFICE_LIB) $(DAEMON_LIB) $(CLIENT_LIB) $(DESK_LIB):
	@rm -f $@
	$(AR) rcs $@ $^

# What each kind of program links, highest layer first.
DAEMON_LIBS := $(DAEMON_LIB) $(OFFICE_LIB) $(STORE_LIB) $(COMMON_LIB)
CLI_LIBS    := $(DESK_LIB) $(CLIENT_LIB) $(STORE_LIB) $(COMMON_LIB)
ALL_LIBS    := $(DAEMON_LIB) $(OFFICE_LIB) $(STORE_LIB) $(DESK_LIB) $(CLIENT_LIB) $(COMMON_LIB)

BINS := $(BUILD)/lawtallyd $(BUILD)/lawtally
$(BUILD)/lawtallyd: $(DAEMON_MAIN) $(DAEMON_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/lawtally: $(CLI_OBJ) $(CLI_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c $(GEN_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<
$(GEN_OBJ): $(GEN_SRC)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# ---- tests/: unit tests mirror the source folders ----------------------
# tests/LAYER/test_NAME.c links the libraries of LAYER and below; test
# tools (tests/tools/) are the fixture, plain-LMDB changes to a store for
# the store's tests, a store in a temporary directory, and the small
# programs e2e uses.
FIXTURE_OBJ := $(BUILD)/tests/tools/fixture.o
RAWSTORE_OBJ := $(BUILD)/tests/tools/rawstore.o
TMPSTORE_OBJ := $(BUILD)/tests/tools/tmpstore.o
define unit_layer
UNIT_BIN += $$(patsubst %.c,$$(BUILD)/%,$$(wildcard tests/$(1)/test_*.c))
$$(BUILD)/tests/$(1)/test_%: $$(BUILD)/tests/$(1)/test_%.o $(2)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(CMOCKA_LIBS) $$(LDLIBS)
endef
$(eval $(call unit_layer,common,$(COMMON_LIB)))
$(eval $(call unit_layer,daemon/store,$(FIXTURE_OBJ) $(RAWSTORE_OBJ) $(TMPSTORE_OBJ) $(STORE_LIB) \
	$(CLIENT_LIB) $(COMMON_LIB)))
$(eval $(call unit_layer,daemon/office,$(FIXTURE_OBJ) $(TMPSTORE_OBJ) $(OFFICE_LIB) $(STORE_LIB) \
	$(CLIENT_LIB) $(COMMON_LIB)))
$(eval $(call unit_layer,daemon,$(DAEMON_LIBS)))
$(eval $(call unit_layer,clients,$(CLIENT_LIB) $(COMMON_LIB)))
$(eval $(call unit_layer,clients/desk,$(DESK_LIB) $(CLIENT_LIB) $(COMMON_LIB)))
$(eval $(call unit_layer,bench,$(BUILD)/bench/hist.o))
# The store's tests inject EIO and MAP_FULL into the real LMDB calls.
$(BUILD)/tests/daemon/store/test_store: LDFLAGS += -Wl,--wrap=mdb_put -Wl,--wrap=mdb_cursor_put \
	-Wl,--wrap=mdb_txn_commit
$(BUILD)/tests/daemon/store/test_store_migrate: LDFLAGS += -Wl,--wrap=mdb_put

# Fuzz targets (tests/fuzz/fuzz_NAME.c): each as a replay of its saved
# inputs in every build (a unit test), and as a libFuzzer binary in `make fuzz`.
FUZZ_TARGETS := request jsonl csv config httpquery clientfile xlsx desk
FUZZ_BIN := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/fuzz_%)
UNIT_BIN += $(FUZZ_TARGETS:%=$(BUILD)/tests/replay_%)
$(BUILD)/tests/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(ALL_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(ALL_LIBS)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

TEST_TOOLS := $(BUILD)/tests/gen-events $(BUILD)/tests/zsend $(BUILD)/tests/notify-listen \
	$(BUILD)/tests/zcurve $(BUILD)/tests/store-damage
$(BUILD)/tests/gen-events: $(BUILD)/tests/tools/gen_events.o $(FIXTURE_OBJ) $(CLIENT_LIB) $(COMMON_LIB)
$(BUILD)/tests/zsend: $(BUILD)/tests/tools/zsend.o $(COMMON_LIB)
$(BUILD)/tests/zcurve: $(BUILD)/tests/tools/zcurve.o $(CLIENT_LIB) $(COMMON_LIB)
$(BUILD)/tests/notify-listen: $(BUILD)/tests/tools/notify_listen.o
$(BUILD)/tests/store-damage: $(BUILD)/tests/tools/store_damage.o
$(TEST_TOOLS):
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ---- bench/: load generators and the ceilings they are measured against -
BENCH_BUILD ?= build/bench
BENCH_LIB_OBJ := $(BUILD)/bench/hist.o $(BUILD)/bench/workload.o
BENCH_TOOLS := $(BUILD)/bench/loadgen $(BUILD)/bench/prefill $(BUILD)/bench/lmdb_ceiling \
	$(BUILD)/bench/redis_load $(BUILD)/bench/starttime $(BUILD)/bench/scrubrate \
	$(BUILD)/bench/seqbench
$(BUILD)/bench/loadgen: $(BUILD)/bench/loadgen.o $(BENCH_LIB_OBJ) $(CLIENT_LIB) $(COMMON_LIB)
$(BUILD)/bench/prefill: $(BUILD)/bench/prefill.o $(BENCH_LIB_OBJ) $(STORE_LIB) $(CLIENT_LIB) \
	$(COMMON_LIB)
$(BUILD)/bench/lmdb_ceiling: $(BUILD)/bench/lmdb_ceiling.o $(BENCH_LIB_OBJ) $(STORE_LIB) $(CLIENT_LIB) \
	$(COMMON_LIB)
$(BUILD)/bench/redis_load: $(BUILD)/bench/redis_load.o $(BENCH_LIB_OBJ) $(COMMON_LIB)
$(BUILD)/bench/redis_load: LDLIBS += -lhiredis
$(BUILD)/bench/starttime: $(BUILD)/bench/starttime.o
$(BUILD)/bench/scrubrate: $(BUILD)/bench/scrubrate.o $(STORE_LIB) $(COMMON_LIB)
$(BUILD)/bench/seqbench: $(BUILD)/bench/seqbench.o $(STORE_LIB) $(COMMON_LIB)
$(BENCH_TOOLS):
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ---- targets -----------------------------------------------------------
.PHONY: all deps run test unit e2e asan clean bench bench-quick bench-county bench-deps bench-tools \
	bench-snapshot bench-checksums bench-seqs bench-ingest bench-nosum fuzz fuzz-run install uninstall tsan valgrind
all: $(BINS) $(MO_FILES) $(UNIT_BIN) $(TEST_TOOLS)

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

# The daemon in the foreground on its built-in defaults, data in ./var.
run: deps
	@$(MAKE) --no-print-directory $(BINS)
	@echo "lawtallyd: data in ./var/lawtally; feed it with build/lawtally send, stop it with Ctrl-C"
	@exec $(BUILD)/lawtallyd

# Each unit test ends by itself; one that hangs is stopped and fails the run.
UNIT_TIMEOUT ?= 300
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; \
		timeout -k 5 $(UNIT_TIMEOUT) $$t || { rc=$$?; [ $$rc -ne 124 ] || \
		echo "unit: $$t did not end within $(UNIT_TIMEOUT) s" >&2; exit $$rc; }; done

# End-to-end: the real daemon and clients on loopback (tests/e2e/); the
# bench's load generator drives ingest where answers are checked under it.
e2e: $(BINS) $(MO_FILES) $(TEST_TOOLS) $(BUILD)/bench/loadgen
	@BUILD=$(abspath $(BUILD)) tests/e2e/run.sh

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory bench-quick
	@$(MAKE) --no-print-directory e2e

# (detect_stack_use_after_return: a pointer into a frame that has returned,
# which ASan does not look for by default)
asan: deps
	@ASAN_OPTIONS=detect_stack_use_after_return=1 \
		$(MAKE) --no-print-directory BUILD=build/asan CC=clang \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		OPT="-O1 -g" all unit e2e

# Valgrind (memcheck): every unit test, errors and definite leaks failing it;
# each process's report in build/valgrind/ (test_fault's children fault on
# purpose, and their reports stay there). test_flips runs 24 trials here, and
# test_httplisten's out-of-descriptors case is skipped (LAWTALLY_UNDER_VALGRIND:
# valgrind keeps descriptors of its own and virtualises the limit).
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--log-file=$(BUILD)/valgrind/%p.log
valgrind: $(UNIT_BIN)
	@$(MAKE) --no-print-directory deps DEB_PKGS=valgrind
	@rm -rf $(BUILD)/valgrind && mkdir -p $(BUILD)/valgrind
	@set -e; for t in $(UNIT_BIN); do echo "== valgrind $$t"; \
		LAWTALLY_UNDER_VALGRIND=1 LAWTALLY_FLIP_TRIALS=24 $(VALGRIND) $$t >$(BUILD)/valgrind/last.out 2>&1 || { \
		rc=$$?; tail -n 20 $(BUILD)/valgrind/last.out; \
		echo "valgrind: $$t failed ($$rc); reports in $(BUILD)/valgrind/" >&2; exit 1; }; done
	@echo "valgrind: every unit test clean"

# ThreadSanitizer: the unit tests and the end-to-end tests with every program
# built -fsanitize=thread; a race ends the process that met it (halt_on_error),
# so the test it was in fails. tests/tsan.supp says what is suppressed: only
# libzmq's own hand-offs, which TSan cannot see (libzmq is not instrumented).
tsan: deps
	@TSAN_OPTIONS="suppressions=$(abspath tests/tsan.supp) halt_on_error=1 exitcode=66" \
		$(MAKE) --no-print-directory BUILD=build/tsan CC=clang \
		SAN="-fsanitize=thread -fno-omit-frame-pointer" OPT="-O1 -g" all unit e2e

# Benchmarks (bench/, see BENCHMARKS.md): `make bench` builds optimised into
# $(BENCH_BUILD) and writes BENCHMARKS.md; `make bench-quick` runs a small
# version of the same and writes $(BUILD)/bench-quick.md (`make test` runs it).
bench-tools: $(BENCH_TOOLS)
bench-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(BENCH_PKGS)"
# The cost of the checksums is measured against a daemon built without them
# (-DLAWTALLY_NO_CHECKSUMS: its stores carry no seals), for the bench only.
BENCH_NOSUM_BUILD ?= $(BENCH_BUILD)-nosum
bench-nosum:
	@$(MAKE) --no-print-directory BUILD=$(BENCH_NOSUM_BUILD) SAN= OPT="-O2 -g" \
		DEFINES=-DLAWTALLY_NO_CHECKSUMS $(BENCH_NOSUM_BUILD)/lawtallyd $(BENCH_NOSUM_BUILD)/bench/prefill
bench: deps bench-deps bench-nosum
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) SAN= OPT="-O2 -g" $(BENCH_BUILD)/lawtallyd \
		$(BENCH_BUILD)/lawtally bench-tools
	@BENCH_CMD="make bench" bench/run.sh --build $(BENCH_BUILD) --nosum $(BENCH_NOSUM_BUILD) \
		--out BENCHMARKS.md
	@BENCH_CMD="make bench" BENCH_AFTER_RUN=1 bench/county.sh --build $(BENCH_BUILD) --out BENCHMARKS.md
# The section on answers under full ingest alone, put into BENCHMARKS.md.
bench-snapshot: deps
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) SAN= OPT="-O2 -g" $(BENCH_BUILD)/lawtallyd \
		$(BENCH_BUILD)/bench/loadgen
	@BENCH_CMD="make bench-snapshot" bench/run.sh --only snapshot --build $(BENCH_BUILD) --out BENCHMARKS.md
# The section on the checksums and the scrub alone, put into BENCHMARKS.md.
bench-checksums: deps bench-nosum
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) SAN= OPT="-O2 -g" $(BENCH_BUILD)/lawtallyd \
		$(BENCH_BUILD)/bench/loadgen $(BENCH_BUILD)/bench/prefill $(BENCH_BUILD)/bench/scrubrate
	@BENCH_CMD="make bench-checksums" bench/run.sh --only checksums --build $(BENCH_BUILD) \
		--nosum $(BENCH_NOSUM_BUILD) --out BENCHMARKS.md
# The section on the sequence numbers' bytes per sender alone, put into BENCHMARKS.md.
bench-seqs:
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) SAN= OPT="-O2 -g" $(BENCH_BUILD)/bench/seqbench
	@BENCH_CMD="make bench-seqs" bench/run.sh --only seqs --build $(BENCH_BUILD) --out BENCHMARKS.md

# The county's section (bench/county.sh): forwarded streams of N townships, and lag.
bench-county: deps
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) SAN= OPT="-O2 -g" $(BENCH_BUILD)/lawtallyd \
		$(BENCH_BUILD)/bench/loadgen
	@BENCH_CMD="make bench-county" bench/county.sh --build $(BENCH_BUILD) --out BENCHMARKS.md

# The section on ingest against the layout ceiling and Redis alone (issue 20).
bench-ingest: deps bench-deps
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) SAN= OPT="-O2 -g" $(BENCH_BUILD)/lawtallyd \
		$(BENCH_BUILD)/bench/loadgen $(BENCH_BUILD)/bench/lmdb_ceiling $(BENCH_BUILD)/bench/redis_load \
		$(BENCH_BUILD)/bench/seqbench
	@BENCH_CMD="make bench-ingest" bench/run.sh --only ingest --build $(BENCH_BUILD) --out BENCHMARKS.md

bench-quick: bench-deps
	@$(MAKE) --no-print-directory $(BUILD)/lawtallyd bench-tools
	@BENCH_CMD="make bench-quick" bench/run.sh --quick --build $(BUILD) --out $(BUILD)/bench-quick.md

# Fuzzing (libFuzzer, clang): each target of FUZZ_TARGETS for FUZZ_SECONDS
# (or for FUZZ_RUNS executions: make fuzz FUZZ_TARGETS=xlsx FUZZ_RUNS=10000000)
# over its seeds (tests/fuzz/corpus/) and saved crashes (tests/fuzz/regress/);
# a crash stops it with the input saved and how to keep it as a regression.
FUZZ_BUILD ?= build/fuzz
FUZZ_SECONDS ?= 30
fuzz: deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT="-O1 -g" \
		SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		fuzz-run
fuzz-run: $(FUZZ_BIN)
	@FUZZ_RUNS=$(FUZZ_RUNS) tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Install: `make install [PREFIX=/usr/local] [DESTDIR=]` puts the binaries,
# the man pages, the message catalogues and the systemd units (lawtallyd,
# lawtally-agent) under PREFIX, the packaged config (data_dir =
# /var/lib/lawtally) at /etc/lawtally/lawtallyd.conf unless one is there
# already, and the village PC's spool directory /var/lib/lawtally-spool
# (2770, group lawtally: the agent and the mediators share it). Run as root
# without DESTDIR it also makes the system user and group lawtally that the
# agent's unit runs as, and gives the spool's files to the group.
# tests/e2e/test_install.sh checks the tree.
PREFIX  ?= /usr/local
BINDIR  := $(PREFIX)/bin
SBINDIR := $(PREFIX)/sbin
MANDIR  := $(PREFIX)/share/man
LOCALEDIR := $(PREFIX)/share/locale
UNITDIR := $(PREFIX)/lib/systemd/system
CONFDIR := /etc/lawtally
SPOOLDIR := /var/lib/lawtally-spool
SPOOL_GROUP := lawtally
install: $(BINS) $(MO_FILES)
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(CONFDIR)
	install -m 0755 $(BUILD)/lawtally $(DESTDIR)$(BINDIR)/lawtally
	install -m 0755 $(BUILD)/lawtallyd $(DESTDIR)$(SBINDIR)/lawtallyd
	install -m 0644 docs/man/lawtally.1 $(DESTDIR)$(MANDIR)/man1/lawtally.1
	for l in $(PO_LANGS); do \
		install -d -m 0755 $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/lawtally.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/lawtally.mo || exit 1; \
	done
	install -m 0644 docs/man/lawtallyd.conf.5 $(DESTDIR)$(MANDIR)/man5/lawtallyd.conf.5
	install -m 0644 docs/man/lawtallyd.8 $(DESTDIR)$(MANDIR)/man8/lawtallyd.8
	sed 's|/usr/local/sbin/|$(SBINDIR)/|g' systemd/lawtallyd.service >$(DESTDIR)$(UNITDIR)/lawtallyd.service
	sed 's|/usr/local/bin/|$(BINDIR)/|g' systemd/lawtally-agent.service \
		>$(DESTDIR)$(UNITDIR)/lawtally-agent.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/lawtallyd.service $(DESTDIR)$(UNITDIR)/lawtally-agent.service
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		getent group $(SPOOL_GROUP) >/dev/null || groupadd --system $(SPOOL_GROUP); \
		getent passwd $(SPOOL_GROUP) >/dev/null || useradd --system --gid $(SPOOL_GROUP) \
			--no-create-home --home-dir $(SPOOLDIR) --shell /usr/sbin/nologin $(SPOOL_GROUP); \
		install -d -o $(SPOOL_GROUP) -g $(SPOOL_GROUP) -m 2770 $(SPOOLDIR); \
		find $(SPOOLDIR) -mindepth 1 -exec chgrp $(SPOOL_GROUP) {} + -exec chmod g+rw {} +; \
		echo "install: $(SPOOLDIR) for the group $(SPOOL_GROUP): usermod -aG $(SPOOL_GROUP) MEDIATOR"; \
	else \
		install -d -m 2770 $(DESTDIR)$(SPOOLDIR); \
		echo "install: $(DESTDIR)$(SPOOLDIR): give it to the group $(SPOOL_GROUP) (chgrp) on the target"; \
	fi
	@if [ -e $(DESTDIR)$(CONFDIR)/lawtallyd.conf ]; then \
		echo "install: keeping the existing $(DESTDIR)$(CONFDIR)/lawtallyd.conf"; \
	else \
		echo "install: $(DESTDIR)$(CONFDIR)/lawtallyd.conf (data_dir = /var/lib/lawtally)"; \
		sed 's|^data_dir = .*|data_dir = /var/lib/lawtally|' config/lawtallyd.conf \
			>$(DESTDIR)$(CONFDIR)/lawtallyd.conf && chmod 0644 $(DESTDIR)$(CONFDIR)/lawtallyd.conf; \
	fi
# Leaves /etc/lawtally, the data in /var/lib/lawtally and the spool alone.
uninstall:
	for l in $(PO_LANGS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/lawtally.mo; done
	rm -f $(DESTDIR)$(BINDIR)/lawtally $(DESTDIR)$(SBINDIR)/lawtallyd \
		$(DESTDIR)$(MANDIR)/man1/lawtally.1 $(DESTDIR)$(MANDIR)/man5/lawtallyd.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/lawtallyd.8 $(DESTDIR)$(UNITDIR)/lawtallyd.service \
		$(DESTDIR)$(UNITDIR)/lawtally-agent.service

clean:
	rm -rf build

# Header dependencies of the objects this build makes, and of no other.
ALL_OBJ := $(COMMON_OBJ) $(STORE_OBJ) $(OFFICE_OBJ) $(DAEMON_OBJ) $(DAEMON_MAIN) $(CLIENT_OBJ) \
	$(DESK_OBJ) $(CLI_OBJ) $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/*/*.c tests/*/*/*.c bench/*.c))
-include $(ALL_OBJ:.o=.d)

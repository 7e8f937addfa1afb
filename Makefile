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

PC_PKGS  := libzmq libprotobuf-c lmdb libevent jansson inih libsystemd
PC_CFLAGS := $(shell pkg-config --cflags $(PC_PKGS) 2>/dev/null)
PC_LIBS   := $(shell pkg-config --libs $(PC_PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT      ?= -O2 -g
SAN      ?=
VERSION  := 0.1.0
CPPFLAGS += -DLAWTALLY_VERSION='"$(VERSION)"' -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -I$(BUILD)/gen -Idaemon -Iclients
CFLAGS   += -std=c11 $(WARN) $(OPT) $(SAN) $(PC_CFLAGS)
LDFLAGS  += $(SAN)
LDLIBS   += $(PC_LIBS) -lm

GEN_SRC  := $(BUILD)/gen/lawtally.pb-c.c
GEN_HDR  := $(BUILD)/gen/lawtally.pb-c.h

# Pure logic (no I/O): validation, tally rules, queries over totals.
PURE_SRC := daemon/err.c daemon/log.c daemon/villages.c daemon/validate.c \
	daemon/tally.c daemon/reply.c
PURE_OBJ := $(PURE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/lawtally.pb-c.o
# The store (LMDB).
STORE_OBJ := $(BUILD)/daemon/store.o $(BUILD)/daemon/query.o
# The daemon's I/O modules.
DAEMON_SRC := daemon/config.c daemon/zsock.c daemon/metrics.c daemon/ingest.c \
	daemon/querysock.c daemon/http.c daemon/lawtallyd.c
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
# The client library and the command-line client.
CLIENT_SRC := clients/client.c clients/jsonl.c clients/uuid.c
CLI_SRC := clients/lawtally.c clients/cmd_send.c clients/cmd_totals.c
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(BUILD)/%.o)
BINS := $(BUILD)/lawtallyd $(BUILD)/lawtally

# Shared client code (ids) and the 2024 fixture generator used by tests.
UUID_OBJ := $(BUILD)/clients/uuid.o
FIXTURE_OBJ := $(BUILD)/tests/fixture.o

UNIT_TESTS := test_validate test_tally test_store test_fixture test_config test_jsonl test_uuid
UNIT_BIN   := $(UNIT_TESTS:%=$(BUILD)/tests/%)
TEST_TOOLS := $(BUILD)/tests/gen-events $(BUILD)/tests/zsend

.PHONY: all deps run test unit e2e asan clean
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

$(BUILD)/gen/lawtally.pb-c.o: $(GEN_SRC)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/lawtallyd: $(DAEMON_OBJ) $(STORE_OBJ) $(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/lawtally: $(CLI_OBJ) $(CLIENT_OBJ) $(BUILD)/liblawtally-pure.a
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
$(UNIT_BIN):
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

# Tools the end-to-end tests use.
$(BUILD)/tests/gen-events: $(BUILD)/tests/gen_events.o $(FIXTURE_OBJ) $(CLIENT_OBJ) $(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/tests/zsend: $(BUILD)/tests/zsend.o $(BUILD)/liblawtally-pure.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# End-to-end: the real daemon and clients on loopback (tests/e2e/).
e2e: $(BINS) $(TEST_TOOLS)
	@BUILD=$(abspath $(BUILD)) tests/e2e/run.sh

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan CC=clang \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		OPT="-O1 -g" all unit e2e

# The daemon in the foreground on its built-in defaults, data in ./var.
run: deps
	@$(MAKE) --no-print-directory $(BINS)
	@echo "lawtallyd: data in ./var/lawtally; feed it with build/lawtally send, stop it with Ctrl-C"
	@exec $(BUILD)/lawtallyd

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

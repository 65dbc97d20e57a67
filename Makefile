# Linkdesk.  `make run` and `make test` are the two commands; see README.md.

VERSION   := 0.1.0
PKGS      := libmicrohttpd libpq jansson libical libsodium libcurl libzip xlsxwriter \
	gmime-3.0 libmagic cjose
CC        ?= cc
SANITIZE  ?=
BUILD     := build/$(if $(SANITIZE),san,rel)

WARN := -std=c17 -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
	-Wshadow -Wpointer-arith -Wcast-qual -Wformat-security -Wvla \
	-Wwrite-strings -fno-common -Werror
OPT  := $(if $(SANITIZE),-O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=all,-O2 -g)
CPPFLAGS += -D_GNU_SOURCE -DLINKDESK_VERSION='"$(VERSION)"' -Iinclude \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS   += $(WARN) $(OPT) -MMD -MP
LDFLAGS  += $(if $(SANITIZE),-fsanitize=$(SANITIZE))
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

CORE_SRC   := $(sort $(wildcard core/*.c))
SERVER_SRC := $(sort $(wildcard server/*.c server/*/*.c))
MIGRATIONS := $(sort $(wildcard sql/[0-9][0-9][0-9]_*.sql))
REPEATABLES := $(sort $(wildcard sql/functions/*.sql))
TEMPLATES  := $(sort $(wildcard web/templates/*.html web/templates/*.txt))
GEN_SRC    := $(BUILD)/gen/migrations.c $(BUILD)/gen/repeatables.c \
	$(BUILD)/gen/demo.c $(BUILD)/gen/openapi.c \
	$(BUILD)/gen/templates.c

CORE_OBJ   := $(CORE_SRC:%.c=$(BUILD)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o) $(GEN_SRC:.c=.o)

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
STORE_SRC := $(sort $(wildcard tests/store/test_*.c))
HTTP_SRC := $(sort $(wildcard tests/http/test_*.c))
SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
TEST_BIN := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%) \
	$(STORE_SRC:tests/%.c=$(BUILD)/tests/%) $(HTTP_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all run screenshots stop test test-unit test-build deps deps-test format format-check clean web fuzz fuzz-build bench soak

all: $(BUILD)/linkdesk

$(BUILD)/linkdesk: $(CORE_OBJ) $(SERVER_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGRATIONS) scripts/embed.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed.sh migrations $@ $(MIGRATIONS)

$(BUILD)/gen/repeatables.c: $(REPEATABLES) scripts/embed.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed.sh repeatables $@ $(REPEATABLES)

$(BUILD)/gen/demo.c: sql/demo.sql scripts/embed.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed.sh file $@ demo_sql sql/demo.sql

$(BUILD)/gen/templates.c: $(TEMPLATES) scripts/embed.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed.sh templates $@ $(TEMPLATES)

$(BUILD)/gen/openapi.c: docs/openapi.json scripts/embed.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed.sh file $@ openapi_json docs/openapi.json

# Unit tests link core/ only; HTTP tests talk to a running server.
$(BUILD)/tests/unit/%: tests/unit/%.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_OBJ) \
		$(LDLIBS) -lcmocka

# Store tests call server/store/ directly against the suite's database
# (db.h too, for what only the store itself calls).
$(BUILD)/tests/store/%: tests/store/%.c $(SUPPORT_SRC) $(CORE_OBJ) $(SERVER_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CPPFLAGS) -Itests/support -Iserver/store $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(SUPPORT_SRC) $(CORE_OBJ) \
		$(filter-out $(BUILD)/server/main.o,$(SERVER_OBJ)) $(LDLIBS) -lcmocka

$(BUILD)/tests/http/%: tests/http/%.c $(SUPPORT_SRC) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CPPFLAGS) -Itests/support $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(SUPPORT_SRC) $(CORE_OBJ) $(LDLIBS) -lcmocka

deps:
	@sh scripts/deps.sh run

deps-test:
	@sh scripts/deps.sh test

# The dashboard's GOV.UK Frontend assets, from npm.
web:
	@sh scripts/web.sh

# Build, start the embedded cluster, migrate, load the demo, serve.
# The ports: LD_PGPORT (the cluster's) and LINKDESK_LISTEN (the server's);
# scripts/run.sh derives the addresses that follow from them.
run: deps web
	@$(MAKE) --no-print-directory all
	@sh scripts/run.sh $(BUILD)

# Each role's home page on the demo, for the README (not part of make test).
screenshots: deps-test web
	@$(MAKE) --no-print-directory all
	@sh scripts/screenshots.sh $(BUILD)

stop:
	@if [ -s var/linkdesk.pid ]; then kill `cat var/linkdesk.pid` 2>/dev/null || true; rm -f var/linkdesk.pid; fi
	@sh scripts/devdb.sh stop

test: deps-test web
	@$(MAKE) --no-print-directory all fuzz-build
	@$(MAKE) --no-print-directory SANITIZE=address,undefined test-build
	@sh tests/run.sh build/san

test-build: $(BUILD)/linkdesk $(TEST_BIN)

# core/'s unit tests alone, under the sanitizers: no database, server or
# browser, so a change to core/ is checked in seconds.
UNIT_BIN := $(UNIT_SRC:tests/%.c=build/san/tests/%)
test-unit:
	@$(MAKE) --no-print-directory SANITIZE=address,undefined $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; \
		LINKDESK_ROOT=$(CURDIR) ./$$t; done

# Fuzz targets (libFuzzer, clang), over core/ and their own file.
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_PKGS  := jansson libical libsodium gmime-3.0 libmagic
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -Iinclude $(shell pkg-config --cflags $(FUZZ_PKGS) 2>/dev/null)
FUZZ_SECONDS ?= 60

build/fuzz/%: tests/fuzz/%.c $(CORE_SRC)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@clang $(FUZZ_FLAGS) -o $@ $< $(CORE_SRC) \
		$(shell pkg-config --libs $(FUZZ_PKGS) 2>/dev/null) -lpthread

# JSON bodies go through the real handlers: this target links the server.
FUZZ_SERVER_SRC := $(filter-out server/main.c,$(SERVER_SRC))
build/fuzz/fuzz_bodies: tests/fuzz/fuzz_bodies.c $(CORE_SRC) $(FUZZ_SERVER_SRC) $(GEN_SRC)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@clang $(FUZZ_FLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
		-DLINKDESK_VERSION='"$(VERSION)"' -o $@ $< $(CORE_SRC) \
		$(FUZZ_SERVER_SRC) $(GEN_SRC) $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

# Each target for FUZZ_SECONDS; crashes found are fixed and their inputs
# kept in tests/fuzz/corpus/NAME as regression inputs.
fuzz: fuzz-build
	@for t in $(FUZZ_BIN); do \
		n=$$(basename $$t | sed 's/^fuzz_//'); mkdir -p build/fuzz/corpus-$$n; \
		$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 build/fuzz/corpus-$$n \
			tests/fuzz/corpus/$$n || exit 1; \
	done

# National-scale benchmark against this machine's ceilings (bench/README.md);
# BENCH_CASES=2000 for a quick run.
bench: deps-test all
	@sh bench/run.sh

# An hour of mixed load on two servers (SOAK_SECONDS), memory sampled.
soak: deps-test all
	@sh tests/soak.sh build/rel

FORMAT_SRC = $(wildcard core/*.c server/*.c server/*/*.c include/*.h server/*/*.h tests/*/*.c tests/*/*.h)

format:
	clang-format -i $(FORMAT_SRC)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRC)
	@sh scripts/layers.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# Build and test everything. `make demo` runs the main job on the real data;
# `make test` runs every test in every language. Each layer adds its own targets from
# the .mk file beside its sources.

CARGO ?= cargo
CC ?= cc
CXX ?= c++

# Rust tests run in the release profile so they share compiled dependencies with the
# library that the C, Go and Python tests load.
LIB_DIR := $(CURDIR)/target/release
SHARED_LIB := $(LIB_DIR)/libusage_db.so
STATIC_LIB := $(LIB_DIR)/libusage_db.a
HEADER := $(CURDIR)/include/usage_db.h
BUILD_DIR := $(CURDIR)/build

# Targets that `make test` runs, in order; the .mk files append theirs.
TEST_TARGETS := test-rust test-header lint

.PHONY: all lib header test test-rust test-header lint clean

all: lib

lib:
	$(CARGO) build --release

# Regenerates include/usage_db.h from the Rust sources.
header:
	USAGE_DB_UPDATE_HEADER=1 $(CARGO) test --release --test header

test-rust:
	$(CARGO) test --release

# The header compiles alone, twice included, as C11 and as C++17 with warnings as errors.
test-header: | $(BUILD_DIR)
	printf '#include "usage_db.h"\n#include "usage_db.h"\nint main(void) { return usage_db_version() == 0; }\n' > $(BUILD_DIR)/header_check.c
	$(CC) -std=c11 -Wall -Wextra -Werror -pedantic -I include -fsyntax-only $(BUILD_DIR)/header_check.c
	$(CXX) -std=c++17 -Wall -Wextra -Werror -pedantic -I include -fsyntax-only -x c++ $(BUILD_DIR)/header_check.c

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings

$(BUILD_DIR):
	mkdir -p $@

clean:
	$(CARGO) clean
	rm -rf $(BUILD_DIR)

-include bindings/c/c.mk
-include bindings/c/demo/demo.mk
-include bindings/python/python.mk
-include bindings/go/go.mk
-include tests/reliability.mk
-include benches/bench.mk

test: $(TEST_TARGETS)

# `make demo`: the C demo on the real data sets, built against the public header and the
# shared library. `make test-demo` runs its pytest suite.

DEMO_DIR := $(CURDIR)/bindings/c/demo
DEMO_SOURCES := $(wildcard $(DEMO_DIR)/*.c)
DEMO_HEADERS := $(wildcard $(DEMO_DIR)/*.h)
DEMO_BIN := $(BUILD_DIR)/usage_db_demo
DEMO_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -pedantic -I $(dir $(HEADER))
DEMO_LDFLAGS := -L $(LIB_DIR) -Wl,-rpath,$(LIB_DIR) -lusage_db -lm

DATA_DIR ?= $(CURDIR)/../shared/data
DEMO_DB ?= $(CURDIR)/demo.db

.PHONY: demo demo-bin test-demo

demo: demo-bin
	DATA_DIR="$(DATA_DIR)" DEMO_DB="$(DEMO_DB)" $(DEMO_BIN)

# The library is rebuilt by cargo when needed; the binary relinks when it or a source changes.
demo-bin: lib | $(BUILD_DIR)
	$(MAKE) --no-print-directory $(DEMO_BIN)

$(DEMO_BIN): $(DEMO_SOURCES) $(DEMO_HEADERS) $(HEADER) $(SHARED_LIB) | $(BUILD_DIR)
	$(CC) $(DEMO_CFLAGS) -o $@ $(DEMO_SOURCES) $(DEMO_LDFLAGS)

test-demo: demo-bin
	DEMO_BIN="$(DEMO_BIN)" DATA_DIR="$(DATA_DIR)" python3 -m pytest -q $(CURDIR)/tests/demo

TEST_TARGETS += test-demo

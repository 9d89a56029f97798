# The C layer: the ABI tests in tests/c and the example in bindings/c, built against the
# header and the library, run directly and under valgrind. Included by the top-level
# Makefile, which defines CC, HEADER, SHARED_LIB, STATIC_LIB, LIB_DIR and BUILD_DIR.

C_BUILD_DIR := $(BUILD_DIR)/c
# -pthread for the C11 threads in tests/c, which glibc before 2.34 keeps in libpthread.
C_FLAGS := -std=c11 -Wall -Wextra -Werror -pedantic -g -pthread -I $(dir $(HEADER))
# The rpath lets the programs find libusage_db.so without LD_LIBRARY_PATH.
C_SHARED_LINK := -L $(LIB_DIR) -Wl,-rpath,$(LIB_DIR) -lusage_db
# The static archive carries Rust's standard library and SQLite, which need these system
# libraries; on glibc 2.34 and later pthread and dl are part of libc and only -lm matters.
C_STATIC_LINK := $(STATIC_LIB) -lpthread -ldl -lm

C_TEST_SOURCES := $(wildcard $(CURDIR)/tests/c/*.c)
C_TEST_HEADERS := $(wildcard $(CURDIR)/tests/c/*.h)
C_EXAMPLE_SOURCE := $(CURDIR)/bindings/c/quickstart.c
C_TEST_BIN := $(C_BUILD_DIR)/test_abi
C_TEST_SANITIZED_BIN := $(C_BUILD_DIR)/test_abi_sanitized
C_EXAMPLE_BIN := $(C_BUILD_DIR)/quickstart
C_EXAMPLE_STATIC_BIN := $(C_BUILD_DIR)/quickstart_static
C_EXAMPLE_DB := $(C_BUILD_DIR)/usage.db
C_REMOVE_EXAMPLE_DB := rm -f $(C_EXAMPLE_DB) $(C_EXAMPLE_DB)-wal $(C_EXAMPLE_DB)-shm

# Definite leaks and memory errors fail the run. Allocations that Rust and SQLite keep for
# the life of the process show up as "still reachable" and do not.
C_VALGRIND := valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --quiet

.PHONY: c-build test-c c-example

c-build: $(C_TEST_BIN) $(C_TEST_SANITIZED_BIN) $(C_EXAMPLE_BIN) $(C_EXAMPLE_STATIC_BIN)

# Each program depends on the phony `lib`, so it is relinked after every library build.
$(C_TEST_BIN): lib $(C_TEST_SOURCES) $(C_TEST_HEADERS) $(HEADER)
	mkdir -p $(C_BUILD_DIR)
	$(CC) $(C_FLAGS) -o $@ $(C_TEST_SOURCES) $(C_SHARED_LINK)

# AddressSanitizer and UBSan instrument the C side only; valgrind below also sees the
# library's own memory.
$(C_TEST_SANITIZED_BIN): lib $(C_TEST_SOURCES) $(C_TEST_HEADERS) $(HEADER)
	mkdir -p $(C_BUILD_DIR)
	$(CC) $(C_FLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
		-o $@ $(C_TEST_SOURCES) $(C_SHARED_LINK)

$(C_EXAMPLE_BIN): lib $(C_EXAMPLE_SOURCE) $(HEADER)
	mkdir -p $(C_BUILD_DIR)
	$(CC) $(C_FLAGS) -o $@ $(C_EXAMPLE_SOURCE) $(C_SHARED_LINK)

$(C_EXAMPLE_STATIC_BIN): lib $(C_EXAMPLE_SOURCE) $(HEADER)
	mkdir -p $(C_BUILD_DIR)
	$(CC) $(C_FLAGS) -o $@ $(C_EXAMPLE_SOURCE) $(C_STATIC_LINK)

# The example runs on a fresh file each time, so a rerun sees the same data.
test-c: c-build
	$(C_TEST_BIN)
	$(C_TEST_SANITIZED_BIN)
	$(C_REMOVE_EXAMPLE_DB)
	$(C_EXAMPLE_BIN) $(C_EXAMPLE_DB) > /dev/null
	$(C_EXAMPLE_STATIC_BIN) :memory: > /dev/null
	$(C_VALGRIND) $(C_TEST_BIN)
	$(C_REMOVE_EXAMPLE_DB)
	$(C_VALGRIND) $(C_EXAMPLE_BIN) $(C_EXAMPLE_DB) > /dev/null

# Runs the quickstart example on a fresh build/c/usage.db and prints what it does.
c-example: $(C_EXAMPLE_BIN)
	$(C_REMOVE_EXAMPLE_DB)
	$(C_EXAMPLE_BIN) $(C_EXAMPLE_DB)

TEST_TARGETS += test-c

# Reliability. `make test` already runs tests/reliability_*.rs through `cargo test`, so
# nothing is added to TEST_TARGETS here.
#
# make stress  runs the concurrency and crash tests STRESS_SCALE times longer (more rows,
#              longer writer runs, more kill points), the one-million-row JSON batch, and
#              the C ABI life-cycle loop under valgrind memcheck, which fails on any
#              memory error or definitely lost block.
# make fuzz    runs each cargo-fuzz target for FUZZ_SECONDS (needs nightly and
#              `cargo install cargo-fuzz`). Crashes go to fuzz/artifacts/<target>/.

STRESS_SCALE ?= 5
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := bulk_json timestamp query
VALGRIND ?= valgrind

RELIABILITY_TESTS := --test reliability_concurrency --test reliability_crash \
	--test reliability_hostile_files --test reliability_hostile_input \
	--test reliability_memory

.PHONY: stress stress-tests stress-memcheck fuzz

stress: stress-tests stress-memcheck

# The second run adds the ignored tests named stress_*, which are too slow for make test.
# Other ignored tests are child-process entry points or wait for a core fix.
stress-tests:
	USAGE_DB_STRESS_SCALE=$(STRESS_SCALE) $(CARGO) test --release $(RELIABILITY_TESTS)
	$(CARGO) test --release $(RELIABILITY_TESTS) -- --ignored stress_

stress-memcheck:
	$(CARGO) test --release --test reliability_memory --no-run
	exe=$$($(CARGO) test --release --test reliability_memory --no-run --message-format=json \
		| grep -o '"executable":"[^"]*"' | cut -d'"' -f4) && \
	USAGE_DB_STRESS_SCALE=$(STRESS_SCALE) $(VALGRIND) --error-exitcode=1 --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite \
		"$$exe" --test-threads=1

# The committed seeds in fuzz/seeds/<target> start each run; what the fuzzer learns goes
# to fuzz/corpus/<target>, which is not committed.
fuzz:
	cd fuzz && for target in $(FUZZ_TARGETS); do \
		mkdir -p corpus/$$target && \
		$(CARGO) +nightly fuzz run $$target corpus/$$target seeds/$$target -- \
			-max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done

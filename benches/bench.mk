# `make bench` measures ingest and query speed against raw SQLite and rewrites
# BENCHMARKS.md. USAGE_DB_BENCH_FACTS sets the scales in facts (default 1000000,10000000,
# which takes tens of minutes; USAGE_DB_BENCH_FACTS=100000 is a quick run). Not part of
# `make test`.

BENCH_MANIFEST := $(CURDIR)/benches/harness/Cargo.toml

# A target directory of its own: the harness enables rusqlite features the library does
# not, and sharing target/release with it left rustc two candidate rusqlite builds.

.PHONY: bench

bench: lib
	CARGO_TARGET_DIR=$(CURDIR)/target/bench $(CARGO) run --release --manifest-path $(BENCH_MANIFEST)

# The Python binding's tests. They load the freshly built target/release/libusage_db.so
# through USAGE_DB_LIBRARY, so an installed copy elsewhere is never picked up by mistake.

PYTHON ?= python3

.PHONY: test-python

test-python: lib
	USAGE_DB_LIBRARY=$(SHARED_LIB) PYTHONPATH=$(CURDIR)/bindings/python \
		$(PYTHON) -m pytest bindings/python/tests -q

TEST_TARGETS += test-python

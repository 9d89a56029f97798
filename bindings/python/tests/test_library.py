"""The ctypes layer against include/usage_db.h, and how the library is found.

The header is parsed at test time, so a function, parameter, struct field or status code
added to the C API fails here until the binding declares it.
"""

import ctypes
import re
from ctypes import POINTER, c_bool, c_char_p, c_double, c_int, c_int32, c_int64
from ctypes import c_size_t, c_uint32, c_void_p

import pytest

import usage_db
from usage_db import LibraryNotFoundError, Status, _library
from usage_db._library import UsageDbFact, UsageDbOpenOptions

from conftest import REPO_ROOT

HEADER = REPO_ROOT / "include" / "usage_db.h"

# How the binding must declare each C type that the header uses.
PARAMETER_TYPES = {
    "UsageDb *": c_void_p,
    "UsageDb **": POINTER(c_void_p),
    "const char *": c_char_p,
    "char *": c_void_p,
    "char **": POINTER(c_void_p),
    "int32_t": c_int32,
    "int64_t": c_int64,
    "size_t": c_size_t,
    "int64_t *": POINTER(c_int64),
    "const int64_t *": POINTER(c_int64),
    "size_t *": POINTER(c_size_t),
    "uint32_t *": POINTER(c_uint32),
    "const UsageDbFact *": POINTER(UsageDbFact),
    "const UsageDbOpenOptions *": POINTER(UsageDbOpenOptions),
}
RETURN_TYPES = {
    "UsageDbStatus": c_int,
    "const char *": c_void_p,
    "void": None,
    "UsageDbOpenOptions": UsageDbOpenOptions,
}
FIELD_TYPES = {
    "const char *": c_char_p,
    "bool": c_bool,
    "int32_t": c_int32,
    "int64_t": c_int64,
    "uint32_t": c_uint32,
    "double": c_double,
}


def header_text():
    """The header without comments, which quote function names in prose."""
    text = HEADER.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def canonical_type(c_type):
    """Spell a C type one way: 'const char*' and 'const char *' both become 'const char *'."""
    return re.sub(r"\s*(\*+)", r" \1", " ".join(c_type.split())).strip()


def split_declaration(declaration):
    """Split 'const int64_t *port' into its type and name."""
    match = re.fullmatch(r"(.*?[\s*])(\w+)", declaration.strip(), flags=re.S)
    return canonical_type(match.group(1)), match.group(2)


def header_functions():
    """Return {name: (return type, [parameter types])} for every usage_db_* function."""
    pattern = re.compile(r"^([A-Za-z][\w \*]*?)\b(usage_db_\w+)\s*\(([^)]*)\)\s*;", re.M)
    functions = {}
    for return_type, name, parameters in pattern.findall(header_text()):
        declared = [p for p in parameters.split(",") if p.strip() not in ("", "void")]
        functions[name] = (canonical_type(return_type), [split_declaration(p)[0] for p in declared])
    return functions


def header_struct(name):
    """Return [(field name, type)] of the typedef struct ``name``."""
    body = re.search(r"typedef struct \{([^{}]*)\}\s*" + name + r"\s*;", header_text()).group(1)
    fields = [split_declaration(line.rstrip(";")) for line in body.splitlines() if line.strip()]
    return [(field, c_type) for c_type, field in fields]


def test_header_parses():
    functions = header_functions()
    assert "usage_db_open" in functions
    assert functions["usage_db_open"] == (
        "UsageDbStatus", ["const char *", "const UsageDbOpenOptions *", "UsageDb **"]
    )
    assert functions["usage_db_version"] == ("const char *", [])


def test_every_header_function_is_declared():
    missing = sorted(set(header_functions()) - set(_library.SIGNATURES))
    assert missing == [], "declare these in usage_db/_library.py SIGNATURES"


@pytest.mark.parametrize("name", sorted(header_functions()))
def test_signature_matches_header(name):
    return_type, parameter_types = header_functions()[name]
    unknown = [t for t in [*parameter_types] if t not in PARAMETER_TYPES]
    assert unknown == [], f"{name}: add these C types to PARAMETER_TYPES"
    assert return_type in RETURN_TYPES, f"{name}: add {return_type!r} to RETURN_TYPES"

    function = getattr(_library.load(), name)

    assert function.restype is RETURN_TYPES[return_type]
    assert function.argtypes == [PARAMETER_TYPES[t] for t in parameter_types]


def test_every_declared_function_is_exported():
    lib = _library.load()
    for name, (restype, argtypes) in _library.SIGNATURES.items():
        function = getattr(lib, name)
        assert function.restype is restype, name
        assert function.argtypes == argtypes, name


@pytest.mark.parametrize("struct", [UsageDbFact, UsageDbOpenOptions])
def test_struct_matches_header(struct):
    fields = [(name, FIELD_TYPES[c_type]) for name, c_type in header_struct(struct.__name__)]
    assert struct._fields_ == fields


def test_status_codes_match_header():
    declared = dict(
        (name, int(value)) for name, value in re.findall(r"USAGE_DB_STATUS_(\w+) = (\d+)", header_text())
    )
    assert declared == {status.name: status.value for status in Status}


def test_durability_constants_match_header():
    text = header_text()
    assert f"#define USAGE_DB_DURABILITY_NORMAL {_library.DURABILITY_NORMAL}" in text
    assert f"#define USAGE_DB_DURABILITY_FULL {_library.DURABILITY_FULL}" in text


def test_open_options_default():
    options = _library.load().usage_db_open_options_default()
    assert (options.busy_timeout_ms, options.durability) == (30_000, _library.DURABILITY_NORMAL)


def test_version_matches_cargo():
    manifest = (REPO_ROOT / "Cargo.toml").read_text(encoding="utf-8")
    package = manifest.split("[package]", 1)[1].split("\n[", 1)[0]
    expected = re.search(r'^version\s*=\s*"([^"]+)"', package, flags=re.M).group(1)

    assert usage_db.usage_db_version() == expected
    assert usage_db.__version__ == expected


def test_handle_pointer_not_truncated():
    # A handle above 4 GiB would lose its upper half if ctypes returned it as C int.
    with usage_db.UsageDB() as db:
        assert isinstance(db._handle, int)
        assert db._handle == ctypes.c_void_p(db._handle).value


def test_env_var_names_missing_path(monkeypatch, tmp_path):
    missing = tmp_path / "libusage_db.so"
    monkeypatch.setenv(_library.LIBRARY_ENV_VAR, str(missing))

    with pytest.raises(LibraryNotFoundError) as raised:
        _library._open_first(_library.candidate_paths())

    message = str(raised.value)
    assert f"$USAGE_DB_LIBRARY ({missing})" in message
    assert "the repository's build output" not in message


def test_fallbacks_named_when_env_var_unset(monkeypatch, tmp_path):
    missing = tmp_path / "target" / "release" / "libusage_db.so"
    monkeypatch.delenv(_library.LIBRARY_ENV_VAR, raising=False)
    monkeypatch.setattr(_library, "REPO_BUILD_OUTPUT", missing)
    monkeypatch.setattr(_library, "LIBRARY_FILE_NAME", "libusage_db_absent_for_test.so")

    with pytest.raises(LibraryNotFoundError) as raised:
        _library._open_first(_library.candidate_paths())

    message = str(raised.value)
    assert f"the repository's build output ({missing})" in message
    assert "the system library path (libusage_db_absent_for_test.so)" in message
    assert "set USAGE_DB_LIBRARY" in message


def test_installed_copy_searches_system_only(monkeypatch):
    monkeypatch.delenv(_library.LIBRARY_ENV_VAR, raising=False)
    monkeypatch.setattr(_library, "REPO_BUILD_OUTPUT", None)

    assert _library.candidate_paths() == [("the system library path", "libusage_db.so")]


def test_repo_build_output_path():
    assert _library.REPO_BUILD_OUTPUT == REPO_ROOT / "target" / "release" / "libusage_db.so"

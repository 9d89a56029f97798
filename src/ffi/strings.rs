//! Conversions between C arguments and Rust values, and the out-parameter rules.

use std::ffi::{c_char, CStr, CString};

use crate::core::{Error, Result};

/// Reads a required NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives the call.
pub unsafe fn required_text<'a>(
    operation: &str,
    field: &str,
    ptr: *const c_char,
) -> Result<&'a str> {
    optional_text(operation, field, ptr)?
        .ok_or_else(|| Error::invalid(format!("{} is NULL", context(operation, field))))
}

/// Reads an optional NUL-terminated UTF-8 argument; NULL means absent.
///
/// # Safety
/// As for [`required_text`].
pub unsafe fn optional_text<'a>(
    operation: &str,
    field: &str,
    ptr: *const c_char,
) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    CStr::from_ptr(ptr).to_str().map(Some).map_err(|e| {
        Error::invalid(format!(
            "{} is not valid UTF-8 ({e})",
            context(operation, field)
        ))
    })
}

/// Names an argument in a message: `operation: field`, or just `field` when the caller
/// adds the operation itself.
fn context(operation: &str, field: &str) -> String {
    if operation.is_empty() {
        field.to_owned()
    } else {
        format!("{operation}: {field}")
    }
}

/// Reads an optional integer passed by pointer; NULL means absent.
///
/// # Safety
/// `ptr` is NULL or points to a readable `int64_t`.
pub unsafe fn optional_i64(ptr: *const i64) -> Option<i64> {
    ptr.as_ref().copied()
}

/// Checks an out parameter before any work is done, so a NULL one never leaves a write
/// behind that the caller cannot learn about.
///
/// # Safety
/// `ptr` is NULL or points to writable memory for a `T`.
pub unsafe fn out_param<'a, T>(operation: &str, field: &str, ptr: *mut T) -> Result<&'a mut T> {
    ptr.as_mut()
        .ok_or_else(|| Error::invalid(format!("{operation}: {field} is NULL")))
}

/// Hands a Rust string to the caller as a newly allocated C string.
pub fn into_c_string(operation: &str, text: String) -> Result<*mut c_char> {
    CString::new(text)
        .map(CString::into_raw)
        .map_err(|_| Error::invalid(format!("{operation}: the result contains a NUL character")))
}

/// Frees a string returned by any usage_db function. NULL is ignored.
///
/// # Safety
/// `text` is NULL or a pointer returned through a `char **` out parameter of this
/// library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn usage_db_string_free(text: *mut c_char) {
    if !text.is_null() {
        drop(CString::from_raw(text));
    }
}

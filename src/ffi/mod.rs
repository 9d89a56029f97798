//! The C ABI. Every function here is `extern "C"`, returns a [`UsageDbStatus`] (0 on
//! success), writes results through out parameters only on success, and never lets a
//! panic unwind into the caller.
//!
//! [`UsageDbStatus`]: crate::core::UsageDbStatus

mod boundary;
mod facts;
mod handle;
mod query;
mod reads;
mod reference;
mod strings;
mod transaction;

pub use facts::*;
pub use handle::*;
pub use query::*;
pub use reads::*;
pub use reference::*;
pub use strings::usage_db_string_free;
pub use transaction::*;

//! The store itself, with no C types: schema, validation, time, writes, reads and JSON.
//! The C ABI in `ffi` is a thin layer over these functions.

pub mod error;
pub mod fact_json;
pub mod facts;
mod json_out;
pub mod query;
pub mod reference;
pub mod reports;
pub mod schema;
pub mod store;
pub mod time;
pub mod validate;

pub use error::{Error, Result, UsageDbStatus};
pub use facts::{FactInput, METRIC_NAMES};
pub use store::{Durability, OpenOptions, Store};

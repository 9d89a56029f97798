//! usage_db: an embeddable store for the hourly CPU time, energy and carbon of a computing
//! platform, its cloud projects, machines and users, over SQLite.
//!
//! `core` contains the store and uses no C types. `ffi` is the C ABI that the header
//! `include/usage_db.h` declares and that the C, Go and Python bindings call.

pub mod core;
pub mod ffi;

pub use crate::core::{Durability, Error, FactInput, OpenOptions, Result, Store, UsageDbStatus};

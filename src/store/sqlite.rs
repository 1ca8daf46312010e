//! SQLite store (stub, to be written).

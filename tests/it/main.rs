//! Tailor's integration tests: one binary, one module per area.

mod cli;
mod demo;
mod import;
mod segment;
mod store;
mod support;
mod tidy;
mod ui;

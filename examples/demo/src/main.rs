//! The demo app.
fn main() {}

//! Placeholder replaced below once the simulator API is available.
fn main() {}

//! Integration tests: the simulator over real loopback HTTP and WebSocket,
//! driven with a plain HTTP client.

mod support;

mod smoke;

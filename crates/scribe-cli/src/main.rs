//! `scribe`: EkaScribe from the terminal.
//!
//! Results go to stdout (`--json`: the result JSON only); progress, notices
//! and errors go to stderr. The exit status tells the class of failure (see
//! [`exit::Exit`]).

mod cli;
mod commands;
mod connect;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::exit::Exit;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are printed by clap and are not failures.
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Ok.into()
            };
        }
    };
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Failure.into();
        }
    };
    let outcome = runtime.block_on(commands::run(cli));
    // Do not wait for background work (a progress ticker, a local server)
    // beyond a moment once the answer is printed.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match outcome {
        Ok(exit) => exit.into(),
        Err(e) => {
            output::error(&e);
            Exit::of(&e).into()
        }
    }
}

/// Logs to stderr: warnings by default, more of this project's own logs with
/// each `-v` (never dependencies' frame dumps); `RUST_LOG` overrides.
fn init_logging(verbose: u8) {
    // Quiet by default: warnings of this project only (a decoder's notes
    // about junk bytes would only break the progress bars).
    let level = match verbose {
        0 => {
            "error,scribe=warn,scribe_cli=warn,scribe_transport=warn,scribe_auth=warn,scribe_audio=warn"
        }
        1 => {
            "warn,scribe=info,scribe_cli=info,scribe_transport=info,scribe_auth=info,scribe_audio=info"
        }
        // Dependencies stay at info even when verbose: at trace level the
        // WebSocket and HTTP/2 libraries print frame payloads (audio).
        2 => {
            "info,scribe=debug,scribe_cli=debug,scribe_transport=debug,scribe_auth=debug,scribe_audio=debug"
        }
        _ => {
            "info,scribe=trace,scribe_cli=trace,scribe_transport=trace,scribe_auth=trace,scribe_audio=trace"
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

//! Command-line flags for the simulator, shared by the `scribe-sim` binary
//! and the `scribe sim` subcommand.
//!
//! ```no_run
//! use clap::Parser as _;
//! # async fn demo() -> Result<(), scribe_sim::Error> {
//! // In a CLI of your own, `#[command(flatten)] sim: SimArgs` adds the same flags.
//! let command = scribe_sim::cli::SimCommand::parse_from(["scribe-sim", "--dialect", "spec"]);
//! scribe_sim::cli::run(command.args).await?; // prints URLs and credentials, serves until Ctrl-C
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use scribe_protocol::duration::parse_duration;

use crate::config::{
    DEFAULT_API_KEY, DEFAULT_BUSINESS_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
};
use crate::{Dialect, Error, FaultRule, Server, ServerBuilder, WebhookRetry};

/// Durations as scribe-protocol reads them (`500ms`, `14s`, `1.5`, `2m`,
/// `1h`), like the SDK's own settings.
fn duration_arg(text: &str) -> Result<Duration, String> {
    parse_duration(text).map_err(|e| e.to_string())
}

fn fault_arg(text: &str) -> Result<FaultRule, String> {
    text.parse::<FaultRule>().map_err(|e| e.to_string())
}

fn dialect_arg(text: &str) -> Result<Dialect, String> {
    text.parse::<Dialect>().map_err(|e| e.to_string())
}

/// Flags of `scribe-sim` / `scribe sim`.
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8787", env = "SCRIBE_SIM_ADDR")]
    pub addr: SocketAddr,
    /// Allow a non-loopback address (the simulator has fixed credentials and
    /// exposes received audio under /_sim/).
    #[arg(long)]
    pub allow_non_loopback: bool,
    /// Dialect to answer in: `eka` (default) or `spec`.
    #[arg(long, default_value = "eka", value_parser = dialect_arg)]
    pub dialect: Dialect,
    /// Path prefix of the protocol base URL (`""` for the root).
    #[arg(long, default_value = "/voice")]
    pub base_path: String,
    /// Lifetime of issued access tokens.
    #[arg(long, default_value = "1h", value_parser = duration_arg)]
    pub token_lifetime: Duration,
    /// Time a session spends `processing` after `end`.
    #[arg(long, default_value = "2s", value_parser = duration_arg)]
    pub processing_delay: Duration,
    /// Time after creation at which a session never ended expires.
    #[arg(long, default_value = "1h", value_parser = duration_arg)]
    pub session_expiry: Duration,
    /// Longest hold of a long-polling GET.
    #[arg(long, default_value = "14s", value_parser = duration_arg)]
    pub long_poll_hold: Duration,
    /// Longest chunk in seconds processed normally (default 24 eka, 20 spec).
    #[arg(long)]
    pub max_chunk_seconds: Option<f64>,
    /// Largest upload body in bytes.
    #[arg(long, default_value_t = 25 * 1024 * 1024)]
    pub max_upload_bytes: usize,
    /// Refuse `X-API-Key` authentication.
    #[arg(long)]
    pub no_api_key: bool,
    /// Refuse the `jwt-payload` development header.
    #[arg(long)]
    pub no_jwt_payload: bool,
    /// Client id login accepts.
    #[arg(long, default_value = DEFAULT_CLIENT_ID, env = "SCRIBE_SIM_CLIENT_ID")]
    pub client_id: String,
    /// Client secret login accepts.
    #[arg(long, default_value = DEFAULT_CLIENT_SECRET, env = "SCRIBE_SIM_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: String,
    /// API key accepted as X-API-Key.
    #[arg(long, default_value = DEFAULT_API_KEY, env = "SCRIBE_SIM_API_KEY", hide_env_values = true)]
    pub api_key: String,
    /// Business id put in the tokens' `b-id` claim.
    #[arg(long, default_value = DEFAULT_BUSINESS_ID)]
    pub business_id: String,
    /// Fault-injection rules, `ROUTE=KIND[:ARG][@FRACTION][#LIMIT]` (repeatable).
    #[arg(
        long = "fault",
        value_parser = fault_arg,
        help = "Fault rule ROUTE=KIND[:ARG][@FRACTION][#LIMIT], repeatable. ROUTE: any, login, \
                refresh, discovery, templates, create, get, patch, upload, end, process, webhooks, \
                stream. KIND: 500, 503[:retry_after_s], 429[:retry_after_s], reset-before, \
                reset-after, lost-answer, slow:<ms>, stall, gateway, empty:<status>, detail, ws-drop:<frames>. Example: --fault upload=503:1@0.2"
    )]
    pub faults: Vec<FaultRule>,
    /// Seed of the fault injector.
    #[arg(long, default_value_t = 0)]
    pub fault_seed: u64,
    /// Webhook delivery attempts per event.
    #[arg(long, default_value_t = 5)]
    pub webhook_attempts: u32,
    /// Wait before the second webhook attempt (doubles after each failure).
    #[arg(long, default_value = "200ms", value_parser = duration_arg)]
    pub webhook_backoff: Duration,
}

/// The same flags as a standalone command (for the `scribe-sim` binary).
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "scribe-sim",
    version,
    about = "Local MedScribeAlliance (EkaScribe dialect) server for tests, demos and offline work. \
             Results are simulated: it does not transcribe speech."
)]
#[non_exhaustive]
pub struct SimCommand {
    /// The simulator's flags.
    #[command(flatten)]
    pub args: SimArgs,
}

impl SimArgs {
    /// A [`ServerBuilder`] configured from the flags.
    pub fn builder(&self) -> ServerBuilder {
        let mut builder = Server::builder()
            .addr(self.addr)
            .allow_non_loopback(self.allow_non_loopback)
            .dialect(self.dialect)
            .base_path(self.base_path.clone())
            .token_lifetime(self.token_lifetime)
            .processing_delay(self.processing_delay)
            .session_expiry(self.session_expiry)
            .long_poll_hold(self.long_poll_hold)
            .max_upload_bytes(self.max_upload_bytes)
            .accept_api_key(!self.no_api_key)
            .accept_jwt_payload(!self.no_jwt_payload)
            .client_credentials(self.client_id.clone(), self.client_secret.clone())
            .api_key(self.api_key.clone())
            .business_id(self.business_id.clone())
            .fault_seed(self.fault_seed)
            .webhook_retry(WebhookRetry {
                attempts: self.webhook_attempts,
                initial_backoff: self.webhook_backoff,
            });
        if let Some(max) = self.max_chunk_seconds {
            builder = builder.max_chunk_seconds(max);
        }
        for rule in &self.faults {
            builder = builder.fault(rule.clone());
        }
        builder
    }
}

/// What to tell a user about a running server: URLs, credentials (local
/// test values, printed on purpose), and environment lines to copy.
#[must_use]
pub fn banner(server: &Server) -> String {
    format!(
        "scribe-sim listening ({dialect} dialect; results are simulated, no speech is transcribed)\n\
         \n  base URL:       {base}\n  auth base URL:  {auth}\n  client id:      {id}\n  \
         client secret:  {secret}\n  API key:        {key}\n  inspection:     {auth}/_sim/\n\
         \nexport SCRIBE_BASE_URL={base}\nexport SCRIBE_AUTH_BASE_URL={auth}\n\
         export SCRIBE_CLIENT_ID={id}\nexport SCRIBE_CLIENT_SECRET={secret}\n\
         \nPress Ctrl-C to stop.",
        dialect = server.dialect(),
        base = server.base_url(),
        auth = server.auth_base_url(),
        id = server.client_id(),
        secret = server.client_secret(),
        key = server.api_key(),
    )
}

/// Start the simulator from flags, print [`banner`], serve until Ctrl-C.
///
/// # Errors
///
/// Whatever [`ServerBuilder::start`] returns, or [`Error::Runtime`] when
/// Ctrl-C cannot be listened for.
#[allow(clippy::print_stdout)]
pub async fn run(args: SimArgs) -> Result<(), Error> {
    let server = args.builder().start().await?;
    println!("{}", banner(&server));
    tokio::signal::ctrl_c().await.map_err(Error::Runtime)?;
    println!("stopping scribe-sim");
    server.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    #[test]
    fn duration_flags_read_like_the_sdk_settings() {
        let hold = |text: &str| {
            SimCommand::try_parse_from(["scribe-sim", &format!("--long-poll-hold={text}")])
                .map(|cmd| cmd.args.long_poll_hold)
        };
        assert_eq!(hold("500ms").ok(), Some(Duration::from_millis(500)));
        assert_eq!(hold("14").ok(), Some(Duration::from_secs(14)));
        assert_eq!(hold("1.5s").ok(), Some(Duration::from_millis(1500)));
        assert_eq!(hold("2m").ok(), Some(Duration::from_secs(120)));
        assert_eq!(hold("1h").ok(), Some(Duration::from_secs(3600)));
        assert_eq!(hold("0").ok(), Some(Duration::ZERO), "0 turns the hold off");
        for bad in ["soon", "-1s", "1d"] {
            let message = hold(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                message.contains(&format!("`{bad}` is not a duration"))
                    && message.contains("500ms"),
                "{bad}: {message}"
            );
        }
    }

    #[test]
    fn flags_build_a_config() {
        let cmd = SimCommand::try_parse_from([
            "scribe-sim",
            "--addr",
            "127.0.0.1:0",
            "--dialect",
            "spec",
            "--fault",
            "upload=503:1@0.5",
            "--fault",
            "stream=ws-drop:3",
            "--long-poll-hold",
            "300ms",
        ])
        .unwrap();
        assert_eq!(cmd.args.dialect, Dialect::Spec);
        assert_eq!(cmd.args.faults.len(), 2);
        assert_eq!(cmd.args.long_poll_hold, Duration::from_millis(300));
        assert!(SimCommand::try_parse_from(["scribe-sim", "--fault", "upload=teapot"]).is_err());
    }
}

//! Building the client: from configuration, or against an in-process
//! simulated server with `--local`.

use scribe::config::{EnvVars, Environment};
use scribe::{ErrorKind, ScribeClient};

use crate::cli::Global;

/// A client and, with `--local`, the server it talks to (kept alive as long
/// as the client is used).
pub struct Connection {
    pub client: ScribeClient,
    pub local: Option<scribe_sim::Server>,
}

impl Connection {
    /// Whether results come from the simulated server.
    pub fn is_simulated(&self) -> bool {
        self.local.is_some()
    }
}

/// The builder with the global options applied.
pub fn builder(global: &Global) -> Result<scribe::ClientBuilder, scribe::Error> {
    let mut builder = ScribeClient::builder();
    if let Some(env) = &global.env {
        let environment = Environment::parse(env).ok_or_else(|| {
            scribe::Error::new(
                ErrorKind::Config,
                format!("--env: unknown environment `{env}`"),
            )
            .with_hint("use --env prod or --env dev")
        })?;
        builder = builder.environment(environment);
    }
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url);
    }
    if let Some(path) = &global.config {
        builder = builder.config_file(path);
    }
    Ok(builder)
}

/// Connects as configured, or to a fresh local server.
pub async fn connect(global: &Global, local: bool) -> Result<Connection, scribe::Error> {
    if local {
        let server = scribe_sim::Server::builder().start().await.map_err(|e| {
            scribe::Error::new(
                ErrorKind::Other,
                format!("the local server did not start: {e}"),
            )
        })?;
        // The local server has its own credentials and hosts: the
        // environment is not read (it may point at production); a config
        // file's template and language defaults still apply.
        let client = builder(global)?
            .env_vars(EnvVars::none())
            .base_url(server.base_url())
            .auth_base_url(server.auth_base_url())
            .client_credentials(server.client_id(), server.client_secret())
            .build()?;
        eprintln!(
            "note: --local: talking to a simulated server at {}; results are simulated, not real transcription",
            server.base_url()
        );
        return Ok(Connection {
            client,
            local: Some(server),
        });
    }
    let builder = builder(global)?;
    let config = builder.resolve_config()?;
    if !config.has_credentials() {
        return Err(scribe::Error::new(ErrorKind::Auth, "no credentials configured").with_hint(
            "set SCRIBE_CLIENT_ID and SCRIBE_CLIENT_SECRET (in the environment or a .env file), \
             or pass --local to try a simulated server",
        ));
    }
    Ok(Connection {
        client: builder.build()?,
        local: None,
    })
}

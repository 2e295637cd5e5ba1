//! The routes the simulator serves, as fault rules and the request log name
//! them, and the classification of a request path into one.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::Error;

/// The protocol routes the simulator serves, as fault rules and the request
/// log name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Route {
    /// `POST /connect-auth/v1/account/login`.
    Login,
    /// `POST /connect-auth/v1/account/refresh-token`.
    Refresh,
    /// Either discovery path.
    Discovery,
    /// `GET /v1/templates`.
    Templates,
    /// `POST /v1/sessions`.
    CreateSession,
    /// `GET /v1/sessions/{id}`.
    GetSession,
    /// `PATCH /v1/sessions/{id}`.
    PatchSession,
    /// `POST /v1/sessions/{id}/audio/{file_name}`.
    UploadAudio,
    /// `POST /v1/sessions/{id}/end`.
    EndSession,
    /// `POST /v1/sessions/{id}/process/template[/{template_id}]`.
    ProcessTemplate,
    /// Webhook registration, listing and deletion.
    Webhooks,
    /// The WebSocket stream upgrade.
    Stream,
    /// The `/_sim/` inspection paths (never faulted).
    Inspect,
    /// Anything else (answered 404).
    Other,
}

impl Route {
    const NAMES: [(&'static str, Route); 12] = [
        ("login", Route::Login),
        ("refresh", Route::Refresh),
        ("discovery", Route::Discovery),
        ("templates", Route::Templates),
        ("create", Route::CreateSession),
        ("get", Route::GetSession),
        ("patch", Route::PatchSession),
        ("upload", Route::UploadAudio),
        ("end", Route::EndSession),
        ("process", Route::ProcessTemplate),
        ("webhooks", Route::Webhooks),
        ("stream", Route::Stream),
    ];

    /// Short name used by `--fault` flags (`upload`, `get`, `end`, ...).
    #[must_use]
    pub fn flag_name(self) -> &'static str {
        Self::NAMES.iter().find(|(_, r)| *r == self).map_or(
            match self {
                Route::Inspect => "inspect",
                _ => "other",
            },
            |(n, _)| n,
        )
    }

    /// Classify a request by method and path; `base_path` is the protocol
    /// prefix (such as `/voice`).
    pub(crate) fn classify(method: &axum::http::Method, path: &str, base_path: &str) -> Route {
        use crate::paths::*;
        if path.starts_with("/_sim/") || path == "/_sim" {
            return Route::Inspect;
        }
        if path == LOGIN {
            return Route::Login;
        }
        if path == REFRESH {
            return Route::Refresh;
        }
        if path == DISCOVERY_ROOT {
            return Route::Discovery;
        }
        let Some(rest) = path.strip_prefix(base_path) else {
            return Route::Other;
        };
        if rest == DISCOVERY {
            return Route::Discovery;
        }
        if rest == TEMPLATES {
            return Route::Templates;
        }
        if rest == WEBHOOKS || rest.starts_with(&format!("{WEBHOOKS}/")) {
            return Route::Webhooks;
        }
        if rest.starts_with("/v1/stream/sessions/") {
            return Route::Stream;
        }
        if rest == SESSIONS {
            return if *method == axum::http::Method::POST {
                Route::CreateSession
            } else {
                Route::Other
            };
        }
        let Some(tail) = rest.strip_prefix(&format!("{SESSIONS}/")) else {
            return Route::Other;
        };
        let parts: Vec<&str> = tail.split('/').collect();
        match (parts.as_slice(), method) {
            ([_], m) if *m == axum::http::Method::GET => Route::GetSession,
            ([_], m) if *m == axum::http::Method::PATCH => Route::PatchSession,
            ([_, "audio", _], _) => Route::UploadAudio,
            ([_, "end"], _) => Route::EndSession,
            ([_, "process", "template", ..], _) => Route::ProcessTemplate,
            _ => Route::Other,
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.flag_name())
    }
}

impl FromStr for Route {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, r)| *r)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::NAMES.iter().map(|(n, _)| *n).collect();
                Error::Config(format!(
                    "unknown route `{s}`; use `any` or one of {}",
                    names.join(", ")
                ))
            })
    }
}

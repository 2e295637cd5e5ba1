//! Credentials: Eka login and refresh issuing JWT-shaped tokens, and the
//! check every protocol request passes (bearer token, API key or the
//! `jwt-payload` development header).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::Rng as _;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::reject::Reject;
use crate::state::{AppState, Shared};
use scribe_protocol::error::ErrorCode;

/// Who is calling: every session and webhook belongs to one business.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) business_id: String,
}

struct IssuedToken {
    expires_at: Instant,
    business_id: String,
}

/// Issued access and refresh tokens.
pub(crate) struct TokenStore {
    key: [u8; 32],
    access: Mutex<HashMap<String, IssuedToken>>,
    refresh: Mutex<HashMap<String, String>>,
}

type HmacSha256 = Hmac<Sha256>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn random_id(len: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Why a bearer token was refused.
enum TokenProblem {
    Malformed,
    Expired,
}

impl TokenStore {
    pub(crate) fn new() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill(&mut key);
        TokenStore {
            key,
            access: Mutex::new(HashMap::new()),
            refresh: Mutex::new(HashMap::new()),
        }
    }

    fn sign(&self, signing_input: &str) -> Vec<u8> {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = match HmacSha256::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => return Vec::new(),
        };
        mac.update(signing_input.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Mint an access token and a refresh token for `business_id`.
    fn issue(&self, business_id: &str, subject: &str, lifetime: Duration) -> (String, String) {
        let jti = random_id(24);
        let now = SystemTime::now();
        // `exp` rounds up so that a client never thinks a live token expired.
        let exp = (now + lifetime)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() + u64::from(d.subsec_nanos() > 0));
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = json!({
            "iss": "scribe-sim",
            "sub": subject,
            "b-id": business_id,
            "iat": unix_seconds(now),
            "exp": exp,
            "jti": jti,
            "simulated": true,
        });
        let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
        let input = format!("{header}.{payload}");
        let signature = URL_SAFE_NO_PAD.encode(self.sign(&input));
        lock(&self.access).insert(
            jti,
            IssuedToken {
                expires_at: Instant::now() + lifetime,
                business_id: business_id.to_owned(),
            },
        );
        let refresh = format!("simrt_{}", random_id(40));
        lock(&self.refresh).insert(refresh.clone(), business_id.to_owned());
        (format!("{input}.{signature}"), refresh)
    }

    /// The token's `jti` if it was signed by this server.
    fn signed_jti(&self, token: &str) -> Option<String> {
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let expected = self.sign(&format!("{header}.{payload}"));
        if expected.is_empty() || !constant_time_eq(&signature, &expected) {
            return None;
        }
        let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        payload.get("jti")?.as_str().map(str::to_owned)
    }

    fn check(&self, token: &str) -> Result<String, TokenProblem> {
        let jti = self.signed_jti(token).ok_or(TokenProblem::Malformed)?;
        let tokens = lock(&self.access);
        let issued = tokens.get(&jti).ok_or(TokenProblem::Malformed)?;
        if Instant::now() >= issued.expires_at {
            return Err(TokenProblem::Expired);
        }
        Ok(issued.business_id.clone())
    }

    /// Make every access token issued so far expired.
    pub(crate) fn expire_all(&self) {
        let now = Instant::now();
        for token in lock(&self.access).values_mut() {
            token.expires_at = now;
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn token_response(shared: &Shared, business_id: &str, subject: &str) -> Response {
    let lifetime = shared.config.token_lifetime;
    let (access, refresh) = shared.tokens.issue(business_id, subject, lifetime);
    Json(json!({
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": lifetime.as_secs(),
        "token_type": "Bearer",
    }))
    .into_response()
}

/// Parse a JSON object body, naming the problem when it is not one.
pub(crate) fn json_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Reject> {
    if body.is_empty() {
        return Err(Reject::invalid(
            "the request body must be a JSON object; it was empty",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Reject::invalid("the request body must be a JSON object")),
        Err(e) => Err(Reject::invalid(format!(
            "the request body is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))),
    }
}

fn required_string<'a>(
    body: &'a serde_json::Map<String, Value>,
    field: &str,
) -> Result<&'a str, Reject> {
    match body.get(field) {
        None | Some(Value::Null) => Err(Reject::missing_field(field)),
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(_) => Err(Reject::invalid(format!(
            "`{field}` must be a non-empty string"
        ))),
    }
}

/// `POST /connect-auth/v1/account/login`.
pub(crate) async fn login(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let result = (|| {
        let body = json_object(&body)?;
        let id = required_string(&body, "client_id")?;
        let secret = required_string(&body, "client_secret")?;
        if let Some(key) = body.get("api_key").filter(|v| !v.is_null()) {
            if key.as_str() != Some(state.config.api_key.as_str()) {
                return Err(Reject::new(
                    ErrorCode::InvalidApiKey,
                    "the api_key is not valid",
                ));
            }
        }
        let id_ok = constant_time_eq(id.as_bytes(), state.config.client_id.as_bytes());
        let secret_ok = constant_time_eq(secret.as_bytes(), state.config.client_secret.as_bytes());
        if !(id_ok && secret_ok) {
            return Err(Reject::new(
                ErrorCode::AuthenticationFailed,
                "client_id or client_secret is wrong",
            ));
        }
        Ok(id.to_owned())
    })();
    match result {
        Ok(subject) => token_response(&state, &state.config.business_id, &subject),
        Err(reject) => reject.into_response(),
    }
}

/// `POST /connect-auth/v1/account/refresh-token`.
pub(crate) async fn refresh(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let result = (|| {
        let body = json_object(&body)?;
        let refresh = required_string(&body, "refresh_token")?;
        let access = required_string(&body, "access_token")?;
        if state.tokens.signed_jti(access).is_none() {
            return Err(Reject::new(
                ErrorCode::AuthenticationFailed,
                "the access_token was not issued by this server",
            ));
        }
        // Refresh tokens are single use, as rotating servers treat them.
        lock(&state.tokens.refresh).remove(refresh).ok_or_else(|| {
            Reject::new(
                ErrorCode::AuthenticationFailed,
                "the refresh_token is unknown or already used; log in again",
            )
        })
    })();
    match result {
        Ok(business) => token_response(&state, &business, &state.config.client_id),
        Err(reject) => reject.into_response(),
    }
}

/// Who the request comes from, or the 401 to answer.
pub(crate) fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Caller, Reject> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or("");
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                Reject::new(
                    ErrorCode::AuthenticationFailed,
                    "the Authorization header must be `Bearer <access_token>`",
                )
            })?;
        return match shared.tokens.check(token) {
            Ok(business_id) => Ok(Caller { business_id }),
            Err(TokenProblem::Expired) => Err(Reject::new(
                ErrorCode::TokenExpired,
                "the access token has expired; refresh it or log in again",
            )),
            Err(TokenProblem::Malformed) => Err(Reject::new(
                ErrorCode::AuthenticationFailed,
                "the access token is not valid for this server; log in again",
            )),
        };
    }
    if let Some(key) = headers.get("x-api-key") {
        let ok = shared.config.accept_api_key
            && constant_time_eq(key.as_bytes(), shared.config.api_key.as_bytes());
        return if ok {
            Ok(Caller {
                business_id: shared.config.business_id.clone(),
            })
        } else {
            Err(Reject::new(
                ErrorCode::InvalidApiKey,
                if shared.config.accept_api_key {
                    "the X-API-Key is not valid"
                } else {
                    "this server does not accept API keys; log in with client credentials"
                },
            ))
        };
    }
    if let Some(payload) = headers.get("jwt-payload") {
        if !shared.config.accept_jwt_payload {
            return Err(Reject::new(
                ErrorCode::AuthenticationFailed,
                "this server does not accept the jwt-payload header; log in with client credentials",
            ));
        }
        return match serde_json::from_slice::<Value>(payload.as_bytes()) {
            Ok(Value::Object(claims)) => {
                let business_id = claims
                    .get("b-id")
                    .or_else(|| claims.get("b_id"))
                    .and_then(Value::as_str)
                    .unwrap_or(&shared.config.business_id)
                    .to_owned();
                Ok(Caller { business_id })
            }
            _ => Err(Reject::new(
                ErrorCode::AuthenticationFailed,
                "the jwt-payload header must hold a JSON object",
            )),
        };
    }
    Err(Reject::new(
        ErrorCode::AuthenticationFailed,
        "no credentials: send `Authorization: Bearer <access_token>`",
    ))
}

/// Middleware for protocol routes: version check, then authentication.
pub(crate) async fn require_caller(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(version) = request.headers().get("msa-version") {
        if version.as_bytes() != b"0.1" {
            return Reject::new(
                ErrorCode::UnsupportedVersion,
                "this server speaks MedScribeAlliance version 0.1 only",
            )
            .details(json!({ "supported_versions": ["0.1"] }))
            .into_response();
        }
    }
    match authenticate(&state, request.headers()) {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(reject) => reject.into_response(),
    }
}

/// 404 in the error envelope for paths the simulator does not serve.
pub(crate) async fn not_found() -> Response {
    Reject::other(
        "not_found",
        StatusCode::NOT_FOUND,
        "no such path on this server",
    )
    .into_response()
}

/// 405 in the error envelope.
pub(crate) fn method_not_allowed() -> Response {
    Reject::other(
        "method_not_allowed",
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed on this path",
    )
    .into_response()
}

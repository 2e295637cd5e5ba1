//! A plain HTTP client (hyper-util, not the SDK), WAV generation and a
//! started simulator with a logged-in token.

#![allow(dead_code)]

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{HeaderMap, Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use scribe_sim::{Server, ServerBuilder};
use serde_json::{Value, json};

/// An answer, read to the end.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {:?}",
                self.status, self.body
            )
        })
    }

    /// The error code of an error envelope.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {:?}", self.body))
            .to_owned()
    }
}

#[derive(Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Default for Http {
    fn default() -> Self {
        Http::new()
    }
}

impl Http {
    pub fn new() -> Self {
        Http {
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// A client that opens a new connection for every request (so a reset
    /// of one cannot disturb the next).
    pub fn fresh_connections() -> Self {
        Http {
            client: Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(0)
                .build_http(),
        }
    }

    pub async fn try_send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Result<Reply, hyper_util::client::legacy::Error> {
        let mut request = Request::builder().method(method).uri(url);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = request
            .body(Full::new(body.into()))
            .expect("request builds");
        let response = self.client.request(request).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body reads").to_bytes();
        Ok(Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }

    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Reply {
        self.try_send(method, url, headers, body)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"))
    }
}

/// A mono 16-bit WAV with a sine tone.
pub fn wav(seconds: f64, rate: u32) -> Vec<u8> {
    scribe_sim::wav::tone_file(seconds, rate)
}

/// A started simulator plus a client and an access token.
pub struct Sim {
    pub server: Server,
    pub http: Http,
    pub token: String,
}

pub fn quick() -> ServerBuilder {
    Server::builder()
        .processing_delay(Duration::from_millis(30))
        .long_poll_hold(Duration::from_millis(400))
}

impl Sim {
    pub async fn start() -> Sim {
        Sim::with(quick()).await
    }

    pub async fn with(builder: ServerBuilder) -> Sim {
        let server = builder.start().await.expect("simulator starts");
        let http = Http::new();
        let login = http
            .send(
                Method::POST,
                &format!("{}/connect-auth/v1/account/login", server.auth_base_url()),
                &[("content-type", "application/json")],
                json!({ "client_id": server.client_id(), "client_secret": server.client_secret() })
                    .to_string(),
            )
            .await;
        assert_eq!(login.status, 200, "login: {:?}", login.body);
        let token = login.json()["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        Sim {
            server,
            http,
            token,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let bearer = self.bearer();
        let mut headers = vec![("authorization", bearer.as_str())];
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.http
            .send(method, &self.url(path), &headers, body)
            .await
    }

    pub async fn create(&self, body: Value) -> Reply {
        self.call(Method::POST, "/v1/sessions", Some(body)).await
    }

    /// A new chunked session with one template; returns its id.
    pub async fn session(&self, template: &str) -> String {
        let r = self
            .create(json!({ "templates": [template], "upload_type": "chunked", "communication_protocol": "http" }))
            .await;
        assert_eq!(r.status, 201, "create: {:?}", r.body);
        r.json()["session_id"]
            .as_str()
            .expect("session_id")
            .to_owned()
    }

    pub async fn upload(&self, id: &str, name: &str, content_type: &str, bytes: Vec<u8>) -> Reply {
        let bearer = self.bearer();
        self.http
            .send(
                Method::POST,
                &self.url(&format!("/v1/sessions/{id}/audio/{name}")),
                &[
                    ("authorization", bearer.as_str()),
                    ("content-type", content_type),
                ],
                bytes,
            )
            .await
    }

    pub async fn end(&self, id: &str, sent: u64) -> Reply {
        self.call(
            Method::POST,
            &format!("/v1/sessions/{id}/end"),
            Some(json!({ "audio_files_sent": sent })),
        )
        .await
    }

    pub async fn get(&self, id: &str) -> Reply {
        self.call(Method::GET, &format!("/v1/sessions/{id}"), None)
            .await
    }

    /// GET until the session reaches a final state (bounded).
    pub async fn wait_final(&self, id: &str) -> Reply {
        for _ in 0..50 {
            let r = self.get(id).await;
            if r.status != 202 {
                return r;
            }
        }
        panic!("session {id} never finished");
    }
}

/// MPEG-1 Layer III frames of silence (128 kbit/s, 44.1 kHz, stereo):
/// a header and zeroed side information decode as 1152 silent samples each.
pub fn mp3_silence(frames: usize) -> Vec<u8> {
    let mut mp3 = Vec::with_capacity(frames * 417);
    for _ in 0..frames {
        mp3.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x00]);
        mp3.resize(mp3.len() + 413, 0);
    }
    mp3
}

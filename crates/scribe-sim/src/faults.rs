//! Fault injection: deterministic, seeded misbehaviour per route.
//!
//! Each [`FaultRule`] names a route (or every route), what goes wrong, and the
//! fraction of matching requests it hits. Whether the n-th matching request is
//! hit depends only on the seed, the rule's position and n, so a run with the
//! same seed and the same request order misbehaves the same way.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::Error;
use crate::route::Route;

/// What goes wrong when a fault rule hits.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum FaultKind {
    /// `500 internal_error` with the error envelope.
    InternalError,
    /// `503 service_unavailable`, with `Retry-After` when given (whole seconds).
    Unavailable {
        /// Value of the `Retry-After` header, if any.
        retry_after: Option<Duration>,
    },
    /// `429 rate_limit_exceeded` with `Retry-After` (whole seconds).
    RateLimited {
        /// Value of the `Retry-After` header.
        retry_after: Duration,
    },
    /// Reset the TCP connection before reading the request body.
    ResetBeforeBody,
    /// Read the whole request body (an upload is *not* stored), then reset
    /// the TCP connection without answering.
    ResetAfterBody,
    /// Handle the request in full (a session is created, an upload stored,
    /// an `end` committed), then reset the TCP connection instead of
    /// answering: the answer is lost, the side effect is not. What a client
    /// that retries must survive without duplicating anything.
    LostAnswer,
    /// Answer normally, but only after this delay.
    Slow(Duration),
    /// `502` with an HTML page, as a misbehaving gateway answers.
    GatewayHtml,
    /// This status with an empty body, as a gateway or load balancer may answer.
    EmptyBody {
        /// The status answered (400 to 599).
        status: u16,
    },
    /// `422` with a FastAPI validation body (`{"detail": [{loc, msg, type}]}`)
    /// instead of the error envelope, as FastAPI-based servers answer.
    FastApiDetail,
    /// On the stream route: accept the WebSocket, then drop the TCP
    /// connection (no close frame) after this many frames arrived.
    WsDropAfterFrames(u32),
    /// Answer `200` with headers announcing a body, send part of it, then
    /// stall without closing: a connection that stops moving mid-answer.
    StallBody,
}

impl FaultKind {
    /// Short description for the request log.
    pub(crate) fn label(&self) -> String {
        match self {
            FaultKind::InternalError => "500".to_owned(),
            FaultKind::Unavailable { .. } => "503".to_owned(),
            FaultKind::RateLimited { .. } => "429".to_owned(),
            FaultKind::ResetBeforeBody => "reset-before-body".to_owned(),
            FaultKind::ResetAfterBody => "reset-after-body".to_owned(),
            FaultKind::LostAnswer => "lost-answer".to_owned(),
            FaultKind::Slow(d) => format!("slow:{}ms", d.as_millis()),
            FaultKind::GatewayHtml => "gateway-html".to_owned(),
            FaultKind::EmptyBody { status } => format!("empty:{status}"),
            FaultKind::FastApiDetail => "fastapi-detail".to_owned(),
            FaultKind::WsDropAfterFrames(n) => format!("ws-drop:{n}"),
            FaultKind::StallBody => "stall-body".to_owned(),
        }
    }
}

/// One fault-injection rule.
///
/// ```
/// use std::time::Duration;
/// use scribe_sim::{FaultKind, FaultRule, Route};
/// // The first two uploads get 503 with Retry-After: 1, then uploads succeed.
/// let rule = FaultRule::on(Route::UploadAudio, FaultKind::Unavailable {
///     retry_after: Some(Duration::from_secs(1)),
/// })
/// .limit(2);
/// // Flags say the same: ROUTE=KIND[:ARG][@FRACTION][#LIMIT]
/// let same: FaultRule = "upload=503:1#2".parse()?;
/// assert_eq!(rule, same);
/// # Ok::<(), scribe_sim::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    route: Option<Route>,
    kind: FaultKind,
    fraction: f64,
    limit: Option<u64>,
}

impl FaultRule {
    /// A rule hitting every request to `route` (change with [`fraction`](Self::fraction)).
    #[must_use]
    pub fn on(route: Route, kind: FaultKind) -> Self {
        FaultRule {
            route: Some(route),
            kind,
            fraction: 1.0,
            limit: None,
        }
    }

    /// A rule hitting every protocol route (never `/_sim/`).
    #[must_use]
    pub fn everywhere(kind: FaultKind) -> Self {
        FaultRule {
            route: None,
            kind,
            fraction: 1.0,
            limit: None,
        }
    }

    /// Fraction of matching requests hit, from 0.0 to 1.0 (default 1.0).
    #[must_use]
    pub fn fraction(mut self, fraction: f64) -> Self {
        self.fraction = fraction;
        self
    }

    /// Stop after hitting this many requests.
    #[must_use]
    pub fn limit(mut self, hits: u64) -> Self {
        self.limit = Some(hits);
        self
    }

    /// The route this rule applies to (`None`: every protocol route).
    #[must_use]
    pub fn route(&self) -> Option<Route> {
        self.route
    }

    /// What goes wrong.
    #[must_use]
    pub fn kind(&self) -> FaultKind {
        self.kind
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if !(0.0..=1.0).contains(&self.fraction) {
            return Err(Error::Config(format!(
                "fault fraction must be between 0 and 1, got {}",
                self.fraction
            )));
        }
        if let FaultKind::EmptyBody { status } = self.kind {
            if !(400..600).contains(&status) {
                return Err(Error::Config(format!(
                    "an empty-body fault needs a status from 400 to 599, got {status}"
                )));
            }
        }
        if matches!(self.kind, FaultKind::WsDropAfterFrames(_))
            && self.route.is_some_and(|r| r != Route::Stream)
        {
            return Err(Error::Config(
                "ws-drop faults apply to the `stream` route only".to_owned(),
            ));
        }
        Ok(())
    }

    fn matches(&self, route: Route) -> bool {
        if route == Route::Inspect {
            return false;
        }
        match self.route {
            Some(r) => r == route,
            // A WebSocket drop only makes sense on the stream route.
            None => !matches!(self.kind, FaultKind::WsDropAfterFrames(_)) || route == Route::Stream,
        }
    }
}

fn parse_seconds(arg: &str) -> Result<Duration, Error> {
    arg.parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| Error::Config(format!("`{arg}` is not a whole number of seconds")))
}

impl FromStr for FaultRule {
    type Err = Error;

    /// Parse `ROUTE=KIND[:ARG][@FRACTION][#LIMIT]`, where ROUTE is `any` or a
    /// [`Route::flag_name`] and KIND is one of `500`, `503[:retry_after_s]`,
    /// `429[:retry_after_s]`, `reset-before`, `reset-after`, `lost-answer`, `slow:<ms>`, `stall`,
    /// `gateway`, `empty:<status>`, `detail`, `ws-drop:<frames>`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            Error::Config(format!(
                "bad fault `{s}`: {why}; expected ROUTE=KIND[:ARG][@FRACTION][#LIMIT], \
                 e.g. `upload=503:1@0.2` or `stream=ws-drop:10`"
            ))
        };
        let (route, rest) = s.split_once('=').ok_or_else(|| bad("missing `=`"))?;
        let route = match route.trim() {
            "any" | "*" => None,
            r => Some(r.parse::<Route>()?),
        };
        let (rest, limit) = match rest.split_once('#') {
            Some((r, l)) => (
                r,
                Some(
                    l.trim()
                        .parse::<u64>()
                        .map_err(|_| bad("limit is not a whole number"))?,
                ),
            ),
            None => (rest, None),
        };
        let (kind, fraction) = match rest.split_once('@') {
            Some((k, f)) => (
                k,
                f.trim()
                    .parse::<f64>()
                    .map_err(|_| bad("fraction is not a number"))?,
            ),
            None => (rest, 1.0),
        };
        let (name, arg) = match kind.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (kind.trim(), None),
        };
        let kind = match (name, arg) {
            ("500", None) => FaultKind::InternalError,
            ("503", None) => FaultKind::Unavailable { retry_after: None },
            ("503", Some(a)) => FaultKind::Unavailable {
                retry_after: Some(parse_seconds(a)?),
            },
            ("429", a) => FaultKind::RateLimited {
                retry_after: a.map_or(Ok(Duration::from_secs(1)), parse_seconds)?,
            },
            ("reset-before", None) => FaultKind::ResetBeforeBody,
            ("reset-after", None) => FaultKind::ResetAfterBody,
            ("lost-answer", None) => FaultKind::LostAnswer,
            ("slow", Some(a)) => FaultKind::Slow(Duration::from_millis(
                a.parse::<u64>()
                    .map_err(|_| bad("slow takes milliseconds"))?,
            )),
            ("gateway", None) => FaultKind::GatewayHtml,
            ("stall", None) => FaultKind::StallBody,
            ("detail", None) => FaultKind::FastApiDetail,
            ("empty", Some(a)) => FaultKind::EmptyBody {
                status: a
                    .parse::<u16>()
                    .ok()
                    .filter(|s| (400..600).contains(s))
                    .ok_or_else(|| bad("empty takes a status from 400 to 599"))?,
            },
            ("ws-drop", Some(a)) => FaultKind::WsDropAfterFrames(
                a.parse::<u32>()
                    .map_err(|_| bad("ws-drop takes a frame count"))?,
            ),
            _ => return Err(bad("unknown fault kind or argument")),
        };
        let rule = FaultRule {
            route,
            kind,
            fraction,
            limit,
        };
        rule.check()?;
        Ok(rule)
    }
}

/// The configured rules and the seed.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultPlan {
    pub(crate) seed: u64,
    pub(crate) rules: Vec<FaultRule>,
}

/// The running injector: the plan plus a counter per rule.
pub(crate) struct FaultInjector {
    seed: u64,
    rules: Vec<(FaultRule, AtomicU64, AtomicU64)>,
    /// Until when every protocol request gets a gateway's 502 (see
    /// [`crate::Server::outage`]).
    outage_until: std::sync::Mutex<Option<std::time::Instant>>,
}

impl FaultInjector {
    pub(crate) fn new(plan: &FaultPlan) -> Arc<Self> {
        Arc::new(FaultInjector {
            seed: plan.seed,
            rules: plan
                .rules
                .iter()
                .map(|r| (r.clone(), AtomicU64::new(0), AtomicU64::new(0)))
                .collect(),
            outage_until: std::sync::Mutex::new(None),
        })
    }

    /// The fault, if any, for the next request to `route`.
    /// Answers every protocol request with a gateway's 502 for `length`
    /// from now.
    pub(crate) fn start_outage(&self, length: std::time::Duration) {
        if let Ok(mut until) = self.outage_until.lock() {
            *until = std::time::Instant::now().checked_add(length);
        }
    }

    fn in_outage(&self) -> bool {
        self.outage_until
            .lock()
            .ok()
            .and_then(|until| *until)
            .is_some_and(|until| std::time::Instant::now() < until)
    }

    pub(crate) fn decide(&self, route: Route) -> Option<FaultKind> {
        if route != Route::Inspect && self.in_outage() {
            return Some(FaultKind::GatewayHtml);
        }
        for (index, (rule, seen, hits)) in self.rules.iter().enumerate() {
            if !rule.matches(route) {
                continue;
            }
            let n = seen.fetch_add(1, Ordering::Relaxed);
            if rule
                .limit
                .is_some_and(|limit| hits.load(Ordering::Relaxed) >= limit)
            {
                continue;
            }
            if roll(self.seed, index as u64, n) < rule.fraction {
                hits.fetch_add(1, Ordering::Relaxed);
                return Some(rule.kind);
            }
        }
        None
    }
}

/// A number in [0, 1) from the seed, the rule index and the request count
/// (splitmix64 finaliser).
fn roll(seed: u64, rule: u64, n: u64) -> f64 {
    let mut z = seed
        .wrapping_add(rule.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(n.wrapping_mul(0xBF58_476D_1CE4_E5B9))
        .wrapping_add(0x94D0_49BB_1331_11EB);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_into_rules() {
        let rule: FaultRule = "get=slow:250@0.5#3".parse().unwrap();
        assert_eq!(rule.route, Some(Route::GetSession));
        assert_eq!(rule.kind, FaultKind::Slow(Duration::from_millis(250)));
        assert_eq!(rule.fraction, 0.5);
        assert_eq!(rule.limit, Some(3));
        let rule: FaultRule = "any=429".parse().unwrap();
        assert_eq!(rule.route, None);
        assert_eq!(
            rule.kind,
            FaultKind::RateLimited {
                retry_after: Duration::from_secs(1)
            }
        );
        assert!("upload=ws-drop:3".parse::<FaultRule>().is_err());
        assert!("upload=503@1.5".parse::<FaultRule>().is_err());
        assert!("nowhere=500".parse::<FaultRule>().is_err());
        assert_eq!(
            "end=empty:502".parse::<FaultRule>().unwrap().kind,
            FaultKind::EmptyBody { status: 502 }
        );
        assert_eq!(
            "any=detail".parse::<FaultRule>().unwrap().kind,
            FaultKind::FastApiDetail
        );
        assert_eq!(
            "create=lost-answer#1".parse::<FaultRule>().unwrap().kind,
            FaultKind::LostAnswer
        );
    }

    #[test]
    fn decisions_follow_the_seed_and_fraction() {
        let plan = |seed| FaultPlan {
            seed,
            rules: vec![FaultRule::on(Route::UploadAudio, FaultKind::InternalError).fraction(0.3)],
        };
        let run = |seed| {
            let inj = FaultInjector::new(&plan(seed));
            (0..1000)
                .map(|_| inj.decide(Route::UploadAudio).is_some())
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        let hits = a.iter().filter(|h| **h).count();
        assert!((230..370).contains(&hits), "{hits} hits of 1000 at 0.3");
        let inj = FaultInjector::new(&plan(7));
        assert!(inj.decide(Route::GetSession).is_none());
    }

    #[test]
    fn limit_stops_the_rule() {
        let inj = FaultInjector::new(&FaultPlan {
            seed: 1,
            rules: vec![FaultRule::everywhere(FaultKind::InternalError).limit(2)],
        });
        let hits: Vec<bool> = (0..5)
            .map(|_| inj.decide(Route::EndSession).is_some())
            .collect();
        assert_eq!(hits, [true, true, false, false, false]);
        assert!(inj.decide(Route::Inspect).is_none());
    }
}

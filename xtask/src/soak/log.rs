//! The simulator's request log (`GET /_sim/requests`): what was faulted, how
//! many requests were retries, and lines to print around a failure.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result};
use serde_json::Value;

/// One logged request (the fields the soak reads).
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) seq: u64,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) route: String,
    pub(crate) status: Option<u64>,
    pub(crate) fault: Option<String>,
    pub(crate) at_ms: f64,
    pub(crate) elapsed_ms: Option<f64>,
}

impl Request {
    /// Whether the answer failed because of an injected fault: anything
    /// but a slow answer, which arrives whole.
    pub(crate) fn failed_by_fault(&self) -> bool {
        self.fault
            .as_deref()
            .is_some_and(|f| !f.starts_with("slow"))
    }

    /// One line for a report: time, method, path, answer, fault.
    pub(crate) fn line(&self) -> String {
        format!(
            "#{:<5} {:>9.0} ms  {:<6} {:<62} {:<5} {:>8} {}",
            self.seq,
            self.at_ms,
            self.method,
            self.path,
            self.status.map_or("-".to_owned(), |s| s.to_string()),
            self.elapsed_ms
                .map_or("-".to_owned(), |e| format!("{e:.0} ms")),
            self.fault
                .as_deref()
                .map_or(String::new(), |f| format!("fault {f}")),
        )
    }
}

/// Reads the log from the `/_sim/requests` answer, protocol routes only.
pub(crate) fn parse(answer: &Value) -> Result<Vec<Request>> {
    let list = answer["requests"]
        .as_array()
        .context("no `requests` list in the simulator's request log")?;
    let mut out = Vec::with_capacity(list.len());
    for r in list {
        let text = |key: &str| r[key].as_str().unwrap_or_default().to_owned();
        let route = text("route");
        if route == "inspect" {
            continue;
        }
        out.push(Request {
            seq: r["seq"].as_u64().context("a request without `seq`")?,
            method: text("method"),
            path: text("path"),
            route,
            status: r["status"].as_u64(),
            fault: r["fault"].as_str().map(str::to_owned),
            at_ms: r["at_ms"].as_f64().unwrap_or_default(),
            elapsed_ms: r["elapsed_ms"].as_f64(),
        });
    }
    out.sort_by_key(|r| r.seq);
    Ok(out)
}

/// Faulted requests by the fault's label in the log.
pub(crate) fn faults_by_label(log: &[Request]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for fault in log.iter().filter_map(|r| r.fault.as_ref()) {
        *counts.entry(fault.clone()).or_insert(0) += 1;
    }
    counts
}

/// Requests and faulted requests by route.
pub(crate) fn by_route(log: &[Request]) -> BTreeMap<String, (u64, u64)> {
    let mut counts = BTreeMap::new();
    for r in log {
        let entry = counts.entry(r.route.clone()).or_insert((0, 0));
        entry.0 += 1;
        entry.1 += u64::from(r.fault.is_some());
    }
    counts
}

/// What [`retries`] counts, for the report's legend.
pub(crate) const RETRIES_MEANING: &str = "requests beyond one per operation. Uploads: upload \
requests minus the distinct chunk names uploaded. Every other route (login, refresh, create, get, \
end, ...): requests that directly follow an answer failed by a fault (any kind but slow) to the \
same method and path; GET polls and token renewals repeat by design, so only those after a fault \
count.";

/// Requests beyond one per operation; see [`RETRIES_MEANING`].
pub(crate) fn retries(log: &[Request]) -> u64 {
    let mut uploads = 0;
    let mut upload_paths = std::collections::HashSet::new();
    let mut last: HashMap<(&str, &str), &Request> = HashMap::new();
    let mut after_fault = 0;
    for r in log {
        if r.route == "upload_audio" {
            uploads += 1;
            upload_paths.insert(r.path.as_str());
            continue;
        }
        let key = (r.method.as_str(), r.path.as_str());
        if last
            .get(&key)
            .is_some_and(|before| before.failed_by_fault())
        {
            after_fault += 1;
        }
        last.insert(key, r);
    }
    uploads - upload_paths.len() as u64 + after_fault
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(seq: u64, method: &str, path: &str, route: &str, fault: Option<&str>) -> Request {
        Request {
            seq,
            method: method.to_owned(),
            path: path.to_owned(),
            route: route.to_owned(),
            status: Some(200),
            fault: fault.map(str::to_owned),
            at_ms: 0.0,
            elapsed_ms: None,
        }
    }

    #[test]
    fn retries_are_repeated_uploads_and_requests_after_a_failed_answer() {
        let s = "/voice/v1/sessions/s";
        let log = [
            request(0, "POST", "/login", "login", Some("500")),
            request(1, "POST", "/login", "login", None),
            request(
                2,
                "POST",
                "/voice/v1/sessions",
                "create_session",
                Some("lost-answer"),
            ),
            request(3, "POST", "/voice/v1/sessions", "create_session", None),
            request(
                4,
                "POST",
                &format!("{s}/audio/chunk_0.wav"),
                "upload_audio",
                Some("lost-answer"),
            ),
            request(
                5,
                "POST",
                &format!("{s}/audio/chunk_0.wav"),
                "upload_audio",
                None,
            ),
            request(
                6,
                "POST",
                &format!("{s}/audio/chunk_1.wav"),
                "upload_audio",
                Some("slow:300ms"),
            ),
            request(7, "GET", s, "get_session", None),
            request(8, "GET", s, "get_session", Some("slow:300ms")),
            request(9, "GET", s, "get_session", Some("stall-body")),
            request(10, "GET", s, "get_session", None),
            request(11, "POST", "/refresh", "refresh", None),
            request(12, "POST", "/refresh", "refresh", None),
        ];
        // login, create, chunk_0 and the GET after the stall.
        assert_eq!(retries(&log), 4);
        let faults = faults_by_label(&log);
        assert_eq!(faults.get("lost-answer"), Some(&2));
        assert_eq!(faults.get("slow:300ms"), Some(&2));
        assert_eq!(by_route(&log).get("get_session"), Some(&(4, 2)));
    }

    #[test]
    fn the_log_is_read_without_the_inspection_requests() {
        let answer = serde_json::json!({"requests": [
            {"seq": 1, "method": "GET", "path": "/_sim/sessions", "route": "inspect",
             "status": 200, "fault": null, "at_ms": 1.0, "elapsed_ms": 0.5},
            {"seq": 0, "method": "POST", "path": "/voice/v1/sessions", "route": "create_session",
             "status": null, "fault": "reset-before-body", "at_ms": 0.5, "elapsed_ms": null},
        ]});
        let log = parse(&answer).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].status, None);
        assert!(log[0].failed_by_fault());
        assert!(log[0].line().contains("fault reset-before-body"));
    }
}

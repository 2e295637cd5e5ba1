//! 1,000 small authenticated GETs against the local simulator over loopback:
//! requests per second and latency percentiles, sequential and with 8 in
//! flight. Run with `cargo bench -p scribe-transport --bench http`.
//!
//! Client and server share one machine (and here one runtime), so the
//! numbers bound the transport's own overhead from above; they are not a
//! network measurement.

use std::sync::Arc;
use std::time::{Duration, Instant};

use scribe_sim::Server;
use scribe_transport::http::HeaderName;
use scribe_transport::{
    API_KEY_HEADER, AuthHeaders, Authenticator, BoxFuture, Error, HttpClient, Request,
    TransportConfig,
};

const REQUESTS: usize = 1_000;
const WARM_UP: usize = 50;
const IN_FLIGHT: usize = 8;
const _: () = assert!(
    REQUESTS % IN_FLIGHT == 0,
    "requests split evenly over tasks"
);

struct Key(String);

impl Authenticator for Key {
    fn authorize(&self) -> BoxFuture<'_, Result<AuthHeaders, Error>> {
        Box::pin(async move {
            let mut headers = AuthHeaders::new(1);
            headers.insert(HeaderName::from_static(API_KEY_HEADER), &self.0)?;
            Ok(headers)
        })
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let server = Server::builder().start().await.expect("simulator starts");
    let http = HttpClient::new(TransportConfig::default())
        .expect("client builds")
        .with_authenticator(Arc::new(Key(server.api_key().to_owned())));
    let url = format!("{}/v1/templates", server.base_url());
    let get = || Request::get(url.clone()).path_template("/v1/templates");

    for _ in 0..WARM_UP {
        http.send(get()).await.expect("warm-up GET");
    }

    // Sequential: one request at a time on one pooled connection.
    let mut latencies = Vec::with_capacity(REQUESTS);
    let started = Instant::now();
    for _ in 0..REQUESTS {
        let t = Instant::now();
        let answer = http.send(get()).await.expect("GET");
        assert_eq!(answer.status(), 200);
        latencies.push(t.elapsed());
    }
    report("sequential", started.elapsed(), &mut latencies);

    // Concurrent: IN_FLIGHT tasks sharing the pool.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..IN_FLIGHT {
        let http = http.clone();
        let url = url.clone();
        let count = REQUESTS / IN_FLIGHT;
        tasks.push(tokio::spawn(async move {
            let mut own = Vec::with_capacity(count);
            for _ in 0..count {
                let t = Instant::now();
                let answer = http
                    .send(Request::get(url.clone()).path_template("/v1/templates"))
                    .await
                    .expect("GET");
                assert_eq!(answer.status(), 200);
                own.push(t.elapsed());
            }
            own
        }));
    }
    let mut latencies = Vec::with_capacity(REQUESTS);
    for task in tasks {
        latencies.extend(task.await.expect("task"));
    }
    report(
        &format!("{IN_FLIGHT} in flight"),
        started.elapsed(),
        &mut latencies,
    );

    server.shutdown().await;
}

fn report(label: &str, total: Duration, latencies: &mut [Duration]) {
    latencies.sort_unstable();
    let pct = |p: f64| {
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[index].as_secs_f64() * 1000.0
    };
    let rate = latencies.len() as f64 / total.as_secs_f64();
    // Printing the result is the point of a bench target.
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{label:>12}: {} GETs in {:.3} s = {rate:.0} req/s; latency p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            latencies.len(),
            total.as_secs_f64(),
            pct(0.50),
            pct(0.90),
            pct(0.99),
            pct(1.0),
        );
    }
}

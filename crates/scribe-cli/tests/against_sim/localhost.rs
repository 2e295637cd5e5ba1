//! `*.localhost` names reach loopback by the SDK's own resolution (RFC 6761),
//! with no hosts-file entry and no DNS.

use super::{SimProcess, scribe_with};
use crate::text;

#[test]
fn a_localhost_name_reaches_the_loopback_server() {
    let sim = SimProcess::start(&[]);
    let port = sim.addr.rsplit(':').next().unwrap_or_default().to_owned();
    let host = format!("scribe-test.localhost:{port}");
    let base = format!("http://{host}/voice");
    let auth = format!("http://{host}");
    let out = scribe_with(
        &["templates", "--json"],
        &sim.env_with(&[
            ("SCRIBE_BASE_URL", base.as_str()),
            ("SCRIBE_AUTH_BASE_URL", auth.as_str()),
        ]),
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("clinical_notes_template"), "{stdout}");
}

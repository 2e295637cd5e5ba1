//! `cargo xtask codegen [--check]`: JSON Schemas of the wire types.
//!
//! Writes one JSON Schema per public wire body of `scribe-protocol` into
//! `docs/schema/<Type>.json`, generated from the Rust types (the `schemars`
//! feature), pretty-printed with a trailing newline so the output is
//! byte-for-byte deterministic. `--check` writes nothing: it fails, listing
//! every stale, missing or unexpected file, when the committed schemas differ
//! from what the types produce.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use schemars::{JsonSchema, schema_for};
use scribe_protocol::auth::{LoginRequest, RefreshRequest, TokenResponse};
use scribe_protocol::discovery::DiscoveryDocument;
use scribe_protocol::error::ErrorEnvelope;
use scribe_protocol::session::{
    CreateSessionRequest, CreateSessionResponse, EndSessionRequest, EndSessionResponse,
    PatchSessionRequest, PatchSessionResponse, ProcessTemplateResponse, SessionResponse,
    TemplateResult,
};
use scribe_protocol::stream::StreamFrame;
use scribe_protocol::templates::TemplateList;
use scribe_protocol::webhook::{
    WebhookEvent, WebhookRegistration, WebhookRegistrationList, WebhookRegistrationRequest,
};
use serde_json::Value;

/// Where the schemas live, relative to the workspace root.
const SCHEMA_DIR: &str = "docs/schema";

/// The command that regenerates the schemas.
const FIX: &str = "cargo xtask codegen";

pub(crate) fn run(args: &[String]) -> Result<()> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => bail!("usage: cargo xtask codegen [--check]"),
    };
    let dir = crate::workspace_root().join(SCHEMA_DIR);
    let expected = schemas()?;
    if check {
        check_dir(&dir, &expected)
    } else {
        write_dir(&dir, &expected)
    }
}

/// File name -> file contents, for every public wire body.
fn schemas() -> Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    add::<CreateSessionRequest>(&mut files)?;
    add::<CreateSessionResponse>(&mut files)?;
    add::<SessionResponse>(&mut files)?;
    add::<TemplateResult>(&mut files)?;
    add::<EndSessionRequest>(&mut files)?;
    add::<EndSessionResponse>(&mut files)?;
    add::<PatchSessionRequest>(&mut files)?;
    add::<PatchSessionResponse>(&mut files)?;
    add::<ProcessTemplateResponse>(&mut files)?;
    add::<TemplateList>(&mut files)?;
    add::<DiscoveryDocument>(&mut files)?;
    add::<ErrorEnvelope>(&mut files)?;
    add::<WebhookEvent>(&mut files)?;
    add::<WebhookRegistrationRequest>(&mut files)?;
    add::<WebhookRegistration>(&mut files)?;
    add::<WebhookRegistrationList>(&mut files)?;
    add::<StreamFrame>(&mut files)?;
    add::<LoginRequest>(&mut files)?;
    add::<RefreshRequest>(&mut files)?;
    add::<TokenResponse>(&mut files)?;
    Ok(files)
}

fn add<T: JsonSchema>(files: &mut BTreeMap<String, String>) -> Result<()> {
    let name = T::schema_name();
    let mut schema = serde_json::to_value(schema_for!(T))
        .with_context(|| format!("serialising the schema of {name}"))?;
    strip_code_examples(&mut schema);
    let mut text = serde_json::to_string_pretty(&schema)
        .with_context(|| format!("serialising the schema of {name}"))?;
    text.push('\n');
    if files.insert(format!("{name}.json"), text).is_some() {
        bail!("two wire types are both named {name}");
    }
    Ok(())
}

/// Doc comments become schema descriptions; their Rust examples mean nothing
/// to a schema reader, so fenced code blocks are dropped.
fn strip_code_examples(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match child {
                    Value::String(text) if key == "description" => {
                        *text = without_code_blocks(text)
                    }
                    _ => strip_code_examples(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_code_examples),
        _ => {}
    }
}

fn without_code_blocks(text: &str) -> String {
    let mut kept = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code {
            kept.push(line);
        }
    }
    kept.join("\n").trim_end().to_owned()
}

fn write_dir(dir: &Path, expected: &BTreeMap<String, String>) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut changed = 0;
    for (name, text) in expected {
        let path = dir.join(name);
        if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            changed += 1;
        }
    }
    let mut removed = 0;
    for name in json_files(dir)? {
        if !expected.contains_key(&name) {
            let path = dir.join(&name);
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
            removed += 1;
        }
    }
    eprintln!(
        "codegen: {} schemas in {SCHEMA_DIR} ({changed} written, {removed} removed)",
        expected.len()
    );
    Ok(())
}

fn check_dir(dir: &Path, expected: &BTreeMap<String, String>) -> Result<()> {
    let mut problems = Vec::new();
    for (name, text) in expected {
        match fs::read_to_string(dir.join(name)) {
            Ok(found) if found == *text => {}
            Ok(_) => problems.push(format!("stale:      {SCHEMA_DIR}/{name}")),
            Err(_) => problems.push(format!("missing:    {SCHEMA_DIR}/{name}")),
        }
    }
    for name in json_files(dir)? {
        if !expected.contains_key(&name) {
            problems.push(format!("unexpected: {SCHEMA_DIR}/{name}"));
        }
    }
    if problems.is_empty() {
        eprintln!(
            "codegen: {} schemas in {SCHEMA_DIR} are up to date",
            expected.len()
        );
        return Ok(());
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    eprintln!(
        "codegen: {} schema file(s) in {SCHEMA_DIR} do not match the wire types; run `{FIX}` and commit the result",
        problems.len()
    );
    // A plain non-zero exit: the list above is the whole story, no backtrace.
    std::process::exit(1)
}

/// Names of the `.json` files in `dir` (none when it does not exist).
fn json_files(dir: &Path) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    let mut names = Vec::new();
    for entry in entries {
        let name = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".json") {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

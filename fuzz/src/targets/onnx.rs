//! The ONNX protobuf codec of scribe-audio's VAD: reader, writer and the
//! graph cut made on the model file.

use scribe_audio::__fuzz as audio;

use crate::{Target, fold};

pub(super) const TARGET: Target = Target {
    name: "onnx_proto",
    about: "protobuf reader (fields, strings, float initializers), graph writer round trip, LSTM cut",
    run,
    max_len: 4096,
    timeout_ms: 1000,
    extra_seeds: &[],
    dictionary: &[
        b"\x3a",
        b"\x0a",
        b"\x12",
        b"\x22",
        b"\x2a",
        b"\x42",
        b"\x4a",
        b"\x5a",
        b"\x62",
        b"\x08\x01",
        b"\x10\x07",
        b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
        b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80",
        b"LSTM",
        b"input",
        b"Conv",
    ],
    tolerates_caught_foreign_panics: false,
};

/// How deep nested messages are walked; ONNX graphs nest about five deep.
const MAX_DEPTH: usize = 6;
/// Names tried as float initializers per input.
const MAX_NAMES: usize = 8;

fn run(data: &[u8]) {
    let mut names = Vec::new();
    walk(data, 0, &mut names);
    if let Some(graph) = audio::onnx_graph(data) {
        for name in names.iter().take(MAX_NAMES) {
            check_initializer(graph, name);
        }
    }
    check_split(data);
    write_then_read(data);
}

/// Reads `message` and every length-delimited field inside it as a nested
/// message, checking that the fields tile their message exactly and that a
/// canonical re-encoding reads back the same fields.
fn walk(message: &[u8], depth: usize, names: &mut Vec<String>) {
    let Some(fields) = audio::onnx_fields(message) else {
        return;
    };
    let tiled: Vec<u8> = fields.iter().flat_map(|f| f.raw.iter().copied()).collect();
    assert_eq!(tiled, message, "fields do not tile their message");
    let mut canonical = Vec::new();
    for f in &fields {
        match f.wire_type {
            0 => {
                audio::onnx_put_varint(&mut canonical, f.number << 3);
                audio::onnx_put_varint(&mut canonical, f.value);
            }
            2 => audio::onnx_put_bytes(&mut canonical, f.number, f.bytes),
            1 | 5 => canonical.extend_from_slice(f.raw),
            other => panic!("the reader accepted wire type {other}"),
        }
    }
    let again = audio::onnx_fields(&canonical).expect("a canonical re-encoding reads");
    assert_eq!(again.len(), fields.len());
    for (a, b) in fields.iter().zip(&again) {
        assert_eq!(
            (a.number, a.wire_type, a.bytes, a.value),
            (b.number, b.wire_type, b.bytes, b.value)
        );
    }
    // Every string query answers (or refuses) without panicking.
    for f in fields.iter().take(4) {
        let _ = audio::onnx_strings(message, f.number);
    }
    if depth >= MAX_DEPTH {
        return;
    }
    for f in fields.iter().filter(|f| f.wire_type == 2) {
        if let Ok(text) = std::str::from_utf8(f.bytes) {
            if names.len() < MAX_NAMES && !text.is_empty() && text.len() <= 64 {
                names.push(text.to_owned());
            }
        }
        walk(f.bytes, depth + 1, names);
    }
}

fn check_initializer(graph: &[u8], name: &str) {
    if let Some((dims, values)) = audio::onnx_float_initializer(graph, name) {
        let count = dims.iter().try_fold(1u64, |n, &d| n.checked_mul(d));
        assert_eq!(count, Some(values.len() as u64), "dims do not match values");
    }
}

/// The cut halves of a model are themselves readable models.
fn check_split(model: &[u8]) {
    let Some((encoder, recurrent, _features)) = audio::onnx_split_before_lstm(model) else {
        return;
    };
    for half in [&encoder, &recurrent] {
        let graph = audio::onnx_graph(half).expect("a cut half has a graph");
        assert!(
            audio::onnx_fields(graph).is_some(),
            "a cut half's graph reads"
        );
    }
}

/// Builds a model from the input with the project's writer and reads every
/// weight back bit for bit.
fn write_then_read(data: &[u8]) {
    let mut weights: Vec<(String, Vec<u64>, Vec<f32>)> = Vec::new();
    for (i, piece) in data.chunks(24).take(6).enumerate() {
        let name = format!("w{i}_{}", fold(piece) % 1000);
        if weights.iter().any(|(n, _, _)| *n == name) {
            continue;
        }
        let values: Vec<f32> = piece
            .chunks(4)
            .map(|b| {
                let mut word = [0u8; 4];
                word[..b.len()].copy_from_slice(b);
                f32::from_le_bytes(word)
            })
            .collect();
        // Shapes that match the value count, in one or two dimensions.
        let n = values.len() as u64;
        let dims = if n % 2 == 0 && piece.first().is_some_and(|b| b & 1 == 1) {
            vec![2, n / 2]
        } else {
            vec![n]
        };
        weights.push((name, dims, values));
    }
    let ints: Vec<Vec<i64>> = data
        .chunks(8)
        .take(2)
        .map(|b| {
            let mut word = [0u8; 8];
            word[..b.len()].copy_from_slice(b);
            vec![i64::from_le_bytes(word), -1]
        })
        .collect();
    let floats: Vec<(&str, &[u64], &[f32])> = weights
        .iter()
        .map(|(n, d, v)| (n.as_str(), d.as_slice(), v.as_slice()))
        .collect();
    let int_refs: Vec<&[i64]> = ints.iter().map(Vec::as_slice).collect();
    let attr = i64::from_le_bytes(
        data.get(..8)
            .and_then(|b| b.try_into().ok())
            .unwrap_or([0; 8]),
    );
    let op = String::from_utf8_lossy(data.get(..16).unwrap_or(data)).into_owned();
    let attrs = [("axis", attr)];
    let node: audio::NodeSpec<'_> = (op.as_str(), &["input"], &["output"], &attrs);
    let (model, constants) = audio::onnx_write_model(&floats, &int_refs, &[node], 16);
    let graph = audio::onnx_graph(&model).expect("a written model has a graph");
    for (name, dims, values) in &weights {
        let (read_dims, read_values) =
            audio::onnx_float_initializer(graph, name).expect("a written weight reads back");
        assert_eq!(&read_dims, dims);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&read_values), bits(values), "weight {name} changed");
    }
    for constant in &constants {
        assert!(
            audio::onnx_float_initializer(graph, constant).is_none(),
            "an int64 constant read as floats"
        );
    }
    let mut nodes_seen = 0;
    for f in audio::onnx_fields(graph).expect("the written graph reads") {
        if f.number == 1 {
            nodes_seen += 1;
            let ops = audio::onnx_strings(f.bytes, 4).expect("op type reads");
            assert_eq!(ops, vec![op.clone()]);
        }
    }
    assert_eq!(nodes_seen, 1);
}

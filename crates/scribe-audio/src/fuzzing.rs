//! Entry points into the crate's private parsers for `cargo xtask fuzz`.
//!
//! Compiled only with the non-default `fuzzing` feature and hidden from the
//! docs: not part of the API, no stability promise. Each function is a thin
//! wrapper that hands the crate-private parser the fuzzer's bytes and
//! returns plain data, so the fuzz targets can check properties without
//! widening the real API.

use std::io::Cursor;

use crate::decode::priming;
use crate::vad::{onnx_proto, split_graph};

/// One protobuf field as [`onnx_fields`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtoField<'a> {
    /// Field number.
    pub number: u64,
    /// Wire type (the key's low three bits).
    pub wire_type: u64,
    /// Payload of a length-delimited field (empty for other wire types).
    pub bytes: &'a [u8],
    /// Value of a varint field (0 for other wire types).
    pub value: u64,
    /// The field's whole encoding, key included.
    pub raw: &'a [u8],
}

/// The fields of one protobuf message; `None` when it is malformed.
pub fn onnx_fields(message: &[u8]) -> Option<Vec<ProtoField<'_>>> {
    let fields = onnx_proto::fields(message)?;
    fields
        .into_iter()
        .map(|f| {
            let mut at = 0;
            let key = onnx_proto::varint(f.raw, &mut at)?;
            Some(ProtoField {
                number: f.number,
                wire_type: key & 7,
                bytes: f.bytes,
                value: f.value,
                raw: f.raw,
            })
        })
        .collect()
}

/// A varint at `*at` of `bytes`, advancing `at` past it.
pub fn onnx_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    onnx_proto::varint(bytes, at)
}

/// Appends `value` as a varint.
pub fn onnx_put_varint(out: &mut Vec<u8>, value: u64) {
    onnx_proto::put_varint(out, value);
}

/// Appends a length-delimited field.
pub fn onnx_put_bytes(out: &mut Vec<u8>, number: u64, bytes: &[u8]) {
    onnx_proto::put_bytes(out, number, bytes);
}

/// Every string field `number` of `message`.
pub fn onnx_strings(message: &[u8], number: u64) -> Option<Vec<String>> {
    onnx_proto::strings(message, number)
}

/// The float initializer `name` of `graph`: (dims, values).
pub fn onnx_float_initializer(graph: &[u8], name: &str) -> Option<(Vec<u64>, Vec<f32>)> {
    onnx_proto::float_initializer(graph, name).map(|t| (t.dims, t.values))
}

/// The graph field of a model, as the model readers find it.
pub fn onnx_graph(model: &[u8]) -> Option<&[u8]> {
    onnx_proto::fields(model)?
        .into_iter()
        .find(|f| f.number == onnx_proto::MODEL_GRAPH)
        .map(|f| f.bytes)
}

/// A node for [`onnx_write_model`]: operator, inputs, outputs and integer
/// attributes.
pub type NodeSpec<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a [(&'a str, i64)]);

/// Writes a model with the project's own graph writer: float weights
/// `(name, dims, values)`, int64 constants, nodes `(op, inputs, outputs)`
/// and one float input and output. Returns the file and the generated
/// names of the constants.
pub fn onnx_write_model(
    floats: &[(&str, &[u64], &[f32])],
    ints: &[&[i64]],
    nodes: &[NodeSpec<'_>],
    opset: u64,
) -> (Vec<u8>, Vec<String>) {
    let mut g = onnx_proto::GraphWriter::default();
    for (name, dims, values) in floats {
        g.floats(name, dims, values);
    }
    let constants = ints.iter().map(|values| g.ints(values)).collect();
    for (op, inputs, outputs, attrs) in nodes {
        g.node(op, inputs, outputs, attrs);
    }
    let model = g.finish(("input", &[None, Some(4)]), ("output", &[Some(1)]), opset);
    (model, constants)
}

/// The Silero sequence export cut before its LSTM: (encoder, recurrent,
/// the tensor between them); `None` when the file is not shaped for it.
pub fn onnx_split_before_lstm(model: &[u8]) -> Option<(Vec<u8>, Vec<u8>, String)> {
    split_graph::split_before_lstm(model).map(|s| (s.encoder, s.recurrent, s.features))
}

/// The MP4 edit-list reader on a `moov` body: (media time, timescale).
pub fn mp4_first_edit(moov: &[u8]) -> Option<(u64, u32)> {
    priming::mp4_first_edit(moov)
}

/// The Matroska `DiscardPadding` reader on a file's tail: (track,
/// nanoseconds, frame data) per padded block.
pub fn mkv_padded_blocks(tail: &[u8]) -> Vec<(u64, u64, Vec<u8>)> {
    priming::mkv_padded_blocks(tail)
        .into_iter()
        .map(|p| (p.track, p.nanos, p.payload))
        .collect()
}

/// What the priming scan reads from a whole file taken as `container`
/// (`"mp4"` or `"webm"`), and the frames it would trim at `rate` from
/// `track`: (start frames, end frames).
pub fn priming_trim(file: &[u8], container: &str, rate: u32, track: u32) -> (u64, Option<u64>) {
    let mut source = Cursor::new(file);
    let trim = priming::scan(&mut source, Some(container));
    let end = trim.mkv_end_padding(track, rate).map(|(frames, _)| frames);
    (trim.mp4_skip_frames(rate), end)
}

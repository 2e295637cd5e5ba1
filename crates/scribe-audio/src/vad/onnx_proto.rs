//! Just enough of the protobuf encoding of ONNX files to read a model's
//! nodes and weights and to write small graphs of our own, in memory.
//!
//! Field numbers are those of `onnx.proto`. Reading never panics: anything
//! malformed gives `None`.

// ModelProto.
pub(crate) const MODEL_IR_VERSION: u64 = 1;
pub(crate) const MODEL_GRAPH: u64 = 7;
pub(crate) const MODEL_OPSET_IMPORT: u64 = 8;
// OperatorSetIdProto.
const OPSET_VERSION: u64 = 2;
// GraphProto.
pub(crate) const GRAPH_NODE: u64 = 1;
const GRAPH_NAME: u64 = 2;
pub(crate) const GRAPH_INITIALIZER: u64 = 5;
pub(crate) const GRAPH_INPUT: u64 = 11;
pub(crate) const GRAPH_OUTPUT: u64 = 12;
pub(crate) const GRAPH_VALUE_INFO: u64 = 13;
// NodeProto.
pub(crate) const NODE_INPUT: u64 = 1;
pub(crate) const NODE_OUTPUT: u64 = 2;
pub(crate) const NODE_OP_TYPE: u64 = 4;
const NODE_ATTRIBUTE: u64 = 5;
// AttributeProto.
const ATTRIBUTE_NAME: u64 = 1;
const ATTRIBUTE_I: u64 = 3;
const ATTRIBUTE_TYPE: u64 = 20;
const ATTRIBUTE_TYPE_INT: u64 = 2;
// TensorProto.
const TENSOR_DIMS: u64 = 1;
const TENSOR_DATA_TYPE: u64 = 2;
const TENSOR_FLOAT_DATA: u64 = 4;
pub(crate) const TENSOR_NAME: u64 = 8;
const TENSOR_RAW_DATA: u64 = 9;
const DATA_TYPE_FLOAT: u64 = 1;
const DATA_TYPE_INT64: u64 = 7;
// ValueInfoProto, TypeProto, TensorShapeProto.
pub(crate) const VALUE_INFO_NAME: u64 = 1;
const VALUE_INFO_TYPE: u64 = 2;
const TYPE_TENSOR: u64 = 1;
const TENSOR_TYPE_ELEM: u64 = 1;
const TENSOR_TYPE_SHAPE: u64 = 2;
const SHAPE_DIM: u64 = 1;
const DIM_VALUE: u64 = 1;
const DIM_PARAM: u64 = 2;

const WIRE_VARINT: u64 = 0;
const WIRE_I64: u64 = 1;
const WIRE_LEN: u64 = 2;
const WIRE_I32: u64 = 5;

/// One protobuf field: its number, its payload (bytes for length-delimited
/// fields, the value for varints) and its whole encoding.
pub(crate) struct Field<'a> {
    pub(crate) number: u64,
    pub(crate) bytes: &'a [u8],
    pub(crate) value: u64,
    pub(crate) raw: &'a [u8],
}

pub(crate) fn varint(b: &[u8], i: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*i)?;
        *i += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

/// The fields of one message, in order.
pub(crate) fn fields(b: &[u8]) -> Option<Vec<Field<'_>>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let key = varint(b, &mut i)?;
        let mut bytes: &[u8] = &[];
        let mut value = 0;
        match key & 7 {
            WIRE_VARINT => value = varint(b, &mut i)?,
            WIRE_I64 => i = i.checked_add(8)?,
            WIRE_LEN => {
                let len = usize::try_from(varint(b, &mut i)?).ok()?;
                let end = i.checked_add(len)?;
                bytes = b.get(i..end)?;
                i = end;
            }
            WIRE_I32 => i = i.checked_add(4)?,
            _ => return None,
        }
        out.push(Field {
            number: key >> 3,
            bytes,
            value,
            raw: b.get(start..i)?,
        });
    }
    Some(out)
}

/// Every string field `number` of `message`.
pub(crate) fn strings(message: &[u8], number: u64) -> Option<Vec<String>> {
    fields(message)?
        .iter()
        .filter(|f| f.number == number)
        .map(|f| String::from_utf8(f.bytes.to_vec()).ok())
        .collect()
}

/// The first string field `number` of `message`.
pub(crate) fn string(message: &[u8], number: u64) -> Option<String> {
    strings(message, number)?.into_iter().next()
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub(crate) fn put_bytes(out: &mut Vec<u8>, number: u64, bytes: &[u8]) {
    put_varint(out, number << 3 | WIRE_LEN);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_uint(out: &mut Vec<u8>, number: u64, value: u64) {
    put_varint(out, number << 3 | WIRE_VARINT);
    put_varint(out, value);
}

/// A float tensor value description; `dims` of `None` are symbolic.
pub(crate) fn float_value_info(name: &str, dims: Option<&[Option<u64>]>) -> Vec<u8> {
    let mut tensor_type = Vec::new();
    put_uint(&mut tensor_type, TENSOR_TYPE_ELEM, DATA_TYPE_FLOAT);
    if let Some(dims) = dims {
        let mut shape = Vec::new();
        for (i, dim) in dims.iter().enumerate() {
            let mut d = Vec::new();
            match dim {
                Some(n) => put_uint(&mut d, DIM_VALUE, *n),
                None => put_bytes(&mut d, DIM_PARAM, format!("d{i}").as_bytes()),
            }
            put_bytes(&mut shape, SHAPE_DIM, &d);
        }
        put_bytes(&mut tensor_type, TENSOR_TYPE_SHAPE, &shape);
    }
    let mut type_proto = Vec::new();
    put_bytes(&mut type_proto, TYPE_TENSOR, &tensor_type);
    let mut info = Vec::new();
    put_bytes(&mut info, VALUE_INFO_NAME, name.as_bytes());
    put_bytes(&mut info, VALUE_INFO_TYPE, &type_proto);
    info
}

/// A float tensor read from a model's initializers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FloatTensor {
    pub(crate) dims: Vec<u64>,
    pub(crate) values: Vec<f32>,
}

/// The float initializer `name` of `graph` (raw or `float_data` storage).
pub(crate) fn float_initializer(graph: &[u8], name: &str) -> Option<FloatTensor> {
    let tensor = fields(graph)?
        .into_iter()
        .filter(|f| f.number == GRAPH_INITIALIZER)
        .find(|f| string(f.bytes, TENSOR_NAME).as_deref() == Some(name))?
        .bytes;
    let mut dims = Vec::new();
    let mut data_type = None;
    let mut values = Vec::new();
    for f in fields(tensor)? {
        match f.number {
            TENSOR_DIMS if f.bytes.is_empty() => dims.push(f.value),
            TENSOR_DIMS => {
                // Packed.
                let mut i = 0;
                while i < f.bytes.len() {
                    dims.push(varint(f.bytes, &mut i)?);
                }
            }
            TENSOR_DATA_TYPE => data_type = Some(f.value),
            TENSOR_RAW_DATA | TENSOR_FLOAT_DATA => {
                if f.bytes.len() % 4 != 0 {
                    return None;
                }
                values.extend(
                    f.bytes
                        .chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                );
            }
            _ => {}
        }
    }
    let count = dims.iter().try_fold(1u64, |n, &d| n.checked_mul(d))?;
    (data_type == Some(DATA_TYPE_FLOAT) && values.len() as u64 == count)
        .then_some(FloatTensor { dims, values })
}

/// Writes a graph of our own, node by node.
#[derive(Default)]
pub(crate) struct GraphWriter {
    body: Vec<u8>,
    constants: usize,
}

impl GraphWriter {
    /// Adds a node; `int_attrs` are integer attributes.
    pub(crate) fn node(
        &mut self,
        op_type: &str,
        inputs: &[&str],
        outputs: &[&str],
        int_attrs: &[(&str, i64)],
    ) {
        let mut node = Vec::new();
        for input in inputs {
            put_bytes(&mut node, NODE_INPUT, input.as_bytes());
        }
        for output in outputs {
            put_bytes(&mut node, NODE_OUTPUT, output.as_bytes());
        }
        put_bytes(&mut node, NODE_OP_TYPE, op_type.as_bytes());
        for (name, value) in int_attrs {
            let mut attr = Vec::new();
            put_bytes(&mut attr, ATTRIBUTE_NAME, name.as_bytes());
            // Two's complement, as protobuf encodes a negative int64.
            put_uint(&mut attr, ATTRIBUTE_I, *value as u64);
            put_uint(&mut attr, ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT);
            put_bytes(&mut node, NODE_ATTRIBUTE, &attr);
        }
        put_bytes(&mut self.body, GRAPH_NODE, &node);
    }

    fn tensor(&mut self, name: &str, dims: &[u64], data_type: u64, raw: &[u8]) {
        let mut tensor = Vec::new();
        for &d in dims {
            put_uint(&mut tensor, TENSOR_DIMS, d);
        }
        put_uint(&mut tensor, TENSOR_DATA_TYPE, data_type);
        put_bytes(&mut tensor, TENSOR_NAME, name.as_bytes());
        put_bytes(&mut tensor, TENSOR_RAW_DATA, raw);
        put_bytes(&mut self.body, GRAPH_INITIALIZER, &tensor);
    }

    /// Adds a float weight.
    pub(crate) fn floats(&mut self, name: &str, dims: &[u64], values: &[f32]) {
        let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.tensor(name, dims, DATA_TYPE_FLOAT, &raw);
    }

    /// Adds a 1-D int64 constant and returns its (generated) name.
    pub(crate) fn ints(&mut self, values: &[i64]) -> String {
        self.constants += 1;
        let name = format!("const_{}", self.constants);
        let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.tensor(&name, &[values.len() as u64], DATA_TYPE_INT64, &raw);
        name
    }

    /// The whole model file: this graph with one float input and one float
    /// output, for the default operator set `opset`.
    pub(crate) fn finish(
        mut self,
        input: (&str, &[Option<u64>]),
        output: (&str, &[Option<u64>]),
        opset: u64,
    ) -> Vec<u8> {
        put_bytes(&mut self.body, GRAPH_NAME, b"scribe");
        put_bytes(
            &mut self.body,
            GRAPH_INPUT,
            &float_value_info(input.0, Some(input.1)),
        );
        put_bytes(
            &mut self.body,
            GRAPH_OUTPUT,
            &float_value_info(output.0, Some(output.1)),
        );
        let mut opset_id = Vec::new();
        put_uint(&mut opset_id, OPSET_VERSION, opset);
        let mut model = Vec::new();
        // IR version 8 goes with operator sets up to 18.
        put_uint(&mut model, MODEL_IR_VERSION, 8);
        put_bytes(&mut model, MODEL_OPSET_IMPORT, &opset_id);
        put_bytes(&mut model, MODEL_GRAPH, &self.body);
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for n in [0u64, 1, 127, 128, 300, 1 << 40, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, n);
            let mut i = 0;
            assert_eq!(varint(&b, &mut i), Some(n));
            assert_eq!(i, b.len());
        }
    }

    #[test]
    fn a_written_weight_reads_back() {
        let mut g = GraphWriter::default();
        g.floats("w", &[2, 3], &[1.0, -2.0, 3.5, 0.0, 1e-9, f32::MAX]);
        g.ints(&[-1, 4]);
        let model = g.finish(("x", &[None]), ("y", &[Some(3)]), 16);
        let top = fields(&model).expect("parses");
        let graph = top
            .iter()
            .find(|f| f.number == MODEL_GRAPH)
            .expect("graph")
            .bytes;
        assert_eq!(
            float_initializer(graph, "w"),
            Some(FloatTensor {
                dims: vec![2, 3],
                values: vec![1.0, -2.0, 3.5, 0.0, 1e-9, f32::MAX],
            })
        );
        // Wrong name, or not a float tensor.
        assert_eq!(float_initializer(graph, "v"), None);
        assert_eq!(float_initializer(graph, "const_1"), None);
    }

    #[test]
    fn malformed_input_is_none_not_a_panic() {
        assert!(fields(&[0xff; 16]).is_none());
        assert!(fields(&[0x3a, 0x7f, 0x01]).is_none());
        assert!(float_initializer(&[0x2a, 0x02, 0x08], "w").is_none());
    }
}

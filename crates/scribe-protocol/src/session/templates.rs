//! Per-template results, in either of the two wire shapes.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{TemplateResult, TemplateStatus};

/// Which wire shape a [`Templates`] value came in (and will be written in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TemplatesShape {
    /// Eka: `[{"<id>": {...}}, ...]`, a list of single-key objects.
    #[default]
    List,
    /// Spec: `{"<id>": {...}}`, an object keyed by template id.
    Object,
}

/// Template results in order, as `(template_id, result)` pairs.
///
/// One template may yield several documents, so an id can appear more than
/// once. Reads both wire shapes and writes the shape it read.
///
/// ```
/// use scribe_protocol::session::Templates;
///
/// let eka: Templates = serde_json::from_str(r#"[
///     {"clinical_notes_template": {"status": "success", "data": {"a": 1}}},
///     {"clinical_notes_template": {"status": "success", "data": {"a": 2}}}
/// ]"#)?;
/// assert_eq!(eka.len(), 2);
/// assert_eq!(eka.get_all("clinical_notes_template").count(), 2);
///
/// let spec: Templates = serde_json::from_str(r#"{"soap": {"status": "processing"}}"#)?;
/// assert!(spec.get("soap").is_some());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Templates {
    entries: Vec<(String, TemplateResult)>,
    shape: TemplatesShape,
}

impl Templates {
    /// Empty results to be written in `shape`.
    pub fn new(shape: TemplatesShape) -> Self {
        Templates {
            entries: Vec::new(),
            shape,
        }
    }

    /// Appends a result.
    pub fn push(&mut self, template_id: impl Into<String>, result: TemplateResult) {
        self.entries.push((template_id.into(), result));
    }

    /// The shape this value is written in.
    pub fn shape(&self) -> TemplatesShape {
        self.shape
    }

    /// Changes the shape this value is written in. The object shape cannot
    /// hold two results for one id without repeating a JSON key.
    pub fn set_shape(&mut self, shape: TemplatesShape) {
        self.shape = shape;
    }

    /// Number of results (documents), counting repeated ids.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no results.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All results in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &TemplateResult)> {
        self.entries
            .iter()
            .map(|(id, result)| (id.as_str(), result))
    }

    /// The first result for `template_id`.
    pub fn get(&self, template_id: &str) -> Option<&TemplateResult> {
        self.entries
            .iter()
            .find(|(id, _)| id == template_id)
            .map(|(_, result)| result)
    }

    /// Every result for `template_id`, in order.
    pub fn get_all<'a>(&'a self, template_id: &'a str) -> impl Iterator<Item = &'a TemplateResult> {
        self.entries
            .iter()
            .filter(move |(id, _)| id == template_id)
            .map(|(_, result)| result)
    }

    /// Distinct template ids, in first-seen order.
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for (id, _) in &self.entries {
            if !ids.contains(&id.as_str()) {
                ids.push(id);
            }
        }
        ids
    }

    /// Whether every result has finished (succeeded or failed).
    pub fn all_finished(&self) -> bool {
        self.entries.iter().all(|(_, result)| {
            matches!(
                result.status,
                TemplateStatus::Success | TemplateStatus::Failed
            )
        })
    }
}

impl<'a> IntoIterator for &'a Templates {
    type Item = (&'a str, &'a TemplateResult);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, TemplateResult)>,
        fn(&'a (String, TemplateResult)) -> (&'a str, &'a TemplateResult),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries
            .iter()
            .map(|(id, result)| (id.as_str(), result))
    }
}

impl FromIterator<(String, TemplateResult)> for Templates {
    /// Collects into the Eka (list) shape.
    fn from_iter<I: IntoIterator<Item = (String, TemplateResult)>>(iter: I) -> Self {
        Templates {
            entries: iter.into_iter().collect(),
            shape: TemplatesShape::List,
        }
    }
}

impl Serialize for Templates {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.shape {
            TemplatesShape::List => {
                struct Single<'a>(&'a str, &'a TemplateResult);
                impl Serialize for Single<'_> {
                    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        let mut map = serializer.serialize_map(Some(1))?;
                        map.serialize_entry(self.0, self.1)?;
                        map.end()
                    }
                }
                let mut seq = serializer.serialize_seq(Some(self.entries.len()))?;
                for (id, result) in &self.entries {
                    seq.serialize_element(&Single(id, result))?;
                }
                seq.end()
            }
            TemplatesShape::Object => {
                let mut map = serializer.serialize_map(Some(self.entries.len()))?;
                for (id, result) in &self.entries {
                    map.serialize_entry(id, result)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Templates {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TemplatesVisitor;

        impl<'de> Visitor<'de> for TemplatesVisitor {
            type Value = Templates;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("template results: a list of single-key objects or an object keyed by template id")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Templates, A::Error> {
                let mut templates = Templates::new(TemplatesShape::List);
                while let Some(Element(entries)) = seq.next_element::<Element>()? {
                    for (id, result) in entries {
                        templates.push(id, result);
                    }
                }
                Ok(templates)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Templates, A::Error> {
                let mut templates = Templates::new(TemplatesShape::Object);
                while let Some((id, result)) = map.next_entry::<String, TemplateResult>()? {
                    templates.push(id, result);
                }
                Ok(templates)
            }
        }

        deserializer.deserialize_any(TemplatesVisitor)
    }
}

/// The entries of one list element, `{"<id>": {...}}`, read as a sequence of
/// pairs so that an element is never silently merged or dropped.
struct Element(Vec<(String, TemplateResult)>);

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ElementVisitor;

        impl<'de> Visitor<'de> for ElementVisitor {
            type Value = Element;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object {\"<template_id>\": {\"status\", \"data\", \"error\"}}")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, TemplateResult>()? {
                    entries.push(entry);
                }
                if entries.is_empty() {
                    return Err(de::Error::custom(
                        "an element of `templates` is an empty object",
                    ));
                }
                Ok(Element(entries))
            }
        }

        deserializer.deserialize_map(ElementVisitor)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Templates {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Templates")
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let result = generator.subschema_for::<TemplateResult>();
        schemars::json_schema!({
            "description": "Template results: a list of single-key objects (Eka; ids may repeat, order matters) or an object keyed by template id (spec).",
            "anyOf": [
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": result,
                        "minProperties": 1
                    }
                },
                {
                    "type": "object",
                    "additionalProperties": result
                }
            ]
        })
    }
}

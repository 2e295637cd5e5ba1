//! `GET /v1/templates`: the templates a server offers.

use serde::{Deserialize, Serialize};

use crate::Extra;
use crate::tolerant::keep_nulls;

/// The answer to `GET /v1/templates`: `{"templates": [{"id", "name", "description"}]}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TemplateList {
    /// The templates on offer.
    pub templates: Vec<TemplateInfo>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl TemplateList {
    /// The template with this id.
    pub fn get(&self, id: &str) -> Option<&TemplateInfo> {
        self.templates.iter().find(|template| template.id == id)
    }

    /// Whether a template with this id is on offer.
    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }
}

/// One template on offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "TemplateInfo")
)]
pub struct TemplateInfo {
    /// Id to request in `templates`.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the template extracts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(TemplateInfo { name, description });

impl TemplateInfo {
    /// A template with only its id set.
    pub fn new(id: impl Into<String>) -> Self {
        TemplateInfo {
            id: id.into(),
            name: None,
            description: None,
            extra: Extra::new(),
        }
    }
}

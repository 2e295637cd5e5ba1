//! `scribe templates` and `scribe discovery`.

use crate::cli::{Global, ServerArgs};
use crate::connect::connect;
use crate::exit::Exit;
use crate::output;

pub async fn templates(global: &Global, server: ServerArgs) -> Result<Exit, scribe::Error> {
    let connection = connect(global, server.local).await?;
    let list = connection.client.templates().await?;
    if server.json {
        output::json(&serde_json::to_value(&list).unwrap_or_default());
        return Ok(Exit::Ok);
    }
    let mut text = String::new();
    for template in &list.templates {
        text.push_str(&template.id);
        if let Some(name) = template.name.as_deref().filter(|n| !n.is_empty()) {
            text.push_str(&format!("  {name}"));
        }
        if let Some(description) = template.description.as_deref().filter(|d| !d.is_empty()) {
            text.push_str(&format!(": {description}"));
        }
        text.push('\n');
    }
    output::stdout(&text);
    Ok(Exit::Ok)
}

pub async fn discovery(global: &Global, server: ServerArgs) -> Result<Exit, scribe::Error> {
    let connection = connect(global, server.local).await?;
    let document = connection.client.discovery().await?;
    output::json(&serde_json::to_value(&*document).unwrap_or_default());
    Ok(Exit::Ok)
}

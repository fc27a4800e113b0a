//! The JSON Schema dialect of a document, and what OAS 3.0's dialect needs rewritten.

use jsonschema::Draft;
use serde_json::{Value, json};

/// The draft named by `jsonSchemaDialect` (2020-12 when absent or unknown, as OAS 3.1 says).
pub(super) fn dialect_draft(dialect: Option<&str>) -> Draft {
    match dialect {
        Some(d) if d.contains("draft-04") => Draft::Draft4,
        Some(d) if d.contains("draft-06") => Draft::Draft6,
        Some(d) if d.contains("draft-07") => Draft::Draft7,
        Some(d) if d.contains("2019-09") => Draft::Draft201909,
        _ => Draft::Draft202012,
    }
}

/// OAS 3.0's `nullable: true` means the value may also be `null`.
pub(super) fn rewrite_nullable(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                match map.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = t.clone();
                        map.insert("type".to_owned(), json!([t, "null"]));
                    }
                    Some(Value::Array(types)) if !types.contains(&json!("null")) => {
                        types.push(json!("null"))
                    }
                    _ => {}
                }
                if let Some(Value::Array(values)) = map.get_mut("enum")
                    && !values.contains(&Value::Null)
                {
                    values.push(Value::Null);
                }
            }
            map.values_mut().for_each(rewrite_nullable);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_nullable),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_type() {
        let mut schema = json!({"type": "object", "properties": {"a": {"type": "string", "nullable": true, "enum": ["x"]}}});
        rewrite_nullable(&mut schema);
        assert_eq!(schema["properties"]["a"]["type"], json!(["string", "null"]));
        assert_eq!(schema["properties"]["a"]["enum"], json!(["x", null]));
    }
}

/// Writes a generated multi-file API set into `dir` and returns the paths of its documents
/// (the files `check` is given), in order: `documents` OpenAPI documents `api-N.json`, each
/// referring to one large `common.json` (every document refers to it) and to a `part-N.json`
/// that starts a chain of references between files (`part-N` refers to `part-N+1`, in chains
/// of ten; the common file has chains of twenty schemas). Each document has a few mistakes for `check` to find (an unknown path parameter,
/// a body pointer the schema does not declare, an invalid callback key), so that the
/// diagnostics of the set mean something. The set is `2 × documents + 1` files.
pub fn generated_set(
    dir: &std::path::Path,
    documents: usize,
) -> std::io::Result<Vec<std::path::PathBuf>> {
    use serde_json::{Map, Value, json};
    std::fs::create_dir_all(dir)?;
    let write = |name: &str, value: &Value| -> std::io::Result<std::path::PathBuf> {
        let path = dir.join(name);
        std::fs::write(
            &path,
            serde_json::to_string_pretty(value).unwrap_or_default(),
        )?;
        Ok(path)
    };
    // The common file: many schemas, each with properties and references inside the file.
    let schemas = 2_000;
    let mut common = Map::new();
    for i in 0..schemas {
        let mut properties = Map::new();
        for p in 0..8 {
            properties.insert(
                format!("field{p}"),
                json!({"type": "string", "description": format!("field {p} of schema {i}")}),
            );
        }
        properties.insert(
            "callbackUrl".to_owned(),
            json!({"type": "string", "format": "uri"}),
        );
        // Chains of twenty schemas inside the file.
        if i % 20 != 19 {
            properties.insert(
                "next".to_owned(),
                json!({"$ref": format!("#/components/schemas/S{}", i + 1)}),
            );
        }
        common.insert(
            format!("S{i}"),
            json!({"type": "object", "properties": properties}),
        );
    }
    write(
        "common.json",
        &json!({"openapi": "3.1.0", "info": {"title": "common", "version": "1"}, "components": {"schemas": common}}),
    )?;
    // Chains of references between files.
    for i in 0..documents {
        let next = if (i + 1) % 10 == 0 || i + 1 == documents {
            json!({"type": "object", "properties": {"end": {"type": "boolean"}}})
        } else {
            json!({"$ref": format!("part-{}.json#/components/schemas/Part", i + 1)})
        };
        write(
            &format!("part-{i}.json"),
            &json!({"openapi": "3.1.0", "info": {"title": format!("part {i}"), "version": "1"},
            "components": {"schemas": {"Part": {"type": "object", "properties": {
                "id": {"type": "string"},
                "common": {"$ref": format!("common.json#/components/schemas/S{}", i % schemas)},
                "next": next
            }}}}}),
        )?;
    }
    let mut paths = Vec::new();
    for i in 0..documents {
        let common_schema = format!("common.json#/components/schemas/S{}", (i * 7) % schemas);
        let part = format!("part-{i}.json#/components/schemas/Part");
        let document = json!({
            "openapi": "3.1.0",
            "info": {"title": format!("api {i}"), "version": "1"},
            "paths": {
                format!("/subscriptions/{{id}}"): {"post": {
                    "operationId": format!("subscribe{i}"),
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": common_schema}}}},
                    "responses": {"201": {
                        "description": "created",
                        "content": {"application/json": {"schema": {"$ref": part}}},
                        "links": {"self": {"operationId": format!("get{i}"), "parameters": {"id": "$response.body#/id", "typo": "$response.body#/nope"}}}
                    }},
                    "callbacks": {"event": {
                        "{$request.body#/callbackUrl}?id={$request.path.id}": {"post": {
                            "requestBody": {"content": {"application/json": {"schema": {"$ref": part}}}},
                            "responses": {"200": {"description": "ok"}}
                        }},
                        "{$request.body#/callbackUrl}/{$request.path.subscriptionId}": {"post": {
                            "responses": {"200": {"description": "ok"}}
                        }},
                        "{request.body#/callbackUrl}": {"post": {
                            "responses": {"200": {"description": "ok"}}
                        }}
                    }}
                }},
                format!("/subscriptions/{{id}}/state"): {"get": {
                    "operationId": format!("get{i}"),
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": common_schema}}}}}
                }}
            }
        });
        paths.push(write(&format!("api-{i}.json"), &document)?);
    }
    Ok(paths)
}

/// Writes a web of `files` interlinked files (`web-N.json`, each with schemas that refer to
/// schemas of several other files) and a small document `small.json` whose request body refers
/// to one schema, `web-0.json#/components/schemas/Chain`, which leads through `web-1` … to
/// `web-{chain - 1}` and no further. Returns the small document's path.
pub fn generated_web(
    dir: &std::path::Path,
    files: usize,
    chain: usize,
) -> std::io::Result<std::path::PathBuf> {
    use serde_json::{Map, json};
    std::fs::create_dir_all(dir)?;
    for k in 0..files {
        let mut schemas = Map::new();
        let link = if k + 1 < chain {
            json!({"$ref": format!("web-{}.json#/components/schemas/Chain", k + 1)})
        } else {
            json!({"type": "string"})
        };
        schemas.insert("Chain".to_owned(), json!({"type": "object", "properties": {"callbackUrl": {"type": "string"}, "next": link}}));
        for m in 0..5 {
            schemas.insert(
                format!("Other{m}"),
                json!({"type": "object", "properties": {"other": {"$ref": format!("web-{}.json#/components/schemas/Other{m}", (k * 5 + m + 1) % files)}}}),
            );
        }
        let web = json!({"openapi": "3.1.0", "info": {"title": format!("web {k}"), "version": "1"}, "components": {"schemas": schemas}});
        std::fs::write(dir.join(format!("web-{k}.json")), web.to_string())?;
    }
    let small = json!({"openapi": "3.1.0", "info": {"title": "small", "version": "1"}, "paths": {"/s": {"post": {
        "operationId": "s",
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "web-0.json#/components/schemas/Chain"}}}},
        "responses": {"202": {"description": "accepted"}},
        "callbacks": {"done": {"{$request.body#/callbackUrl}": {"post": {"responses": {"200": {"description": "ok"}}}}}}
    }}}});
    let path = dir.join("small.json");
    std::fs::write(&path, small.to_string())?;
    Ok(path)
}

/// A JSON OpenAPI 3.1 document with `n` operations, each with one callback (a two-expression
/// template key) and one link: the shape of a large real API, made up.
pub fn generated_document(n: usize) -> String {
    let mut paths = serde_json::Map::new();
    for i in 0..n {
        paths.insert(
            format!("/op{i}"),
            serde_json::json!({
                "post": {
                    "operationId": format!("op{i}"),
                    "parameters": [{"name": "tenant", "in": "query", "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"id": {"type": "string"}, "email": {"type": "string"}}
                    }}}},
                    "responses": {"202": {
                        "description": "accepted",
                        "content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}},
                        "links": {"status": {"operationId": format!("op{}", (i + 1) % n), "parameters": {"id": "$response.body#/id"}}}
                    }},
                    "callbacks": {"done": {
                        format!("https://notify.example/{i}?id={{$request.body#/id}}&email={{$request.body#/email}}&tenant={{$request.query.tenant}}"): {
                            "post": {
                                "operationId": format!("done{i}"),
                                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                                "responses": {"200": {"description": "ok"}}
                            }
                        }
                    }}
                }
            }),
        );
    }
    let doc = serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "generated", "version": "1"},
        "paths": paths
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

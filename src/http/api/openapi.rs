//! The OpenAPI 3.1 document, built from [`ROUTES`] and the views' JSON schemas.

use super::routes::ROUTES;
use crate::event::{name_of, DecisionStatus, Outcome};
use schemars::generate::SchemaSettings;
use serde_json::{json, Value};

pub fn document() -> Value {
    let settings = SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into());
    let mut generator = settings.into_generator();
    let mut paths = serde_json::Map::new();
    for r in ROUTES {
        let mut params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        params.extend(r.query.iter().map(|(name, description)| {
            let schema = match *name {
                "outcome" => json!({"type": "string", "enum": Outcome::ALL.map(|o| name_of(&o))}),
                "status" => json!({"type": "string", "enum": DecisionStatus::ALL.map(|s| name_of(&s))}),
                _ => json!({"type": "string"}),
            };
            json!({"name": name, "in": "query", "required": *name == "name", "description": description, "schema": schema})
        }));
        let ok_status = if r.method == "post" && r.path != "/api/verify-minutes" { "201" } else { "200" };
        let mut responses = serde_json::Map::new();
        let (media, response) = r.response;
        let body_schema = response(&mut generator);
        responses
            .insert(ok_status.into(), json!({"description": "success", "content": {media: {"schema": body_schema}}}));
        for (status, what) in r.errors {
            responses.insert(
                status.to_string(),
                json!({"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
            );
        }
        let mut op = json!({"summary": r.summary, "parameters": params, "responses": responses});
        if let Some((mime, request)) = r.body {
            op["requestBody"] = json!({"required": true, "content": {mime: {"schema": request(&mut generator)}}});
            op["security"] = if r.path == "/api/verify-minutes" { json!([]) } else { json!([{"bearer": []}]) };
        }
        paths.entry(r.path).or_insert_with(|| json!({}))[r.method] = op;
    }
    let mut schemas = generator.take_definitions(true);
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {"title": "protokol", "version": env!("CARGO_PKG_VERSION"), "description": "A committee's record as a tamper-evident decision ledger"},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        }
    })
}

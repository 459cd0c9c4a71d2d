//! The HTTP API over real HTTP, on both engines: health, status, errors, metrics, OpenAPI,
//! and the server-rendered wall.

use crate::support::{Engine, TestApp, TestDb};

async fn health_and_readiness(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!((status, body), (200, serde_json::json!({"status": "ok"})));
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        serde_json::json!({"ready": true, "database": true, "migrations": true, "draining": false})
    );
    app.stop().await;
    db.drop().await;
}

async fn status_reports_this_node_and_its_database(engine: Engine) {
    let db = TestDb::new(engine).await;
    let mut config = db.config();
    config.node_name = Some("wall-test-node".to_owned());
    let app = TestApp::spawn(config).await;
    let (status, body) = app.get_json("/api/v1/status").await;
    assert_eq!(status, 200);
    let engine_name = match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    };
    assert_eq!(body["db"]["engine"], engine_name);
    assert_eq!(body["db"]["reachable"], true);
    assert_eq!(body["db"]["migrations_current"], true);
    assert_eq!(body["demo"], false);
    assert_eq!(body["node"]["name"], "wall-test-node");
    assert_eq!(body["node"]["listen"], app.addr.to_string());
    let nodes = body["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["id"], body["node"]["id"]);
    assert_eq!(nodes[0]["alive"], true);
    app.stop().await;
    db.drop().await;
}

async fn errors_use_one_shape(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;

    let (status, body) = app.get_json("/api/v1/no-such-thing").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().unwrap().len() > 3);

    let r = app
        .http
        .post(app.url("/api/v1/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");

    let (status, body) = app.get_json("/api/v1/stream?last_event_id=garbage").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_query");
    app.stop().await;
    db.drop().await;
}

async fn request_ids_are_set_and_propagated(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let r = app.get("/healthz").await;
    let id = r.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    let r = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "from-the-proxy-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "from-the-proxy-42");
    app.stop().await;
    db.drop().await;
}

async fn metrics_are_prometheus_text(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    app.get("/healthz").await;
    let r = app.get("/metrics").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = r.text().await.unwrap();
    for needle in [
        "hangar_build_info{version=\"0.1.0\"} 1",
        "hangar_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}",
        "hangar_http_request_duration_seconds_bucket",
        "hangar_stream_events_published_total",
        "hangar_db_up",
    ] {
        assert!(text.contains(needle), "missing {needle} in:\n{text}");
    }
    app.stop().await;
    db.drop().await;
}

async fn openapi_documents_every_route(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    // A client that does not decompress by itself, to see what travels.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let r = raw
        .get(app.url("/api/v1/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["content-encoding"],
        "gzip",
        "responses are compressed"
    );
    let bytes = r.bytes().await.unwrap();
    let mut json = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut json)
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/healthz",
        "/readyz",
        "/api/v1/status",
        "/api/v1/stream",
        "/api/v1/sources",
        "/api/v1/sources/{id}",
        "/api/v1/runs",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} undocumented");
    }
    for path in [
        "/api/v1/sources",
        "/api/v1/sources/{id}/pause",
        "/api/v1/sources/{id}/resume",
        "/hooks/uipath/{source}",
        "/hooks/aa/{source}",
    ] {
        assert!(
            doc["paths"][path]["post"].is_object(),
            "POST {path} undocumented"
        );
    }
    assert!(doc["paths"]["/api/v1/sources/{id}"]["delete"].is_object());
    for schema in [
        "ApiError",
        "SystemStatus",
        "ErrorCode",
        "SourceSpec",
        "SourceView",
        "Run",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
    app.stop().await;
    db.drop().await;
}

async fn wall_is_rendered_on_the_server(engine: Engine) {
    let db = TestDb::new(engine).await;
    // Stand-in browser assets, so the page references a versioned pkg path we can fetch.
    let pkg = db.dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("hangar_wall.js"), "export default function(){}").unwrap();
    std::fs::write(pkg.join("hangar_wall_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let mut config = db.config();
    config.demo = true;
    let app = TestApp::spawn(config).await;

    let r = app.get("/").await;
    assert_eq!(r.status().as_u16(), 307);
    assert_eq!(r.headers()["location"], "/wall");

    let html = app.get("/wall").await.text().await.unwrap();
    assert!(html.contains(r#"id="wall""#), "{html}");
    assert!(
        html.contains(r#"data-hydrated="no""#),
        "the server never claims hydration"
    );
    assert!(html.contains("DEMO"), "a demo wall says so");
    assert!(html.contains(r#"lang="en""#));
    // The first frame already carries data: no empty wall while the wasm loads.
    assert!(html.contains("SQLite") || html.contains("PostgreSQL"));

    let zh = app.get("/wall?lang=zh-CN").await.text().await.unwrap();
    assert!(zh.contains(r#"lang="zh-CN""#));
    assert!(zh.contains("运维监控墙"));

    let start = html.find("/pkg/").expect("asset path in the page");
    let path: String = html[start..].chars().take_while(|c| *c != '"').collect();
    assert!(path.ends_with("/hangar_wall.js"), "{path}");
    let r = app.get(&path).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    app.stop().await;
    db.drop().await;
}

on_both_engines!(
    health_and_readiness,
    status_reports_this_node_and_its_database,
    errors_use_one_shape,
    request_ids_are_set_and_propagated,
    metrics_are_prometheus_text,
    openapi_documents_every_route,
    wall_is_rendered_on_the_server,
);

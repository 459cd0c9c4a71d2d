//! Several nodes on one database see each other; a node that stops leaves the list.
//! This is what PostgreSQL is for; SQLite (one file, one host) must behave the same.

use std::time::Duration;

use crate::support::{Engine, TestApp, TestDb};

async fn node_ids(app: &TestApp) -> Vec<String> {
    let (_, body) = app.get_json("/api/v1/status").await;
    body["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn nodes_sharing_a_database_see_each_other(engine: Engine) {
    let db = TestDb::new(engine).await;
    let mut one = db.config();
    one.node_name = Some("node-a".to_owned());
    let mut two = db.config();
    two.node_name = Some("node-b".to_owned());
    let (a, b) = tokio::join!(TestApp::spawn(one), TestApp::spawn(two));

    assert_eq!(node_ids(&a).await, vec!["node-a", "node-b"]);
    assert_eq!(node_ids(&b).await, vec!["node-a", "node-b"]);

    b.stop().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        node_ids(&a).await,
        vec!["node-a"],
        "a stopped node deregisters"
    );
    a.stop().await;
    db.drop().await;
}

on_both_engines!(nodes_sharing_a_database_see_each_other);

//! The store contract, on SQLite and on PostgreSQL alike.

use std::sync::Arc;

use crate::support::{Engine, TestDb};
use chrono::{Duration, Utc};
use hangar_model::{DbEngine, NodeId};
use hangar_server::config::DatabaseConfig;
use hangar_server::store::{self, NodeRecord, Store};
use secrecy::SecretString;

async fn open(db: &TestDb) -> Arc<dyn Store> {
    store::connect(
        &SecretString::from(db.url.clone()),
        &DatabaseConfig::default(),
    )
    .await
    .expect("connects")
}

fn node(name: &str, seen_secs_ago: i64) -> NodeRecord {
    let now = Utc::now();
    NodeRecord {
        id: NodeId(uuid::Uuid::new_v4()),
        name: name.to_owned(),
        version: "0.1.0".to_owned(),
        listen: "127.0.0.1:8080".to_owned(),
        started_at: now - Duration::seconds(seen_secs_ago + 60),
        last_seen_at: now - Duration::seconds(seen_secs_ago),
    }
}

async fn migrations_apply_once_and_report_current(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = open(&db).await;
    let expected = match engine {
        Engine::Sqlite => DbEngine::Sqlite,
        Engine::Postgres => DbEngine::Postgres,
    };
    assert_eq!(store.engine(), expected);
    assert!(
        !store.migrations_current().await.unwrap(),
        "fresh database has none"
    );
    store.migrate().await.unwrap();
    assert!(store.migrations_current().await.unwrap());
    store.migrate().await.expect("running again is a no-op");
    assert!(store.ping().await.is_ok());
    let pool = store.pool_stats();
    assert!(pool.size >= 1 && pool.idle <= pool.size, "{pool:?}");
    store.close().await;
    db.drop().await;
}

async fn concurrent_migrations_from_several_nodes_agree(engine: Engine) {
    let db = TestDb::new(engine).await;
    let stores = futures::future::join_all((0..3).map(|_| open(&db))).await;
    let results = futures::future::join_all(stores.iter().map(|s| s.migrate())).await;
    for r in results {
        r.expect("every node's migrate succeeds");
    }
    for s in &stores {
        assert!(s.migrations_current().await.unwrap());
        s.close().await;
    }
    db.drop().await;
}

async fn nodes_register_update_and_list(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = open(&db).await;
    store.migrate().await.unwrap();

    let a = node("alpha", 0);
    let b = node("bravo", 0);
    store.upsert_node(&b).await.unwrap();
    store.upsert_node(&a).await.unwrap();
    let listed = store.list_nodes().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].name, "alpha", "ordered by name");
    // Timestamps survive the round trip to the microsecond on both engines.
    let back = &listed[0];
    assert_eq!(back.id, a.id);
    assert_eq!(
        back.started_at.timestamp_micros(),
        a.started_at.timestamp_micros()
    );

    let renamed = NodeRecord {
        name: "alpha-2".to_owned(),
        ..a.clone()
    };
    store.upsert_node(&renamed).await.unwrap();
    let listed = store.list_nodes().await.unwrap();
    assert_eq!(listed.len(), 2, "upsert updates, never duplicates");
    assert!(listed.iter().any(|n| n.name == "alpha-2"));

    store.remove_node(b.id).await.unwrap();
    let listed = store.list_nodes().await.unwrap();
    assert_eq!(listed.iter().map(|n| n.id).collect::<Vec<_>>(), vec![a.id]);
    store.close().await;
    db.drop().await;
}

async fn heartbeats_move_forward_only(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = open(&db).await;
    store.migrate().await.unwrap();
    let n = node("alpha", 30);
    store.upsert_node(&n).await.unwrap();

    let later = n.last_seen_at + Duration::seconds(20);
    assert!(store.touch_node(n.id, later).await.unwrap());
    let seen = store.list_nodes().await.unwrap()[0].last_seen_at;
    assert_eq!(seen.timestamp_micros(), later.timestamp_micros());

    // A clock that steps back does not make the node look older.
    assert!(store.touch_node(n.id, n.last_seen_at).await.unwrap());
    let seen = store.list_nodes().await.unwrap()[0].last_seen_at;
    assert_eq!(seen.timestamp_micros(), later.timestamp_micros());

    let stranger = NodeId(uuid::Uuid::new_v4());
    assert!(
        !store.touch_node(stranger, later).await.unwrap(),
        "unknown node says so"
    );
    store.close().await;
    db.drop().await;
}

async fn pruning_forgets_only_long_silent_nodes(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = open(&db).await;
    store.migrate().await.unwrap();
    let fresh = node("fresh", 5);
    let stale = node("stale", 3 * 86_400);
    store.upsert_node(&fresh).await.unwrap();
    store.upsert_node(&stale).await.unwrap();
    let pruned = store
        .prune_nodes(Utc::now() - Duration::days(1))
        .await
        .unwrap();
    assert_eq!(pruned, 1);
    let left = store.list_nodes().await.unwrap();
    assert_eq!(
        left.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![fresh.id]
    );
    store.close().await;
    db.drop().await;
}

on_both_engines!(
    migrations_apply_once_and_report_current,
    concurrent_migrations_from_several_nodes_agree,
    nodes_register_update_and_list,
    heartbeats_move_forward_only,
    pruning_forgets_only_long_silent_nodes,
);

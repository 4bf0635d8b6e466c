//! The shared conformance suite on one Redis server and on a Redis Cluster.
session_conformance::suite!(session_backend_redis::testing::RedisHarness::default());
session_conformance::suite!(cluster => session_backend_redis::testing::RedisHarness::cluster());

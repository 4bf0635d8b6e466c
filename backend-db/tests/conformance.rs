//! The shared conformance suite on each engine of the db store.
session_conformance::suite!(session_backend_db::testing::DbHarness::default());
session_conformance::suite!(sqlite_memory => session_backend_db::testing::DbHarness::memory());
session_conformance::suite!(sqlx_sqlite => session_backend_db::testing::DbHarness::sqlx_sqlite());
session_conformance::suite!(sqlx_sqlite_memory => session_backend_db::testing::DbHarness::sqlx_sqlite_memory());
session_conformance::suite!(postgres => session_backend_db::testing::DbHarness::postgres());
session_conformance::suite!(mysql => session_backend_db::testing::DbHarness::mysql());

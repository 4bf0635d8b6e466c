//! The one list of checks. [`suite!`](crate::suite) stamps a test per
//! entry, and [`checks`](crate::checks) defines a function per entry and
//! [`run`](crate::run) calls them all, so the list is written once.

/// Calls the macro `$cb` with `($args)` followed by one
/// `[module, check_name, [rules], "doc"]` entry per check.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_checks {
    ($($cb:ident)::+ ! ( $($args:tt)* )) => {
        $($cb)::+ ! { ( $($args)* )
            // ----- keys -----
            [keys, k1_created_keys_are_32_lowercase_alphanumerics, ["K1"],
                "K1: keys drawn by `create` and by a session's first save are 32 characters of `[a-z0-9]`, never repeat, and come from the store's key generator."]
            [keys, k2_malformed_keys_never_reach_the_engine, ["K2"],
                "K2: keys of the wrong length or alphabet (traversal, upper case, 41 characters) load as absent, do not exist, delete quietly, and a session opened with one saves under a fresh key."]
            [keys, k2_saves_to_malformed_keys_write_nothing, ["K2", "L1"],
                "K2: a save under a malformed key fails as Interrupted and writes nothing."]
            [keys, k2_keys_of_8_to_40_characters_are_accepted, ["K2"],
                "K2: stores hold keys of 8 and of 40 characters (Django's varchar(40)) and tell keys apart by case."]
            [keys, k3_unknown_key_loads_empty_and_is_dropped, ["K3"],
                "K3: a session opened with an unknown or invalid key is empty, drops the key, and its save creates a fresh key (Django's test_invalid_key)."]
            [keys, k3_expired_key_is_dropped_not_adopted, ["K3", "E5"],
                "K3: a session opened with an expired key is empty and saving it never adopts the old key."]
            [keys, k3_load_never_creates_a_record, ["K3"],
                "K3: loading an unknown key creates no record (Django's test_session_load_does_not_create_record)."]
            [collision, k4_create_never_overwrites_a_taken_key, ["K4"],
                "K4: with a generator stuck on one key, a second create fails with KeyCollision and the first record is intact."]
            [collision, k4_create_draws_another_key_after_a_collision, ["K4"],
                "K4: a create or a session's first save whose drawn key is taken draws another key and succeeds; the record under the taken key is intact."]
            [races, k4_concurrent_creates_with_one_forced_key_leave_one_holder, ["K4"],
                "K4: 1,000 concurrent creates on one forced key give exactly one holder, whose record is the one stored."]
            [races, k4_cross_instance_creates_with_one_forced_key_leave_one_holder, ["K4"],
                "K4: the same race with half the creates on a second store instance over the same engine (a second process) still gives exactly one holder."]
            // ----- data -----
            [data, d1_values_round_trip_exactly, ["D1"],
                "D1: unicode, control characters, full i64/u64 integers, floats, null, empty and nested values and key order round-trip exactly through the store."]
            [data, d1_python_values_round_trip_exactly, ["D1"],
                "D1: what Python's json writes and Rust's JSON types cannot hold (integers beyond 64 bits, NaN, Infinity, -Infinity, lone surrogates in values and keys, in pyjson's in-band forms) round-trips exactly through the store and the session, and is written as Python writes it."]
            [data, d1_nesting_to_the_limit_round_trips_and_deeper_is_refused, ["D1", "R2"],
                "D1: data nested MAX_DEPTH (100) levels deep round-trips; one level deeper is refused at create and save with a Serialization error, and the previous record still loads."]
            [data, d1_handle_values_round_trip_through_save_and_load, ["D1", "D2"],
                "D1: the same values written through the session handle read back identically, typed and untyped, after a reload."]
            [concurrency, d1_concurrent_sessions_stay_isolated, ["D1"],
                "D1: 500 sessions, all saved before any is read back, each read back only their own data."]
            [handle, d2_dict_api_follows_django, ["D2"],
                "D2: get, get_or, insert, contains, keys, values, items, len, pop, remove, setdefault, update, extend, clear, is_empty and the test cookie follow Django."]
            [handle, d2_typed_access_goes_through_serde, ["D2"],
                "D2: typed get and insert go through serde; a type mismatch is a Serialization error."]
            [handle, d3_reads_mark_accessed_but_not_modified, ["D3"],
                "D3: a fresh session is neither accessed nor modified; every read marks it accessed only."]
            [handle, d3_writes_mark_modified_only_on_change, ["D3"],
                "D3: writes mark modified only when they change something; saving never clears modified."]
            [loading, d4_unused_session_never_touches_the_store, ["D4"],
                "D4: a session that is never used, or that has no key, makes no store call."]
            [loading, d4_store_is_loaded_at_most_once, ["D4"],
                "D4: however many reads and writes, also concurrent ones through clones, a session loads once."]
            // ----- lifecycle -----
            [save, l1_save_after_delete_is_interrupted, ["L1"],
                "L1: saving a deleted record fails as Interrupted and writes nothing."]
            [save, l1_save_after_expiry_is_interrupted, ["L1", "E5"],
                "L1: saving a record at or after its expiry fails as Interrupted and writes nothing."]
            [save, l1_save_after_clear_expired_is_interrupted, ["L1", "L6"],
                "L1: saving a record removed by clear_expired fails as Interrupted and writes nothing."]
            [save, l1_save_of_an_unknown_key_is_interrupted, ["L1", "K3"],
                "L1: saving under a well-formed key that was never created fails as Interrupted and creates nothing."]
            [save, l1_save_updates_a_live_record, ["L1"],
                "L1: saving a live record replaces its data and expiry."]
            [save, l1_server_side_saves_keep_the_key, ["L1", "L5"],
                "L1: a server-side save keeps the key, and a session's record exists after its first save (Django's test_save)."]
            [save, l1_handle_save_creates_then_updates, ["L1"],
                "L1: a session's first save creates a record, later saves update it, and saving keeps the data (Django's test_save)."]
            [save, l1_handle_save_after_logout_elsewhere_is_interrupted, ["L1"],
                "L1: a session deleted or flushed by another request cannot be saved again (Django's no-resurrection test)."]
            [races, l1_logout_save_races_resurrect_nothing, ["L1"],
                "L1: 1,000 delete-versus-save races leave no record alive."]
            [races, l1_cross_instance_logout_save_races_resurrect_nothing, ["L1"],
                "L1: 1,000 delete-versus-save races with the delete and the save on two store instances over the same engine leave no record alive."]
            [lifecycle, l2_flush_empties_data_and_drops_key, ["L2"],
                "L2: flush empties the data, drops the key and marks the session accessed and modified."]
            [lifecycle, l2_flush_deletes_the_stored_record, ["L2"],
                "L2: flush deletes the stored record."]
            [lifecycle, l3_cycle_key_keeps_data_under_a_new_key, ["L3"],
                "L3: cycle_key keeps the data under the key it sets, also when the data was not loaded yet."]
            [lifecycle, l3_cycle_key_deletes_the_old_record, ["L3"],
                "L3: cycle_key moves the record to a new key and deletes the old one, also when it runs before any read."]
            [races, l3_cycle_key_beats_a_stale_concurrent_save, ["L3", "L1"],
                "L3: a stale save racing cycle_key never revives the old key or reaches the new one."]
            [races, l3_cross_instance_cycle_key_beats_a_stale_save, ["L3", "L1"],
                "L3: the same race with the stale save on a second store instance over the same engine never revives the old key or reaches the new one."]
            [lifecycle, l4_delete_of_a_missing_key_is_ok, ["L4"],
                "L4: deleting a missing, deleted or malformed key succeeds."]
            [lifecycle, l5_exists_iff_a_live_record_is_stored, ["L5"],
                "L5: exists is true exactly while a live record is stored, to the microsecond."]
            [lifecycle, l5_client_side_exists_is_always_false, ["L5"],
                "L5: a client-side store's exists is always false, even for a key that loads."]
            [lifecycle, l6_clear_expired_removes_exactly_the_expired, ["L6"],
                "L6: clear_expired removes the expired records, counts them, and keeps every live one."]
            // ----- expiry -----
            [expiry, e1_default_age_is_two_weeks_from_the_last_save, ["E1"],
                "E1: a session lives 1,209,600 seconds from its last save by default."]
            [expiry, e2_set_expiry_is_stored_in_djangos_representation, ["E2"],
                "E2: every set_expiry kind is stored under `_session_expiry` as Django stores it and survives a reload."]
            [expiry, e3_expiry_age_and_date_follow_django, ["E3"],
                "E3: expiry_age and expiry_date follow Django, with modification and expiry arguments and a custom age."]
            [expiry, e3_custom_age_sets_the_stored_expiry, ["E3", "E1"],
                "E3: a session with a custom age of one day is stored to expire, and expires, one day after its save."]
            [expiry, e4_expire_at_browser_close_follows_django, ["E4"],
                "E4: expire_at_browser_close follows the setting and the stored expiry; browser-close sessions are kept for the default age."]
            [enforcement, e5_expired_record_is_never_returned, ["E5"],
                "E5: a record stops loading exactly at its expiry instant, also one created already expired."]
            [enforcement, e5_every_expiry_kind_is_enforced_at_its_boundary, ["E5", "E2"],
                "E5: sessions with seconds, an instant, a duration, browser close and the default expire exactly at their boundary."]
            [enforcement, e5_integer_expiry_ends_at_its_instant, ["E5", "E2"],
                "E5: a session saved with set_expiry(n) ends exactly n seconds after its save, for n of one second, of one second less than the cookie age and (server-side stores) of an hour more than the cookie age; set_expiry(-3600) has ended it already (Django's test_clearsessions_command)."]
            [enforcement, e5_handle_drops_an_expired_session, ["E5"],
                "E5: a session saved with a past expiry loads empty (Django's test_actual_expiry)."]
            // ----- signing -----
            [signing, g1_client_side_key_is_djangos_signed_format, ["G1"],
                "G1: a client-side store's key is Django's signed_cookies value: signing.loads with the harness's secret reads back exactly the data, in order; current timestamp; compressed when shorter."]
            [signing, g2_tampered_keys_load_as_absent, ["G2", "K3"],
                "G2: truncated, extended or altered keys load as absent and are dropped by the session."]
            [signing, g2_validly_signed_bad_payloads_load_as_absent, ["G2", "K3"],
                "G2: keys with a valid signature over a payload that is not session data (a list, a number, bad base64, bad zlib, bad JSON) load as absent (Django's test_unpickling_exception)."]
            // ----- errors -----
            [errors, r1_errors_name_the_backend_and_operation, ["R1"],
                "R1: a server-side store's errors carry their kind, the backend's name and the operation."]
            [errors, r1_oversized_client_side_record_is_too_large, ["R1"],
                "R1: a client-side record too large for a 4,096-byte cookie is a TooLarge error naming the backend and the operation."]
            [errors, r1_corrupt_record_loads_as_absent, ["R1", "K3"],
                "R1: a record the store cannot decode loads as absent instead of failing."]
            [errors, r2_acknowledged_saves_survive_reopen, ["R2"],
                "R2: everything acknowledged before the store is reopened is there afterwards, expiring as before."]
            [errors, r2_deleted_records_stay_deleted_after_reopen, ["R2", "L2", "L3"],
                "R2: records deleted, flushed or cycled away before the store is reopened do not come back."]
            [concurrency, r2_concurrent_saves_never_tear_a_record, ["R2"],
                "R2: concurrent saves of one record are atomic: readers see one writer's record whole, never a mix."]
            // ----- property-based -----
            [property, l1_e5_model_random_sequences_match_the_reference, ["L1", "E5", "K2", "K3", "D1", "D3", "L2", "L3", "L4", "L5", "L6", "E2", "R2"],
                "L1, E5 (and K2, K3, D1, D3, L2..L6, E2, R2): random sequences of handle, store and clock operations give the same observable results on the store as on a reference model; failures shrink to a minimal sequence."]
            [property, l1_e5_differential_random_sequences_match_memory_store, ["L1", "E5", "K2", "K3", "D1", "D3", "L2", "L3", "L4", "L5", "L6", "E2"],
                "L1, E5 (and K2, K3, D1, D3, L2..L6, E2): the same random sequences give identical observable results on the store and on MemoryStore side by side."]
        }
    };
}

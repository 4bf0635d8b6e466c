//! Django's dictionary API on [`Session`]: reading, writing and the test cookie.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Session, TEST_COOKIE_NAME, TEST_COOKIE_VALUE};
use crate::error::{Operation, Result};
use crate::record::Data;

impl Session {
    // ----- reading ------------------------------------------------------

    /// A snapshot of the whole data. Marks the session accessed.
    pub async fn data(&self) -> Result<Arc<Data>> {
        self.read(Arc::clone).await
    }

    /// The value under `key` as JSON, or `None`.
    pub async fn get_value(&self, key: &str) -> Result<Option<Value>> {
        self.read(|data| data.get(key).cloned()).await
    }

    /// The value under `key` as `T`, or `None` when absent.
    ///
    /// # Errors
    /// [`ErrorKind::Serialization`](crate::ErrorKind::Serialization) when the stored value is not a `T`.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        match self.get_value(key).await? {
            None => Ok(None),
            Some(value) => self.decode_value(value, Operation::Get).map(Some),
        }
    }

    /// The value under `key` as `T`, or `default` when absent (Django's
    /// `get(key, default)`).
    pub async fn get_or<T: DeserializeOwned>(&self, key: &str, default: T) -> Result<T> {
        Ok(self.get(key).await?.unwrap_or(default))
    }

    /// Whether `key` is present (Django's `key in session`).
    pub async fn contains(&self, key: &str) -> Result<bool> {
        self.read(|data| data.contains_key(key)).await
    }

    /// The keys, in insertion order.
    pub async fn keys(&self) -> Result<Vec<String>> {
        self.read(|data| data.keys().cloned().collect()).await
    }

    /// The values, in insertion order.
    pub async fn values(&self) -> Result<Vec<Value>> {
        self.read(|data| data.values().cloned().collect()).await
    }

    /// The entries, in insertion order.
    pub async fn items(&self) -> Result<Vec<(String, Value)>> {
        self.read(|data| data.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .await
    }

    /// The number of entries.
    pub async fn len(&self) -> Result<usize> {
        self.read(|data| data.len()).await
    }

    // ----- writing ------------------------------------------------------

    /// Stores `value` under `key` and returns the previous value (Django's
    /// `session[key] = value`). Always marks the session modified.
    pub async fn insert<T: Serialize>(
        &self,
        key: impl Into<String>,
        value: T,
    ) -> Result<Option<Value>> {
        let value = self.encode_value(value)?;
        let key = key.into();
        self.write(move |data| (data.insert(key, value), true))
            .await
    }

    /// Removes `key` and returns its value (Django's `del` and `pop`).
    /// Marks the session modified only if the key was present (D3).
    pub async fn remove(&self, key: &str) -> Result<Option<Value>> {
        self.write(|data| {
            let old = data.shift_remove(key);
            let changed = old.is_some();
            (old, changed)
        })
        .await
    }

    /// Removes `key` and returns its value as `T`, or `default` when it was
    /// absent (Django's `pop(key, default)`). A value that is not a `T` is
    /// an error and stays in the session.
    pub async fn pop<T: DeserializeOwned>(&self, key: &str, default: T) -> Result<T> {
        let decoded = self
            .write(|data| match data.get(key) {
                None => (Ok(default), false),
                Some(value) => match serde_json::from_value::<T>(value.clone()) {
                    Ok(typed) => {
                        data.shift_remove(key);
                        (Ok(typed), true)
                    }
                    Err(err) => (Err(err), false),
                },
            })
            .await?;
        decoded.map_err(|err| self.decode_error(err, Operation::Get))
    }

    /// Returns the value under `key`, first inserting `value` when absent
    /// (Django's `setdefault`). Marks the session modified only on insert.
    pub async fn setdefault<T: Serialize>(
        &self,
        key: impl Into<String>,
        value: T,
    ) -> Result<Value> {
        let value = self.encode_value(value)?;
        let key = key.into();
        self.write(move |data| match data.get(&key) {
            Some(existing) => (existing.clone(), false),
            None => {
                data.insert(key, value.clone());
                (value, true)
            }
        })
        .await
    }

    /// Inserts every entry (Django's `update`). Always marks the session
    /// modified, even for no entries, as Django does.
    pub async fn update<I, K, V>(&self, entries: I) -> Result<()>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Serialize,
    {
        let entries = entries
            .into_iter()
            .map(|(k, v)| Ok((k.into(), self.encode_value(v)?)))
            .collect::<Result<Vec<_>>>()?;
        self.write(move |data| {
            data.extend(entries);
            ((), true)
        })
        .await
    }

    /// The same as [`update`](Session::update), under Rust's name.
    pub async fn extend<I, K, V>(&self, entries: I) -> Result<()>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Serialize,
    {
        self.update(entries).await
    }

    /// Empties the data without loading it; the key stays. Marks the session
    /// accessed and modified.
    pub fn clear(&self) {
        let mut state = self.state();
        state.data = Some(Arc::new(Data::new()));
        state.accessed = true;
        state.modified = true;
    }

    // ----- test cookie --------------------------------------------------

    /// Stores Django's test-cookie entry (`testcookie` = `worked`).
    pub async fn set_test_cookie(&self) -> Result<()> {
        self.insert(TEST_COOKIE_NAME, TEST_COOKIE_VALUE)
            .await
            .map(drop)
    }

    /// Whether the test-cookie entry holds `worked`.
    pub async fn test_cookie_worked(&self) -> Result<bool> {
        self.read(|data| data.get(TEST_COOKIE_NAME) == Some(&Value::from(TEST_COOKIE_VALUE)))
            .await
    }

    /// Removes the test-cookie entry; true if it was there.
    pub async fn delete_test_cookie(&self) -> Result<bool> {
        Ok(self.remove(TEST_COOKIE_NAME).await?.is_some())
    }
}

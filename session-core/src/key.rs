//! Session keys: how they are drawn (K1), which ones a store may accept (K2),
//! and the generator that tests replace to force collisions (K4).

use std::fmt;
use std::sync::Arc;

use rand::Rng;

/// The characters of a server-side key: Django's lowercase letters and digits,
/// chosen so keys stay distinct on case-insensitive file systems.
pub const KEY_ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Length of a generated key (K1): 32 characters, about 165 bits.
pub const KEY_LENGTH: usize = 32;

/// Shortest key a server-side store accepts: Django drops keys under 8 characters.
pub const MIN_SERVER_KEY_LENGTH: usize = 8;

/// Longest key a server-side store accepts: Django's `varchar(40)` column.
pub const MAX_SERVER_KEY_LENGTH: usize = 40;

/// Longest value accepted as a key at all: 8,192 bytes. A client-side
/// store's key is the cookie value. Browsers keep cookies of up to 4,096
/// bytes, and stores refuse to write larger ones, but Django writes (and
/// reads) larger signed-cookie sessions, which non-browser clients send
/// back; this bound lets those load while keeping what a client can make a
/// server verify small. 8 KB is also the longest header line common servers
/// accept by default (nginx's `large_client_header_buffers`).
pub const MAX_KEY_LENGTH: usize = 8192;

/// An opaque session key, cheap to clone.
///
/// A `SessionKey` holds 1 to [`MAX_KEY_LENGTH`] bytes of visible ASCII that
/// may appear in a cookie value (no space, `"`, `,`, `;` or `\`). That is
/// wide enough for a signed-cookie store, whose key *is* the signed data.
/// Whether a key can belong to a particular store is the store's decision:
/// every server-side store accepts only [`SessionKey::is_server_key`] keys
/// and treats any other as unknown without touching its engine (rule K2).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionKey(Arc<str>);

impl SessionKey {
    /// Parses a client-supplied value. `None` for an empty value, one over
    /// [`MAX_KEY_LENGTH`] bytes, or one with a character no cookie value may hold.
    pub fn parse(raw: &str) -> Option<Self> {
        let valid = !raw.is_empty()
            && raw.len() <= MAX_KEY_LENGTH
            && raw
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b',' | b';' | b'\\'));
        valid.then(|| Self(Arc::from(raw)))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True iff this key could be the key of a server-side store (rule K2):
    /// 8 to 40 characters, each in [`KEY_ALPHABET`].
    ///
    /// Django checks only the length (at least 8); the file backend alone
    /// checks the alphabet. Every store here checks both, so no key reaches
    /// a Redis key, an SQL query or a path unless it is plain `[a-z0-9]`.
    pub fn is_server_key(&self) -> bool {
        is_server_key(&self.0)
    }
}

/// True iff `raw` is 8 to 40 characters from [`KEY_ALPHABET`] (rule K2).
pub fn is_server_key(raw: &str) -> bool {
    (MIN_SERVER_KEY_LENGTH..=MAX_SERVER_KEY_LENGTH).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

impl fmt::Display for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Keys are secrets: `Debug` shows only a prefix.
impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.0.chars().take(4).collect();
        write!(f, "SessionKey({shown}…, {} chars)", self.0.len())
    }
}

impl AsRef<str> for SessionKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Draws candidate keys for new sessions.
///
/// Stores call it once per creation attempt. The default,
/// [`RandomKeys`], follows K1; tests substitute a generator that repeats
/// itself to prove that creation never overwrites (K4).
pub trait KeyGenerator: Send + Sync + fmt::Debug {
    /// A new candidate key.
    fn generate(&self) -> SessionKey;
}

/// A generator shared by a store and its tests.
pub type SharedKeyGenerator = Arc<dyn KeyGenerator>;

/// 32 characters from [`KEY_ALPHABET`], drawn from `rand`'s thread-local
/// generator (rule K1): a cryptographically secure ChaCha generator seeded
/// and periodically reseeded from the operating system.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomKeys;

impl RandomKeys {
    /// The default generator as a [`SharedKeyGenerator`].
    pub fn shared() -> SharedKeyGenerator {
        Arc::new(RandomKeys)
    }
}

impl KeyGenerator for RandomKeys {
    fn generate(&self) -> SessionKey {
        let mut rng = rand::rng();
        let key: String = (0..KEY_LENGTH)
            .map(|_| char::from(KEY_ALPHABET[rng.random_range(0..KEY_ALPHABET.len())]))
            .collect();
        SessionKey(Arc::from(key))
    }
}

/// A generator that always yields the same key: for tests of K4 only.
#[derive(Debug, Clone)]
pub struct FixedKey(SessionKey);

impl FixedKey {
    /// A generator that always returns `key`. `key` should be a server key.
    pub fn new(key: SessionKey) -> Self {
        Self(key)
    }

    /// The generator as a [`SharedKeyGenerator`].
    pub fn shared(key: SessionKey) -> SharedKeyGenerator {
        Arc::new(Self(key))
    }
}

impl KeyGenerator for FixedKey {
    fn generate(&self) -> SessionKey {
        self.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// K1: generated keys are 32 characters of `[a-z0-9]` and do not repeat.
    #[test]
    fn k1_generated_keys_are_32_lowercase_alphanumerics() {
        let keys: HashSet<String> = (0..2_000)
            .map(|_| RandomKeys.generate().as_str().to_owned())
            .collect();
        assert_eq!(keys.len(), 2_000);
        let mut seen = HashSet::new();
        for key in &keys {
            assert_eq!(key.len(), KEY_LENGTH);
            assert!(is_server_key(key), "{key}");
            seen.extend(key.bytes());
        }
        // Every one of the 36 characters appears among 64,000 draws.
        assert_eq!(seen.len(), KEY_ALPHABET.len());
    }

    /// K2: only 8 to 40 characters of `[a-z0-9]` are server keys.
    #[test]
    fn k2_server_keys_reject_wrong_length_alphabet_and_traversal() {
        for bad in [
            "",
            "1234567",
            &"a".repeat(41),
            "ABCDEFGHIJ",
            "abcdefgH12",
            "../x",
            "../../etc/passwd",
            "abcd\0efgh",
            "abcdefg.h",
            "abcdefgh ",
            "ключключключ",
        ] {
            assert!(!is_server_key(bad), "{bad:?} accepted");
        }
        for good in ["12345678", &"a".repeat(40), "abc123xyz0"] {
            assert!(is_server_key(good), "{good:?} rejected");
        }
    }

    /// K2: values that cannot be a cookie value are not keys at all.
    #[test]
    fn k2_parse_rejects_values_no_cookie_can_hold() {
        for bad in ["", "a b", "a;b", "a\"b", "a,b", "a\\b", "a\0b", "ключ"] {
            assert!(SessionKey::parse(bad).is_none(), "{bad:?} parsed");
        }
        assert!(SessionKey::parse(&"a".repeat(MAX_KEY_LENGTH + 1)).is_none());
        let signed = SessionKey::parse("eyJmb28iOiJiYXIifQ:1r31eq:abc-_").expect("signed value");
        assert!(!signed.is_server_key());
    }

    /// Keys are secrets and stay out of logs.
    #[test]
    fn debug_does_not_print_the_whole_key() {
        let key = RandomKeys.generate();
        let shown = format!("{key:?}");
        assert!(!shown.contains(key.as_str()));
    }
}

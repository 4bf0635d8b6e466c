//! Client-side session store: the key is the signed, compressed data, byte-compatible with Django's signed_cookies.

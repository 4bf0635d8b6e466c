//! Django's SessionMiddleware and cookie API for tower and axum.

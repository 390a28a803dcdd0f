"""The web pages: server-rendered from the same FastAPI app, on the same commands and read
models as the JSON API (no business rule lives in a template). Cookie sessions with a CSRF token
on every form; scripts and styles are vendored here, never fetched from a CDN."""

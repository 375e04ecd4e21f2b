"""The shared cache of public reads (issue 16 §2–3).

A public page or API answer marked `public_read(scope)` in its URL conf is served to
anonymous visitors from the `default` cache (Redis in production), keyed by its path, its
normalised query, the negotiated encoding and the scope's content version; the version
changes when what the scope shows changes (`versions.bump`), so no stale page is served.
Browsers and proxies revalidate every time (`Cache-Control: public, no-cache` and an ETag,
answered 304 without rendering). JSON and public HTML are compressed (brotli or gzip) once,
when stored, and never when the response could carry a secret (`compression.breach_safe`).
"""

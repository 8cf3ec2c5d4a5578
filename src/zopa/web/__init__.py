"""The web front end: ``zopa serve`` (pages and a JSON API over :mod:`zopa.app`) and the
self-contained HTML report of ``zopa report``.

Like the command line, it only renders what the application layer returns. Importing this package
imports nothing: the web stack (FastAPI, uvicorn, jinja2) loads only when a page or report is
made, so ``zopa --help`` and ``zopa validate`` start as fast as before.
"""

"""The run store: every result zopa computes, kept in an embedded DuckDB file.

One module a concept: :mod:`~zopa.store.location` (where the file is), :mod:`~zopa.store.connection`
(opening it: waiting for another process, clear errors), :mod:`~zopa.store.schema` (versioned
tables and migrations), :mod:`~zopa.store.writer` (a typed result normalised into tables),
:mod:`~zopa.store.watcher` (chunks kept as they finish) and :mod:`~zopa.store.queries` (list, show,
compare, export, gc). DuckDB is imported only when something is stored or read (docs/store.md).
"""

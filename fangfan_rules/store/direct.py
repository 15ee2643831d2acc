"""The store's per-request statements on SQLite, run on the driver's cursor.

Every identify call runs six statements (the token, the idempotency key, the household's area and
latest snapshot, then the decision, its audit entry and the key's record) and a case event four.
SQLAlchemy's execution of a compiled, cached statement — execution context, result object, row
processing — cost about 100 µs each on the 2-core development machine against about 10 µs for
the ``sqlite3`` cursor itself (the token look-up with the pool's checkout: 120 µs, now 50 µs);
with the CPU the only limit under load, that was a tenth or more of a request's CPU (issue 16,
``benchmarks/service_load.py``).

So on SQLite these statements are compiled by SQLAlchemy once (per statement and set of columns)
and run on the connection's own cursor, inside the same transaction; each bound value goes
through its column type's own bind processor (a date, a timestamp, a JSON document are written
exactly as SQLAlchemy writes them: tested), and the rows read are plain tuples of the database's
values (text and integers here; a boolean is SQLite's 0 or 1). Any other database (PostgreSQL)
runs them through SQLAlchemy, as every other statement of the store does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Insert, Select, Table, insert
from sqlalchemy.engine import Dialect

__all__ = ["first_row", "insert_row"]

#: (statement, the bound names in order, each one's bind processor or None), per statement and
#: set of columns; SQLite's dialect only (the one dialect this runs on). None: a statement that
#: binds more than it is given (a column's default), left to SQLAlchemy.
_Compiled = tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...]]
_COMPILED: dict[tuple[Any, ...], _Compiled | None] = {}
#: one INSERT statement per table, its columns given when compiled
_INSERTS: dict[Table, Insert] = {}


def _direct(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def _compiled(
    key: tuple[Any, ...], statement: Any, dialect: Dialect, given: Sequence[str]
) -> _Compiled | None:
    if key in _COMPILED:
        return _COMPILED[key]
    compiled = statement.compile(dialect=dialect, column_keys=list(given))
    names = tuple(compiled.positiontup or ())
    processors = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    found = _COMPILED[key] = (
        (compiled.string, names, processors) if set(names) <= set(given) else None
    )
    return found


def _bound(compiled: _Compiled, params: Mapping[str, Any]) -> tuple[Any, ...]:
    _, names, processors = compiled
    return tuple(
        params[name] if process is None else process(params[name])
        for name, process in zip(names, processors, strict=True)
    )


def first_row(connection: Connection, statement: Select[Any], params: Mapping[str, Any]) -> Any:
    """The first row of ``statement`` with ``params`` (a tuple on SQLite, a SQLAlchemy row
    elsewhere: read it by position), or None."""
    compiled = (
        _compiled((statement,), statement, connection.dialect, tuple(params))
        if _direct(connection)
        else None
    )
    if compiled is None:
        return connection.execute(statement, params).first()
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        return cursor.execute(compiled[0], _bound(compiled, params)).fetchone()
    finally:
        cursor.close()


def insert_row(connection: Connection, table: Table, values: Mapping[str, Any]) -> Any:
    """Insert one row of ``table``; its primary key (the row id on SQLite, which needs no
    RETURNING: older SQLite libraries serve too)."""
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    columns = tuple(values)
    compiled = (
        _compiled((table, columns), statement, connection.dialect, columns)
        if _direct(connection)
        else None
    )
    if compiled is None:
        result = cast(CursorResult[Any], connection.execute(statement, values))
        key = result.inserted_primary_key
        assert key is not None
        return key[0]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled[0], _bound(compiled, values))
        (primary,) = table.primary_key.columns  # every table of the store has one
        # a key the row was given (the idempotency key) is that value; else the new row id
        return values[primary.name] if primary.name in values else cursor.lastrowid
    finally:
        cursor.close()

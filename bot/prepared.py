"""The webhook's fixed statements, run on the driver's cursor: SQLAlchemy compiles each once per dialect (its
SQL, parameter style and type conversions), and only its per-call execution layer is left out.

Through `Connection.execute` a statement cost a webhook about 20 us of SQLAlchemy's bookkeeping around
2 us of the driver's work (cache key, execution context, result object), five times per message. Here a
call is the bind conversions SQLAlchemy itself would apply (its types' bind and result processors: a
datetime is stored on SQLite exactly as the ORM stores it), the driver's execute, and the rows.

A connection whose engine has event listeners (a test counting statements, an instrumentation) takes the
ordinary path, so the listeners still see every statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import Select

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    binds: tuple[tuple[str, str, Processor], ...]  # (bind name, parameter key, processor) in the statement's order
    positional: bool
    results: tuple[Processor, ...]  # one per column of the rows it returns; empty: it returns none


class Prepared:
    """One statement, compiled on first use per dialect. `columns`: an INSERT's columns (those given on each
    call; column defaults are not applied here, so every call gives all of them)."""

    def __init__(self, statement: Any, columns: Sequence[str] | None = None) -> None:
        self.statement, self.columns = statement, list(columns) if columns is not None else None
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The statement's rows (a SELECT's, or an INSERT's/UPDATE's RETURNING), as plain tuples."""
        # SQLAlchemy keeps no public flag for "some listener is attached"; this is what its own execute checks.
        if connection._has_events or connection.engine._has_events:
            result = connection.execute(self.statement, dict(params))
            return [tuple(row) for row in result] if result.returns_rows else []
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name) or self._compile(dialect)
        values = [processor(params[key]) if processor else params[key] for _, key, processor in compiled.binds]
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, values if compiled.positional else
                           {name: value for (name, _, _), value in zip(compiled.binds, values)})
            fetched = cursor.fetchall() if compiled.results else []
        except dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(compiled.sql, values, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
        finally:
            cursor.close()
        return [tuple(processor(value) if processor else value for processor, value in zip(compiled.results, row))
                for row in fetched]

    def run(self, connection: Connection, params: Mapping[str, Any]) -> None:
        self.rows(connection, params)

    def scalar(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the first row, None without rows."""
        found = self.rows(connection, params)
        return found[0][0] if found else None

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.columns)
        names = list(compiled.positiontup) if compiled.positiontup is not None else list(compiled.binds)
        binds = tuple((name, compiled.binds[name].key, _bind_processor(compiled.binds[name], dialect)) for name in names)
        # A SELECT's columns, or an INSERT's/UPDATE's RETURNING (none without it).
        columns = self.statement.selected_columns if isinstance(self.statement, Select) else (
            self.statement.exported_columns if isinstance(self.statement, UpdateBase) else ())
        results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
        prepared = _Compiled(compiled.string, binds, compiled.positiontup is not None, results)
        self._compiled[dialect.name] = prepared
        return prepared


def _bind_processor(bind: BindParameter[Any], dialect: Dialect) -> Processor:
    return bind.type.dialect_impl(dialect).bind_processor(dialect)

"""Django's PostgreSQL backend with two changes, each measured: timestamps are
read by psycopg's compiled loader, and a few rows are inserted as VALUES
(backend/postgresql/compiler.py).

Django registers its own `timestamptz` loader on every connection, a subclass
of psycopg's pure-Python one, to stamp each value with the connection's time
zone. Reading a timestamp that way costs about 4 µs; psycopg's C loader (there
when psycopg's binary package is installed, as our lock file has it) costs
0.5 µs and already answers in the session's time zone, which Django sets to
the connection's. A page of tickets reads about a hundred timestamps: this
was a sixth of its time in the API.
"""

from typing import Any

from django.db.backends.postgresql import base, operations
from psycopg import adapters
from psycopg.abc import AdaptContext, Buffer
from psycopg.adapt import Loader
from psycopg.pq import Format


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "backend.postgresql.compiler"


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params: dict) -> Any:
        connection = super().get_new_connection(conn_params)
        if self.timezone is not None:  # with USE_TZ = False, Django's naive values stay
            connection.adapters.register_loader("timestamptz", _compiled_loader(self.timezone))
        return connection


def _compiled_loader(zone: Any) -> type[Loader]:
    found = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    if found is None:  # psycopg always has one; this tells the type checker
        raise LookupError("psycopg has no timestamptz loader")
    compiled: Any = found  # a compiled class, which the stubs type as a protocol

    class CompiledTimestampLoader(Loader):
        # What Django's create_cursor compares to decide whether to register
        # its own loader again on each cursor.
        timezone = zone

        def __init__(self, oid: int, context: AdaptContext | None = None) -> None:
            super().__init__(oid, context)
            self._load = compiled(oid, context).load

        def load(self, data: Buffer) -> Any:
            return self._load(data)

    return CompiledTimestampLoader

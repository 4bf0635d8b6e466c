"""The Django side of the live interop check (examples/demo/tests/django_live.rs).

Runs with a real Django 5.2 (and psycopg for PostgreSQL): reads a JSON object from stdin,
{"settings": {...}, "commands": [{"op": ..., ...}, ...]}, runs each command
with Django's own session engines and signed-cookie API, and writes one JSON
list of results to stdout. Times (`now`, Unix seconds with a fraction) are
injected by patching time.time, so sub-second boundaries are exact.

Session data travels as the JSON text Python's json module writes
(json.dumps(..., separators=(",", ":")), ASCII), so NaN, Infinity, integers
beyond 64 bits and lone surrogates survive the trip unchanged.
"""

import contextlib
import datetime
import json
import os
import sys
from unittest import mock

import django
from django.conf import settings


def compact(value):
    return json.dumps(value, separators=(",", ":"))


def at(now):
    """A context in which time.time() (and so Django's signing and the
    timezone-aware now) is `now`, when given."""
    stack = contextlib.ExitStack()
    if now is not None:
        moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        stack.enter_context(mock.patch("time.time", return_value=now))
        stack.enter_context(mock.patch("django.utils.timezone.now", return_value=moment))
    return stack


def expiry_value(raw):
    """set_expiry's argument: an int, an ISO-8601 date-time, or None."""
    if isinstance(raw, str):
        return datetime.datetime.fromisoformat(raw)
    return raw


def file_store(key=None):
    from django.contrib.sessions.backends.file import SessionStore

    return SessionStore(key)


def cookie_store(key=None):
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    return SessionStore(key)


def db_store(key=None):
    from django.contrib.sessions.backends.db import SessionStore

    return SessionStore(key)


def databases(url):
    """DATABASES for a database URL: `sqlite:///path` or
    `postgres://user:password@host:port/name?search_path=schema`."""
    if url is None:
        return {}
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parts.path)}}
    query = parse_qs(parts.query)
    options = {}
    if "search_path" in query:
        options["options"] = "-c search_path=" + query["search_path"][0]
    return {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname,
            "PORT": parts.port,
            "OPTIONS": options,
        }
    }


def run_db(cmd):
    """The commands on the database engine (`django_session`)."""
    op = cmd["op"]
    if op == "db_sql":
        from django.db import connection

        with connection.cursor() as cursor:
            for statement in cmd["statements"]:
                cursor.execute(statement)
        return {}
    if op == "db_migrate":
        from django.core.management import call_command

        call_command("migrate", "sessions", verbosity=0)
        return {}
    if op == "db_put":
        s = db_store()
        s.update(json.loads(cmd["data"]))
        if "expiry" in cmd:
            s.set_expiry(expiry_value(cmd["expiry"]))
        s.save()
        return {"key": s.session_key}
    if op == "db_get":
        data = db_store(cmd["key"]).load()
        return {"loaded": bool(data), "json": compact(data)}
    if op == "db_update":
        s = db_store(cmd["key"])
        s.update(json.loads(cmd["data"]))
        s.save()
        return {"json": compact(dict(s.items()))}
    if op == "db_keys":
        from django.contrib.sessions.models import Session

        return {"keys": sorted(Session.objects.values_list("session_key", flat=True))}
    if op == "clearsessions":
        from django.core.management import call_command

        call_command("clearsessions")
        return {}
    raise ValueError("unknown op " + op)


def run(cmd):
    op = cmd["op"]
    with at(cmd.get("now")):
        if op.startswith("db_") or op == "clearsessions":
            return run_db(cmd)
        if op == "file_put":
            s = file_store()
            s.update(json.loads(cmd["data"]))
            if "expiry" in cmd:
                s.set_expiry(expiry_value(cmd["expiry"]))
            s.save()
            return {"key": s.session_key}
        if op == "file_get":
            s = file_store(cmd["key"])
            data = s.load()
            return {
                "loaded": bool(data),
                "json": compact(data),
                "file_exists": os.path.exists(s._key_to_file(cmd["key"])),
            }
        if op == "file_update":
            s = file_store(cmd["key"])
            s.update(json.loads(cmd["data"]))
            s.save()
            return {"key": s.session_key, "json": compact(dict(s.items()))}
        if op == "file_cycle":
            s = file_store(cmd["key"])
            s.load()
            s.cycle_key()
            return {"key": s.session_key}
        if op == "file_flush":
            s = file_store(cmd["key"])
            s.flush()
            return {"file_exists": os.path.exists(s._key_to_file(cmd["key"]))}
        if op == "cookie_put":
            s = cookie_store()
            s.update(json.loads(cmd["data"]))
            s.save()
            return {"value": s.session_key}
        if op == "cookie_get":
            s = cookie_store(cmd["value"])
            data = s.load()
            return {"loaded": bool(data), "json": compact(data)}
        if op == "signed_set":
            from django.http import HttpResponse

            response = HttpResponse()
            response.set_signed_cookie(cmd["name"], cmd["value"], salt=cmd["salt"])
            return {"value": response.cookies[cmd["name"]].value}
        if op == "signed_get":
            from django.http import HttpRequest

            request = HttpRequest()
            request.COOKIES[cmd["name"]] = cmd["value"]
            value = request.get_signed_cookie(
                cmd["name"], default=None, salt=cmd["salt"], max_age=cmd.get("max_age")
            )
            return {"value": value}
    raise ValueError("unknown op " + op)


def main():
    request = json.load(sys.stdin)
    conf = request["settings"]
    settings.configure(
        SECRET_KEY=conf["secret_key"],
        SECRET_KEY_FALLBACKS=conf.get("fallback_keys", []),
        SESSION_FILE_PATH=conf.get("file_path"),
        SESSION_COOKIE_AGE=conf.get("cookie_age", 1209600),
        USE_TZ=True,
        DATABASES=databases(conf.get("database_url")),
        SESSION_ENGINE=conf.get("session_engine", "django.contrib.sessions.backends.db"),
        INSTALLED_APPS=["django.contrib.sessions"],
    )
    django.setup()
    results = [run(cmd) for cmd in request["commands"]]
    json.dump({"django": django.get_version(), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()

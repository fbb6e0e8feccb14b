"""A log call's `extra` may not name a field the record already has: the record factory sets
the request, user and school fields on every record, and logging raises KeyError for any
`extra` key that would overwrite one (a worker's log line once did, on PostgreSQL only)."""

import ast
import logging

from school_tracker import ROOT
from school_tracker.web.logging_setup import _annotate

LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}


def _fields_every_record_has() -> set[str]:
    record = logging.LogRecord("x", logging.INFO, __file__, 0, "message", None, None)
    return set(vars(_annotate(record))) | {"message", "asctime"}


def _extra_keys(tree: ast.AST):
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in LOG_METHODS:
            continue
        for keyword in node.keywords:
            if keyword.arg == "extra" and isinstance(keyword.value, ast.Dict):
                for key in keyword.value.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        yield node.lineno, key.value


def test_no_log_call_overwrites_a_field_of_the_record():
    reserved = _fields_every_record_has()
    assert {"user_id", "school_id", "request_id", "msg"} <= reserved  # the check can bite
    clashes = [
        f"{path.relative_to(ROOT)}:{line} extra[{key!r}]"
        for path in sorted((ROOT / "school_tracker").rglob("*.py"))
        for line, key in _extra_keys(ast.parse(path.read_text(encoding="utf-8")))
        if key in reserved
    ]
    assert clashes == []

"""Walk every form the app defines, so a check over "every field" needs no list to keep up."""

import importlib
import pkgutil

from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

import school_tracker


def all_forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(school_tracker.__path__, "school_tracker."):
        importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("school_tracker."):
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def form_fields(cls) -> list[tuple[str, UnboundField]]:
    return [
        (name, value)
        for name in dir(cls)
        if not name.startswith("_") and isinstance(value := getattr(cls, name), UnboundField)
    ]


def field_validators(unbound: UnboundField) -> list:
    return list(unbound.kwargs.get("validators") or (unbound.args[1:2] or [[]])[0])

"""Unbound extensions, bound to an app in `create_app`."""

from typing import TYPE_CHECKING

from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from school_tracker.orm import Base

db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    # db.Model is built at runtime as a subclass of Base, which mypy cannot follow; to the type
    # checker the models' base is Base itself, which is where their columns are declared.
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
# No default limits: sign-in carries its own per-address and per-account limits.
limiter = Limiter(key_func=get_remote_address)

from . import models
from . import wizards
from . import demo
from .hooks import uninstall_hook

from . import test_security
from . import test_demo_data
from . import test_translations
from . import test_rfm
from . import test_audit
from . import test_review
from . import test_vip
from . import test_sync

from . import test_client
from . import test_concept
from . import test_ledger
from . import test_security
from . import test_cron
from . import test_matching
from . import test_tour
from . import test_settings

"""Imports every domain model so the metadata (and Alembic) sees the whole schema."""

from marketplace.accounts.models import *  # noqa: F403
from marketplace.admin.models import *  # noqa: F403
from marketplace.catalog.models import *  # noqa: F403
from marketplace.fulfilment.models import *  # noqa: F403
from marketplace.jobs import OutboxJob  # noqa: F401
from marketplace.notifications.models import *  # noqa: F403
from marketplace.orders.models import *  # noqa: F403
from marketplace.payments.models import *  # noqa: F403
from marketplace.payouts.models import *  # noqa: F403
from marketplace.reviews.models import *  # noqa: F403
from marketplace.search.analytics_models import *  # noqa: F403
from marketplace.search.database.models import *  # noqa: F403
from marketplace.search.models import *  # noqa: F403
from marketplace.vendors.models import *  # noqa: F403

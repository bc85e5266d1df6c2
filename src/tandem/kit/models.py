"""Import every domain's tables so metadata (Alembic, tests) sees the whole schema."""

from tandem.analytics import models as analytics_models
from tandem.care import models as care_models
from tandem.connectors import models as connector_models
from tandem.conversations import models as conversation_models
from tandem.customers import models as customer_models
from tandem.events import models as event_models
from tandem.handoff import models as handoff_models
from tandem.kit.db import Base
from tandem.knowledge import models as knowledge_models
from tandem.users import models as user_models
from tandem.workspace import models as workspace_models

__all__ = [
    "Base",
    "analytics_models",
    "care_models",
    "connector_models",
    "conversation_models",
    "customer_models",
    "event_models",
    "handoff_models",
    "knowledge_models",
    "user_models",
    "workspace_models",
]

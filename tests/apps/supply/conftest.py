from tests.apps.supply.fixtures import *  # noqa: F403  (pytest fixtures)
from tests.chain_fixtures import *  # noqa: F403  (pytest fixtures)

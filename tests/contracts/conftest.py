from tests.chain_fixtures import *  # noqa: F403  (pytest fixtures)

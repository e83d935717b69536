from openrd.proposals.tests.conftest import world  # noqa: F401  (a fixture, offered by name)
from openrd.review.tests.conftest import reviewing  # noqa: F401  (a fixture, offered by name)

import pytest

from tests.querycount import count_queries as _count_queries


@pytest.fixture
def count_queries():
    """``with count_queries() as queries:`` records every SQL statement sent."""
    return _count_queries

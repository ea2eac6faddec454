import pytest

from .receiver import Receiver, start


@pytest.fixture
def receiver():
    found = start(Receiver())
    yield found
    found.server.shutdown()
    found.server.server_close()

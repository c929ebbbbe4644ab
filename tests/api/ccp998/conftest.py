from tests.api.offers.conftest import clock  # noqa: F401 - the shared fixture

"""Helpers shared by the tests: real services started for the test session.

The fixtures that wire them live in `tests/conftest.py`; these modules hold the
plain code so that a test module can also use them directly (for example a
module-scoped `live_server.serve(app)`).
"""

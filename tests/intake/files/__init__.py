"""Small fixture files and builders for the intake tests (test_intake_*.py)."""

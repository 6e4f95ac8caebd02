"""What the tests share besides fixtures: builders, role emails, the replay oracle, servers.

Test modules and conftest.py files import from here; conftest.py files hold only fixtures, and
no test module imports another (modelled on full-stack-fastapi-template's backend/tests/utils/).
"""

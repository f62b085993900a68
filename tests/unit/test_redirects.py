"""After sign-in, only same-origin relative paths (no open redirect)."""

import pytest

from nlc_toolkit.core.redirects import safe_next


@pytest.mark.parametrize("wanted", ["/assessments/3", "/assessments/3/results?domain=mandate", "/network", "/join?code=ABC"])
def test_paths_on_this_site_are_kept(wanted):
    assert safe_next(wanted, "/home") == wanted


@pytest.mark.parametrize("wanted", [
    "//evil.com", "/\\evil.com", "\\\\evil.com", "https://evil.com", "javascript:alert(1)", "evil.com", "/login",
    "/login?next=/x", "", None, ["/x"], "/a b", "/x\n", "/\tevil", "/%0d%0aSet-Cookie:x", "/x//evil.com", "/" + "a" * 600,
    "/\\/evil.com", " /x", "/x\\y",
])
def test_anything_else_goes_home(wanted):
    assert safe_next(wanted, "/home") == "/home"

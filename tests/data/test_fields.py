"""Single-field helpers of the registry."""

from __future__ import annotations

import pytest

from analysis.data.fields import url_host


@pytest.mark.parametrize(("url", "host"), [
    ("https://WWW.Gov.uz/ru/news/1", "www.gov.uz"), ("http://[::1]/x", "::1"),
    ("http://[::1", ""), ("https://[x]/", ""), ("", ""), ("no address", ""),
])
def test_the_host_of_an_address_or_none_never_an_error(url, host):
    """Red team (issue 21): an address such as http://[::1 made urlsplit raise."""
    assert url_host(url) == host

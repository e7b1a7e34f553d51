"""The HTML lists take what their API lists take: ``updated_since`` with the same meaning, and an
unknown parameter is a 400 page naming it and the accepted ones; their own links and forms
send only parameters they accept."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import lxml.html
import pytest

HTML = {"accept": "text/html"}
#: HTML list -> the API list it shows.
LISTS = {"/": "/api/v1/reports", "/reports": "/api/v1/reports", "/agencies": "/api/v1/agencies",
         "/coverage": "/api/v1/coverage", "/alerts": "/api/v1/alerts"}
UPDATED_SINCE_LISTS = ("/reports", "/agencies", "/alerts")


def api_params(client: httpx.Client, api_path: str) -> set[str]:
    """The query parameters the OpenAPI document gives the API list."""
    spec = client.get("/openapi.json").json()
    return {p["name"] for p in spec["paths"][api_path]["get"]["parameters"] if p["in"] == "query"}


def html_page(client: httpx.Client, url: str, params: Any = None) -> lxml.html.HtmlElement:
    response = client.get(url, params=params, headers=HTML)
    assert response.status_code == 200, (url, params, response.text[:500])
    return lxml.html.fromstring(response.text)


def api_ids(client: httpx.Client, api_path: str, key: str, **params: str) -> list[Any]:
    body = client.get(api_path, params={**params, "limit": "500"}).json()
    assert body["page"]["total"] == len(body["items"]) < 500
    return [item[key] for item in body["items"]]


@pytest.mark.parametrize("path", sorted(LISTS))
def test_unknown_parameter_is_a_400_page_naming_it_and_the_accepted_ones(
        client: httpx.Client, path: str) -> None:
    response = client.get(path, params={"yaer": "2023"}, headers=HTML)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    message = lxml.html.fromstring(response.text).cssselect("p.message")[0].text_content()
    found = re.search(r"unknown query parameter\(s\): (.+); this page takes: (.+)", message)
    assert found, message
    assert found.group(1) == "yaer"
    accepted = set(found.group(2).split(", "))
    assert accepted == api_params(client, LISTS[path])
    if path in UPDATED_SINCE_LISTS:
        assert "updated_since" in accepted


def moment_between(client: httpx.Client, *, newest: bool = False) -> str:
    """An alert's recording time that some alerts are before and some after (the median one),
    or the newest alert's."""
    body = client.get("/api/v1/alerts", params={"limit": "500"}).json()
    times = sorted({item["created_at"] for item in body["items"]})
    assert len(times) >= 3
    return str(times[-1] if newest else times[len(times) // 2])


def test_updated_since_narrows_the_html_lists_like_the_api(client: httpx.Client) -> None:
    moment = moment_between(client)
    # reports: the same reports as the API, in the same order
    wanted = api_ids(client, "/api/v1/reports", "id", updated_since=moment)
    everything = api_ids(client, "/api/v1/reports", "id")
    assert 0 < len(wanted) < len(everything)
    doc = html_page(client, "/reports", {"updated_since": moment, "limit": "500"})
    shown = [int(a.get("href").rsplit("/", 1)[1]) for a in doc.cssselect("a.report-link")]
    assert shown == wanted
    # agencies (with a report updated at or after the newest alert)
    newest = moment_between(client, newest=True)
    wanted_agencies = api_ids(client, "/api/v1/agencies", "agency", updated_since=newest)
    assert 0 < len(wanted_agencies) < len(api_ids(client, "/api/v1/agencies", "agency"))
    doc = html_page(client, "/agencies", {"updated_since": newest, "limit": "500"})
    assert [a.text_content() for a in doc.cssselect("#agencies td:first-child a")] == wanted_agencies
    # alerts
    wanted_alerts = api_ids(client, "/api/v1/alerts", "id", updated_since=moment)
    assert 0 < len(wanted_alerts) < len(api_ids(client, "/api/v1/alerts", "id"))
    doc = html_page(client, "/alerts", {"updated_since": moment, "limit": "500"})
    assert len(doc.cssselect("ul.alerts > li")) == len(wanted_alerts)
    # the CSV download of the narrowed list is narrowed too (page and API alike)
    for path in ("/reports", "/api/v1/reports"):
        response = client.get(path, params={"updated_since": moment, "format": "csv"})
        assert response.status_code == 200, (path, response.text[:300])
        assert len(response.text.strip().splitlines()) - 1 == len(wanted)


@pytest.mark.parametrize("path", UPDATED_SINCE_LISTS)
def test_bad_updated_since_is_the_apis_400(client: httpx.Client, path: str) -> None:
    api = client.get(LISTS[path], params={"updated_since": "last tuesday"})
    page = client.get(path, params={"updated_since": "last tuesday"}, headers=HTML)
    assert api.status_code == page.status_code == 400
    message = lxml.html.fromstring(page.text).cssselect("p.message")[0].text_content()
    assert api.json()["detail"] in message and "updated_since" in message


@pytest.mark.parametrize("path", UPDATED_SINCE_LISTS + ("/coverage",))
def test_links_and_forms_of_a_list_send_only_what_it_accepts(client: httpx.Client,
                                                             path: str) -> None:
    params = {"limit": "5", "offset": "5"}
    if path in UPDATED_SINCE_LISTS:
        params["updated_since"] = "2000-01-01"
    doc = html_page(client, path, params)
    links = {a.get("href") for a in doc.cssselect("a[href]")
             if urlsplit(a.get("href")).path in LISTS and urlsplit(a.get("href")).query}
    assert links, "a page of 5 rows links other pages and the CSV"
    for link in links:
        names = {name for name, _ in parse_qsl(urlsplit(link).query, keep_blank_values=True)}
        target = urlsplit(link).path
        assert names <= api_params(client, LISTS[target]), link
        assert client.get(link, headers=HTML).status_code == 200, link
        if path in UPDATED_SINCE_LISTS and target == path:
            assert "updated_since" in names, f"{link} drops the filter"
    for form in doc.cssselect("form"):
        action = form.get("action")
        fields = [(field.get("name"), field.value or "") for field in form.cssselect("[name]")
                  if field.get("type") != "checkbox" or field.get("checked") is not None]
        assert {name for name, _ in fields} <= api_params(client, LISTS[action]), action
        assert client.get(action, params=fields, headers=HTML).status_code == 200
        if path in UPDATED_SINCE_LISTS and action == path:  # a search keeps the filter
            assert dict(fields)["updated_since"].startswith("2000-01-01"), fields

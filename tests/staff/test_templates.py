"""The markup every staff page shares (templates/staff/): landmarks, a label for every field,
headers for every table, a name and description for every chart, CSRF on every POST form, and
forms that keep what was chosen. Read from the HTML a browser gets."""

from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """The elements of a page as (tag, attributes), in document order, plus the text of each <h1>."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.forms: list[list[tuple[str, dict]]] = []
        self.h1: list[str] = []
        self._in_h1 = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "form":
            self.forms.append([(tag, attributes)])
        elif self.forms and self.forms[-1] is not None:
            self.forms[-1].append((tag, attributes))
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")

    def handle_endtag(self, tag):
        if tag == "form":
            self.forms.append(None)
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1[-1] += data

    def all(self, tag: str) -> list[dict]:
        return [attributes for name, attributes in self.elements if name == tag]

    def ids(self) -> set[str]:
        return {attributes["id"] for _, attributes in self.elements if "id" in attributes}


def pages(delivery) -> dict[str, dict]:
    ticket = delivery.tickets[1]
    return {
        "/": {},
        "/staff/tickets/": {"ordering": "-cycle_time"},
        f"/staff/tickets/{ticket.id}/": {},
        "/staff/metrics/": {"start": "2024-06-08", "end": "2024-06-14", "periods": 3},
    }


def read(client, path, params, status=200) -> Page:
    response = client.get(path, params)
    assert response.status_code == status, (path, response.content[:500])
    return Page(response.content.decode())


def test_landmarks_headings_and_the_skip_link(delivery_client, delivery):
    for path, params in pages(delivery).items():
        page = read(delivery_client, path, params)
        assert page.all("html")[0].get("lang") == "en"
        assert [m.get("id") for m in page.all("main")] == ["main"], path
        assert len(page.all("header")) == 1 and len(page.all("footer")) == 1, path
        assert any(n.get("aria-label") == "Main" for n in page.all("nav")), path
        assert page.all("a")[0] == {"class": "skip-link", "href": "#main"}, path
        assert len(page.h1) == 1 and page.h1[0].strip(), path
        assert any(m.get("name") == "viewport" for m in page.all("meta")), path  # laid out for phones


def test_every_field_has_a_label(delivery_client, delivery):
    for path, params in pages(delivery).items():
        page = read(delivery_client, path, params)
        labelled = {label.get("for") for label in page.all("label")}
        fields = [f for f in page.all("input") + page.all("select") if f.get("type") != "hidden"]
        fields = [f for f in fields if f.get("name") != "csrfmiddlewaretoken"]
        for field in fields:
            assert field.get("id") in labelled or field.get("aria-label"), (path, field)
        if path in ("/staff/tickets/", "/staff/metrics/"):
            assert len(fields) >= 9, path  # the filter forms


def test_tables_have_headers_and_charts_a_name_and_description(delivery_client, delivery):
    for path, params in pages(delivery).items():
        page = read(delivery_client, path, params)
        ids = page.ids()
        headers = page.all("th")
        if page.all("table"):
            assert headers and all(th.get("scope") in ("col", "row") for th in headers), path
        for svg in page.all("svg"):
            assert svg.get("role") == "img", path
            named_by = svg.get("aria-labelledby", "").split()
            assert len(named_by) == 2 and set(named_by) <= ids, (path, svg)


def test_post_forms_carry_a_csrf_token_and_get_forms_do_not(delivery_client, delivery):
    for path, params in pages(delivery).items():
        page = read(delivery_client, path, params)
        forms = [form for form in page.forms if form]
        assert forms, path  # the sign-out form at least
        for form in forms:
            method = form[0][1].get("method", "get").lower()
            tokens = [a for tag, a in form if tag == "input" and a.get("name") == "csrfmiddlewaretoken"]
            # A filter form changes nothing and its values go in the URL: no token there.
            assert len(tokens) == (1 if method == "post" else 0), (path, form[0])


def test_the_metrics_form_keeps_what_was_chosen(delivery_client, delivery):
    team, person = delivery.teams["platform"], delivery.people["grace"]
    project = delivery.projects["CORE"]
    params = {"start": "2024-06-08", "end": "2024-06-14", "periods": 4, "team": team.id, "person": person.id,
              "include_nested_teams": "on", "current_assignee": "on", "project": project.id,
              "work_type": "bug"}  # fmt: skip
    body = delivery_client.get("/staff/metrics/", params).content.decode()
    kept = ['name="start" value="2024-06-08"', 'name="end" value="2024-06-14"', 'name="periods" value="4"',
            f'<option value="{team.id}" selected>', f'<option value="{person.id}" selected>Grace</option>',
            f'<option value="{project.id}" selected>CORE', '<option value="bug" selected>bug</option>']  # fmt: skip
    for expected in kept:
        assert expected in body, expected
    page = Page(body)
    checked = {i["name"] for i in page.all("input") if i.get("type") == "checkbox" and "checked" in i}
    assert checked == {"include_nested_teams", "current_assignee"}

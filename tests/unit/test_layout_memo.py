"""Page layouts are built once per link (app/components/layout_memo.py): the same link gives the same
tree, a different link its own, and the memo never grows past its bound."""

from __future__ import annotations

import json

import dash
import pytest

from app.components.layout_memo import LAYOUTS_PER_PAGE, memoised_layout
from app.serialisation import to_json


def test_the_same_query_is_built_once_and_a_different_one_again():
    calls = []

    @memoised_layout
    def layout(**query):
        calls.append(query)
        return {"built from": query}

    first = layout(x="1", y="2")
    assert layout(y="2", x="1") is first  # the order of the keys does not matter
    assert layout(x="3", y="2") == {"built from": {"x": "3", "y": "2"}}
    assert calls == [{"x": "1", "y": "2"}, {"x": "3", "y": "2"}]


def test_a_repeated_key_arrives_as_a_list_and_is_remembered():
    calls = []

    @memoised_layout
    def layout(**query):
        calls.append(query)
        return len(calls)

    assert layout(x=["1", "2"]) == 1
    assert layout(x=["1", "2"]) == 1
    assert layout(x=["2", "1"]) == 2
    assert calls == [{"x": ["1", "2"]}, {"x": ["2", "1"]}]


def test_a_value_that_cannot_be_a_key_is_built_each_time():
    calls = []

    @memoised_layout
    def layout(**query):
        calls.append(query)
        return len(calls)

    assert layout(x={"not": "from a URL"}) == 1
    assert layout(x={"not": "from a URL"}) == 2


def test_the_memo_is_bounded():
    @memoised_layout
    def layout(**query):
        return query

    for i in range(3 * LAYOUTS_PER_PAGE):
        layout(x=str(i))
    assert layout.cache_info().currsize == LAYOUTS_PER_PAGE


@pytest.fixture(scope="module")
def pages():
    from app.main import create_app

    create_app()
    return {page["path"]: page["layout"] for page in dash.page_registry.values()}


@pytest.mark.parametrize(
    ("path", "query", "other"),
    [
        ("/gradient", {"x": "1.5"}, {"x": "-1.5"}),
        ("/derivative", {"x0": "1"}, {"x0": "0.5"}),
        ("/autograd", {"lr": "0.1"}, {"lr": "0.2"}),
        ("/descent", {"lr1": "0.3"}, {"lr1": "0.4"}),
        ("/learning-rate", {"steps": "30"}, {"steps": "40"}),
    ],
)
def test_each_page_remembers_its_links_and_keeps_them_apart(pages, path, query, other):
    layout = pages[path]
    first = layout(**query)
    assert layout(**query) is first
    different = layout(**other)
    assert different is not first
    assert json.loads(to_json(different)) != json.loads(to_json(first))
    # What a link shows is what a fresh build of it shows: the memo changes nothing on screen.
    assert json.loads(to_json(first)) == json.loads(to_json(layout.__wrapped__(**query)))


def test_the_shell_layout_is_served_the_same_each_time():
    from app.main import create_app

    client = create_app().server.test_client()
    first, second = client.get("/_dash-layout"), client.get("/_dash-layout")
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert "_pages_content" in first.get_data(as_text=True)

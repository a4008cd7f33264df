"""Post to a Dash callback the way the browser does, from the app's own /_dash-dependencies."""

from __future__ import annotations

import json


def _split_outputs(output: str) -> list[dict]:
    inner = output[2:-2] if output.startswith("..") else output
    specs = []
    for part in inner.split("...") if output.startswith("..") else [inner]:
        component, prop = part.rsplit(".", 1)
        prop = prop.split("@")[0]
        specs.append({"id": json.loads(component) if component.startswith("{") else component, "property": prop})
    return specs


class DashClient:
    """A Flask test client that knows the app's callbacks."""

    def __init__(self, dash_app):
        self.client = dash_app.server.test_client()
        assert self.client.get("/").status_code == 200  # the first request finishes the app's setup
        self.dependencies = self.client.get("/_dash-dependencies").get_json()

    def server_callbacks(self) -> list[dict]:
        return [d for d in self.dependencies if not d.get("clientside_function")]

    def callback_with_input(self, component_id: str, prop: str, output: str = "") -> dict:
        """The one server callback with this input (and, to tell several apart, an output containing ``output``)."""
        (dep,) = [
            d
            for d in self.server_callbacks()
            if {"id": component_id, "property": prop} in d["inputs"] and output in d["output"]
        ]
        return dep

    def draw(self, store_id: str, output: str, state, extra: dict | None = None):
        """Ask the server to draw ``state`` as the page's store ``store_id`` holds it, into ``output``.

        A callback that takes the store as an input is sent the store as the change. One that takes it as
        a state (it validates the control that moved and draws, in one request) is sent no change at all,
        which it answers by drawing what the store holds.
        """
        (dep,) = [
            d
            for d in self.server_callbacks()
            if output in d["output"] and any(s["id"] == store_id for s in d["inputs"] + d["state"])
        ]
        as_input = {"id": store_id, "property": "data"} in dep["inputs"]
        values = {f"{store_id}.data": state} | (extra or {})
        return self.post(dep, values, [f"{store_id}.data"] if as_input else [])

    def post(self, dep: dict, values: dict, changed: list[str], pattern_ids: dict | None = None, **request):
        """values: {"id.prop": value}; pattern_ids: {"type": [concrete ids]} for ALL wildcards; ``request``
        goes to the test client (a client's address in environ_base, headers)."""

        def entry(spec):
            component = spec["id"]
            if component.startswith("{"):
                pattern = json.loads(component)
                matches = (pattern_ids or {}).get(pattern["type"], [])
                return [
                    {"id": m, "property": spec["property"], "value": values.get(f"{json.dumps(m)}.{spec['property']}")}
                    for m in matches
                ]
            key = f"{component}.{spec['property']}"
            return {"id": component, "property": spec["property"], "value": values.get(key)}

        outputs = _split_outputs(dep["output"])
        payload = {
            "output": dep["output"],
            # The renderer sends one output as a dict, several (an output string "..a...b..") as a list.
            "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": [entry(s) for s in dep["inputs"]],
            "state": [entry(s) for s in dep["state"]],
            "changedPropIds": changed,
        }
        return self.client.post("/_dash-update-component", json=payload, **request)


def text_of(children) -> str:
    """The text of rendered Dash children, as a callback sends them (strings, components as dicts, lists)."""
    if children is None:
        return ""
    if isinstance(children, str | int | float):
        return str(children)
    if isinstance(children, list):
        return " ".join(text_of(child) for child in children)
    if isinstance(children, dict):
        return text_of(children.get("props", {}).get("children"))
    return ""

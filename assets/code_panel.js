// The code panel (app/components/code_panel.py) is a plain <details>: the browser, not Dash, knows
// whether it is open. Copy that into the panel's own dcc.Store, so that the server builds the code
// only while someone is reading it.
(function () {
    document.addEventListener("toggle", function (event) {
        const panel = event.target;
        if (panel.matches && panel.matches("details.code-panel") && window.dash_clientside.set_props) {
            window.dash_clientside.set_props(panel.getAttribute("data-opened-store"), {data: panel.open});
        }
    }, true);  // toggle does not bubble

    // Inputs: the open state, every setting the code depends on, then the count so far (a State).
    // Opening the panel, or a change while it is open, asks for the code again; a change while it is
    // closed asks for nothing, and the count of the next opening brings the code up to date.
    function wanted(opened) {
        const count = arguments[arguments.length - 1];
        if (!opened) {
            return window.dash_clientside.no_update;
        }
        return (typeof count === "number" ? count : 0) + 1;
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {codePanel: {wanted: wanted}});
})();

// The plotly.js the app serves (scripts/build-plotly bundles this file into assets/vendor/).
// plotly.js's core brings the scatter trace and the layout components (annotations, shapes, legend,
// colour bars, hover, the mode bar); the traces below are the others app/figures draws. Add a trace
// type here before a figure uses it: tests/unit/test_plotly_bundle.py checks the two lists agree.
var Plotly = require("plotly.js/lib/core");

Plotly.register([
    require("plotly.js/lib/scatter"),
    require("plotly.js/lib/scatter3d"),
    require("plotly.js/lib/contour"),
    require("plotly.js/lib/surface"),
]);

// An assignment, not a declaration: assets/presenter.js may have put a setter on window.Plotly that
// wraps Plotly.react the moment plotly.js arrives. dcc.Graph finds window.Plotly and never fetches
// the full bundle.
window.Plotly = Plotly;

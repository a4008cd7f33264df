// The plotly.js every page loads (scripts/build-plotly bundles it into assets/vendor/): plotly.js's core,
// which brings the scatter trace and the layout components (annotations, shapes, legend, colour bars,
// hover, the mode bar), and the 2-D traces app/figures draws. 3-D traces are in scenes.js, fetched only
// when a page first draws a 3-D figure: evaluating them took half of plotly.js's start-up on every page
// (bench/first_load.py). Add a trace type to one of the two before a figure uses it:
// tests/unit/test_plotly_bundle.py checks that the lists and the app's figures agree.
var Plotly = require("plotly.js/lib/core");

Plotly.register([require("plotly.js/lib/scatter"), require("plotly.js/lib/contour")]);

// scenes.js shares this file's modules (build.mjs hands over the ones it needs), so both register into
// one plotly.js. It is fetched once, from beside this file: SCENES_FILE, set by build.mjs, is its name
// with its checksum as the query.
var scenesUrl = new URL(SCENES_FILE, document.currentScript.src);
var scenes = null;
Plotly.loadScenes = function () {
    if (!scenes) {
        scenes = new Promise(function (resolve, reject) {
            var script = document.createElement("script");
            script.src = scenesUrl.href;
            script.onload = function () { resolve(Plotly); };
            script.onerror = function () {
                scenes = null;  // a later figure tries again
                reject(new Error("could not load plotly.js's 3-D traces from " + script.src));
            };
            document.head.appendChild(script);
        });
    }
    return scenes;
};

// An assignment, not a declaration: assets/presenter.js may have put a setter on window.Plotly that
// wraps Plotly.react the moment plotly.js arrives. dcc.Graph finds window.Plotly and never fetches
// the full bundle.
window.Plotly = Plotly;

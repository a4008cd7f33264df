// Reveal, animated (app/figures/questions.py revealed_figure): the figure Dash draws already holds the
// truth where it belongs; the traces listed in layout.meta.reveal are put back where they start (the
// wide secant, the point itself, the ball before its step) and moved to where they are, so the secant
// shrinks to the tangent, the arrow grows and the ball takes its step. Someone who asked the system for
// less motion gets the end at once.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    reveal: {
        animate: function (figure, graphId) {
            const none = window.dash_clientside.no_update;
            const reveal = figure && figure.layout && figure.layout.meta && figure.layout.meta.reveal;
            if (!reveal || !reveal.length || !window.Plotly || typeof window.Plotly.animate !== "function") {
                return none;
            }
            const still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
            const traces = reveal.map(function (entry) { return entry.trace; });
            let tries = 0;
            const start = function () {
                const gd = document.querySelector("#" + graphId + " .js-plotly-plot");
                // Wait until plotly has drawn this very figure (dcc.Graph draws after the callback returns).
                if (!gd || !gd.data || gd.data.length !== figure.data.length || !gd._fullLayout ||
                    !gd._fullLayout.meta || gd._fullLayout.meta.reveal !== reveal && JSON.stringify(gd._fullLayout.meta.reveal) !== JSON.stringify(reveal)) {
                    if ((tries += 1) < 60) {
                        window.requestAnimationFrame(start);
                    }
                    return;
                }
                if (still) {
                    return;
                }
                const ends = traces.map(function (i) { return {x: figure.data[i].x, y: figure.data[i].y}; });
                window.Plotly.restyle(gd, {
                    x: reveal.map(function (entry) { return entry.x; }),
                    y: reveal.map(function (entry) { return entry.y; }),
                }, traces).then(function () {
                    return window.Plotly.animate(gd, {data: ends, traces: traces}, {
                        transition: {duration: 900, easing: "cubic-in-out"},
                        frame: {duration: 900, redraw: false},
                    });
                });
            };
            window.requestAnimationFrame(start);
            return none;
        },
    },
});

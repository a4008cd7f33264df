// Reveal, animated (app/figures/questions.py revealed_figure): the figure Dash draws already holds the
// truth where it belongs; the traces listed in layout.meta.reveal are put back where they start (the
// wide secant, the point itself, the ball before its step) and moved to where they are, so the secant
// shrinks to the tangent, the arrow grows and the ball takes its step. Someone who asked the system for
// less motion gets the end at once.
(function () {
const DURATION = 900;  // ms: long enough to follow, short enough not to wait for

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    reveal: {
        animate: function (figure, graphId) {
            const none = window.dash_clientside.no_update;
            const reveal = figure && figure.layout && figure.layout.meta && figure.layout.meta.reveal;
            if (!reveal || !reveal.length || !window.Plotly || typeof window.Plotly.restyle !== "function") {
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
                // A tween of restyles, not Plotly.animate: animate() drops the contour traces it does not
                // move (their paths vanish), restyle() redraws them. Each frame waits for the last.
                const started = performance.now();
                const ease = function (t) { return t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2; };
                const between = function (from, to, share) {  // the very end is the figure's own data
                    return share >= 1 ? to : to.map(function (value, k) { return from[k] + (value - from[k]) * share; });
                };
                const frame = function () {
                    const share = Math.min(1, (performance.now() - started) / DURATION);
                    const eased = ease(share);
                    window.Plotly.restyle(gd, {
                        x: reveal.map(function (entry, k) { return between(entry.x, ends[k].x, eased); }),
                        y: reveal.map(function (entry, k) { return between(entry.y, ends[k].y, eased); }),
                    }, traces).then(function () {
                        if (share < 1) {
                            window.requestAnimationFrame(frame);
                        }
                    });
                };
                frame();
            };
            window.requestAnimationFrame(start);
            return none;
        },
    },
});
})();

// The classroom tools in the nav (app/components/shell.py): presenter mode, hidden controls, full
// screen, copy link and the "?" list of keys. They change only how the page looks, so they run here
// with no request. Presenter mode is a class on <html> (style.css) plus larger type and thicker
// lines in every Plotly figure; ?present=1 in a link turns it on.
(function () {
    const ROOT = document.documentElement;
    const PRESENTER = "presenter";
    const CONTROLS_HIDDEN = "controls-hidden";
    // The figures' type and lines in presenter mode, relative to the page's own figures.
    const FONT_SCALE = 1.5;
    const LINE_SCALE = 2;
    const MARKER_SCALE = 1.5;
    const DEFAULT_FONT = 16;  // app/figures/style.py FONT_SIZE
    const DEFAULT_LINE = 2;  // plotly's own default line width

    const params = new URLSearchParams(window.location.search);
    ROOT.classList.toggle(PRESENTER, params.get("present") === "1");
    ROOT.classList.toggle(CONTROLS_HIDDEN, params.get("present") === "1" && params.get("controls") === "0");

    // ---- figures ---------------------------------------------------------------------------------

    // A copy of a font (or any object holding a "size"), larger.
    function scaledFont(font, fallback) {
        const copy = Object.assign({}, font || {});
        copy.size = (typeof copy.size === "number" ? copy.size : fallback) * FONT_SCALE;
        return copy;
    }

    // Every font in a layout, scaled; the layout itself is never changed (Dash keeps it as its own).
    function presenterLayout(layout) {
        const copy = Object.assign({}, layout || {});
        copy.font = scaledFont(copy.font, DEFAULT_FONT);
        const base = copy.font.size / FONT_SCALE;
        function scaledAxis(value) {
            return Object.assign({}, value, {tickfont: scaledFont(value.tickfont, base)});
        }
        Object.keys(copy).forEach(function (key) {
            const value = copy[key];
            if (!value || typeof value !== "object") {
                return;
            }
            if (/^(x|y)axis\d*$/.test(key)) {
                copy[key] = scaledAxis(value);
            } else if (/^scene\d*$/.test(key)) {
                const scene = Object.assign({}, value);
                ["xaxis", "yaxis", "zaxis"].forEach(function (name) {
                    scene[name] = scaledAxis(scene[name] || {});
                });
                copy[key] = scene;
            }
        });
        if (Array.isArray(copy.annotations)) {
            copy.annotations = copy.annotations.map(function (note) {
                const large = {font: scaledFont(note.font, base)};
                if (note.showarrow !== false) {
                    large.arrowwidth = (typeof note.arrowwidth === "number" ? note.arrowwidth : 1) * LINE_SCALE;
                }
                return Object.assign({}, note, large);
            });
        }
        if (copy.title && typeof copy.title === "object") {
            copy.title = Object.assign({}, copy.title, {font: scaledFont(copy.title.font, base)});
        }
        copy.hoverlabel = Object.assign({}, copy.hoverlabel, {font: scaledFont((copy.hoverlabel || {}).font, base)});
        return copy;
    }

    function presenterTrace(trace) {
        const copy = Object.assign({}, trace);
        const scatter = ["scatter", "scattergl", "scatter3d"].indexOf(trace.type || "scatter") >= 0;
        if ((scatter && /lines/.test(trace.mode || "lines")) || trace.type === "contour") {
            const line = Object.assign({}, trace.line);
            line.width = (typeof line.width === "number" ? line.width : DEFAULT_LINE) * LINE_SCALE;
            copy.line = line;
        }
        if (trace.marker && typeof trace.marker.size === "number") {
            copy.marker = Object.assign({}, trace.marker, {size: trace.marker.size * MARKER_SCALE});
        }
        if (trace.textfont || (scatter && /text/.test(trace.mode || ""))) {
            copy.textfont = scaledFont(trace.textfont, DEFAULT_FONT);
        }
        return copy;
    }

    function presenterFigure(figure) {
        return Object.assign({}, figure, {
            data: (figure.data || []).map(presenterTrace),
            layout: presenterLayout(figure.layout),
        });
    }

    // ---- titles that fit their figure ----------------------------------------------------------------
    // plotly.js never wraps a figure's title: at a phone's width "L(w) = (w − 3)² + 1: each step moves w
    // by −η·L′(w)" ran past the figure's right edge and was cut off. A title wider than its figure is
    // drawn on several lines instead (plotly's <br>), broken after its colon first, then between words,
    // never inside a formula, and the top margin grows by a line for each line added. Dash's figure is
    // left as it is; a resize that changes the lines draws the figure again (below).
    const TITLE_FONT_SCALE = 1.4;  // plotly.js: a title's default size is the figure's font size × 1.4
    const TITLE_LINE = 1.3;  // plotly.js's line height, in font sizes
    const TITLE_ROOM = 12;  // px kept clear at the figure's right edge
    const OPERATOR = /^[=+−\-·×/<>≤≥≈]$/;
    let measuring = null;

    function textWidth(text, font) {
        measuring = measuring || document.createElement("canvas").getContext("2d");
        measuring.font = font;
        return measuring.measureText(text).width;
    }

    // Where a title may break: spaces outside brackets, with no operator on either side.
    function titleWords(text) {
        const words = [];
        let depth = 0;
        let start = 0;
        for (let i = 0; i < text.length; i += 1) {
            const c = text[i];
            depth += "([{".indexOf(c) >= 0 ? 1 : ")]}".indexOf(c) >= 0 ? -1 : 0;
            if (c === " " && depth <= 0 && !OPERATOR.test(text[i - 1] || "") && !OPERATOR.test(text[i + 1] || "")) {
                words.push(text.slice(start, i));
                start = i + 1;
            }
        }
        words.push(text.slice(start));
        return words.filter(function (word) { return word.length > 0; });
    }

    function wrappedTitle(text, width, font) {
        const lines = [];
        let line = "";
        titleWords(text).forEach(function (word) {
            const longer = line ? line + " " + word : word;
            if (line && (textWidth(longer, font) > width || /:$/.test(line) && lines.length === 0)) {
                lines.push(line);
                line = word;
            } else {
                line = longer;
            }
        });
        lines.push(line);
        return lines;
    }

    function fittedFigure(gd, figure) {
        const layout = figure.layout || {};
        const title = layout.title;
        const text = typeof title === "string" ? title : title && title.text;
        const width = gd.getBoundingClientRect().width;
        if (typeof text !== "string" || text.indexOf("<br>") >= 0 || !width) {
            gd.__fittedTitle = text;
            return figure;
        }
        const base = ((layout.font || {}).size || DEFAULT_FONT);
        const titleFont = (typeof title === "object" && title.font) || {};
        const size = titleFont.size || Math.round(base * TITLE_FONT_SCALE);
        const family = titleFont.family || (layout.font || {}).family || "sans-serif";
        const x = typeof title === "object" && typeof title.x === "number" ? title.x : 0.5;
        const room = width * (1 - x) - TITLE_ROOM;
        const font = size + "px " + family;
        if (textWidth(text, font) <= room) {
            gd.__fittedTitle = text;
            return figure;
        }
        const lines = wrappedTitle(text, room, font);
        const fitted = lines.join("<br>");
        gd.__fittedTitle = fitted;
        // plotly.js centres a one-line title in the top margin; a title of several lines hangs from that
        // same height (anchored at its top, in pixels of the container), and the margin grows by a line
        // for each line added, so the last line keeps a one-line title's distance from the plot.
        const margin = Object.assign({}, layout.margin);
        const oneLine = typeof margin.t === "number" ? margin.t : 100;
        margin.t = oneLine + (lines.length - 1) * size * TITLE_LINE;
        const height = gd.getBoundingClientRect().height || layout.height || 450;
        const newTitle = Object.assign({}, typeof title === "object" ? title : {}, {
            text: fitted,
            yref: "container",
            y: 1 - oneLine / 2 / height,
            yanchor: "top",
        });
        return Object.assign({}, figure, {layout: Object.assign({}, layout, {title: newTitle, margin: margin})});
    }

    // plotly.js 4.1 keeps an equal-scale map's old frame when react() brings new axis ranges (a new
    // surface or view window): it widens the x range to the old aspect instead of shrinking the axis
    // domain (cf. plotly.js #3430), while relayout() applies the constraint properly. So when a figure
    // asks for other ranges than it last asked for, they are set again with relayout. A learner's own
    // zoom is left alone: while the surface stays, Dash's figure keeps asking for the same ranges.
    // Read before drawing: plotly.js writes the ranges it settles on back into the layout it is given.
    function requestedRanges(figure) {
        const layout = figure.layout || {};
        if (!layout.yaxis || !layout.yaxis.scaleanchor) {
            return null;
        }
        const wanted = {};
        ["xaxis", "yaxis"].forEach(function (axis) {
            const range = layout[axis] && layout[axis].range;
            if (Array.isArray(range)) {
                wanted[axis + ".range"] = range.slice();
            }
        });
        return wanted;
    }

    function keepRequestedRanges(Plotly, gd, wanted) {
        if (!wanted) {
            return;
        }
        const asked = JSON.stringify(wanted);
        const before = gd.__requestedRanges;
        gd.__requestedRanges = asked;
        if (before !== undefined && before !== asked) {
            Plotly.relayout(gd, wanted);
        }
    }

    // React mounts every graph of a page in one task, so the first plot a learner sees waits for all of
    // them. A 3-D scene (WebGL, the slowest thing a page draws) and a graph below the visible part of
    // the page therefore draw their first figure after the next frame is painted; until that is done,
    // later drawings of the same graph queue behind it, so a quick change is never overwritten by the
    // older figure. plotly.js's 3-D traces are not in the bundle every page loads: the first 3-D figure
    // also waits for Plotly.loadScenes() (browser-bundles/core.js), which fetches them once.
    function isScene(figure) {
        return (figure.data || []).some(function (trace) {
            return trace.type === "surface" || trace.type === "scatter3d" || trace.type === "mesh3d";
        });
    }

    function canWait(gd, figure) {
        return isScene(figure) || gd.getBoundingClientRect().top > window.innerHeight;
    }

    function nextPaint() {
        return new Promise(function (resolve) {
            window.requestAnimationFrame(function () { window.setTimeout(resolve, 0); });
        });
    }

    let scenesLoaded = false;

    // dcc.Graph draws with Plotly.react(gd, figure). Wrapping it once means every figure, whether new,
    // patched or animated, is drawn large in presenter mode, and the figure Dash holds stays as it is.
    function wrap(Plotly) {
        if (!Plotly || Plotly.__presenterWrapped) {
            return;
        }
        function whenDrawable(figure) {
            if (!isScene(figure) || scenesLoaded) {
                return nextPaint();
            }
            return Promise.all([nextPaint(), Plotly.loadScenes()]).then(function () { scenesLoaded = true; });
        }
        ["react", "newPlot"].forEach(function (name) {
            const original = Plotly[name];
            Plotly[name] = function (gd, figure) {
                if (figure && typeof figure === "object" && !Array.isArray(figure) && arguments.length === 2) {
                    gd.__presenterSource = figure;
                    const wanted = requestedRanges(figure);
                    const draw = function () {
                        const source = gd.__presenterSource;  // the newest figure, when a drawing waited
                        const drawn = original.call(
                            Plotly, gd, fittedFigure(gd, ROOT.classList.contains(PRESENTER) ? presenterFigure(source) : source)
                        );
                        if (drawn && typeof drawn.then === "function") {
                            drawn.then(function () { keepRequestedRanges(Plotly, gd, wanted); });
                        }
                        return drawn;
                    };
                    if (gd.__firstDrawing) {
                        return gd.__firstDrawing.then(draw);
                    }
                    if ((isScene(figure) && !scenesLoaded) || (!gd._fullLayout && canWait(gd, figure))) {
                        const waiting = whenDrawable(figure).then(draw);
                        const done = function () { gd.__firstDrawing = null; };
                        waiting.then(done, done);
                        gd.__firstDrawing = waiting;
                        return waiting;
                    }
                    return draw();
                }
                return original.apply(Plotly, arguments);
            };
        });
        Plotly.__presenterWrapped = true;
    }

    // plotly.js loads after this script, deferred (app/main.py): Dash starts, asks for the page and
    // renders it while plotly.js is still downloading and evaluating. Wrap it the moment it is assigned
    // to window.Plotly, before it draws anything. Until then window.Plotly is a promise of it: dcc.Graph
    // waits on `Promise.resolve(window.Plotly || <fetch dcc's full plotly.js>)`, so a graph that mounts
    // first waits for this plotly.js and never fetches the full one.
    let loaded = window.Plotly || null;
    if (loaded) {
        wrap(loaded);
    } else {
        let arrived;
        const arriving = new Promise(function (resolve) { arrived = resolve; });
        Object.defineProperty(window, "Plotly", {
            configurable: true,
            enumerable: true,
            get: function () { return loaded || arriving; },
            set: function (value) {
                loaded = value;
                wrap(value);
                arrived(value);
            },
        });
    }

    // Draw every figure on the page again, in the current mode, from the figure Dash gave it.
    function redrawFigures() {
        if (!loaded) {
            return;
        }
        document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
            if (gd.__presenterSource) {
                loaded.react(gd, gd.__presenterSource);
            }
        });
        window.dispatchEvent(new Event("resize"));  // the grid around the figures may have changed
    }

    // A figure whose title needs other lines at its new width (a phone turned, a window resized) is drawn
    // again; dcc.Graph only resizes it.
    function refitTitles() {
        if (!loaded) {
            return;
        }
        document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
            const source = gd.__presenterSource;
            if (!source || gd.__firstDrawing) {
                return;
            }
            const drawn = gd.__fittedTitle;
            const figure = ROOT.classList.contains(PRESENTER) ? presenterFigure(source) : source;
            const title = fittedFigure(gd, figure).layout;
            gd.__fittedTitle = drawn;
            const text = title && title.title && (typeof title.title === "string" ? title.title : title.title.text);
            if (text !== drawn) {
                loaded.react(gd, source);
            }
        });
    }
    let refitTimer = null;
    window.addEventListener("resize", function () {
        window.clearTimeout(refitTimer);
        refitTimer = window.setTimeout(refitTitles, 150);
    });

    // ---- the address bar ---------------------------------------------------------------------------

    function setQuery(key, value) {
        window.dash_clientside.share.setQuery(key, value);  // assets/share.js
    }

    // ---- the tools -----------------------------------------------------------------------------------

    function byId(id) {
        return document.getElementById(id);
    }

    function say(text) {
        const status = byId("shell-tool-status");
        if (status) {
            status.textContent = text;
            window.clearTimeout(say.timer);
            say.timer = window.setTimeout(function () { status.textContent = ""; }, 4000);
        }
    }

    function showPressed() {
        const states = {
            "shell-presenter": ROOT.classList.contains(PRESENTER),
            "shell-hide-controls": ROOT.classList.contains(CONTROLS_HIDDEN),
            "shell-fullscreen": Boolean(document.fullscreenElement),
        };
        Object.keys(states).forEach(function (id) {
            const button = byId(id);
            if (button) {
                button.setAttribute("aria-pressed", states[id] ? "true" : "false");
            }
        });
        const hide = byId("shell-hide-controls");
        if (hide) {
            hide.textContent = ROOT.classList.contains(CONTROLS_HIDDEN) ? "Show controls" : "Hide controls";
        }
    }

    function setPresenter(on) {
        ROOT.classList.toggle(PRESENTER, on);
        if (!on) {
            ROOT.classList.remove(CONTROLS_HIDDEN);
            setQuery("controls", null);
        }
        setQuery("present", on ? "1" : null);
        showPressed();
        redrawFigures();
        say(on ? "Presenter mode on" : "Presenter mode off");
    }

    function setControlsHidden(hidden) {
        if (hidden && !ROOT.classList.contains(PRESENTER)) {
            setPresenter(true);
        }
        ROOT.classList.toggle(CONTROLS_HIDDEN, hidden);
        setQuery("controls", hidden ? "0" : null);
        showPressed();
        redrawFigures();
        say(hidden ? "Controls hidden" : "Controls shown");
    }

    function toggleFullscreen() {
        const request = document.fullscreenElement
            ? document.exitFullscreen()
            : ROOT.requestFullscreen && ROOT.requestFullscreen();
        Promise.resolve(request).catch(function () {
            say("This browser did not allow full screen; try F11.");
        });
    }

    // The clipboard API needs a secure page (https or localhost); a course server on plain http
    // gets the older copy command, and failing both, the link is shown to copy by hand.
    function copyLink() {
        const link = window.location.href;
        function fallback() {
            const box = document.createElement("textarea");
            box.value = link;
            box.setAttribute("readonly", "");
            box.style.position = "fixed";
            box.style.opacity = "0";
            document.body.appendChild(box);
            box.select();
            let copied = false;
            try {
                copied = document.execCommand("copy");
            } catch (e) {
                copied = false;
            }
            box.remove();
            say(copied ? "Link copied" : "Copy this link: " + link);
        }
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(link).then(function () { say("Link copied"); }, fallback);
        } else {
            fallback();
        }
    }

    function toggleShortcuts() {
        const dialog = byId("shell-shortcuts");
        if (!dialog) {
            return;
        }
        if (dialog.open) {
            dialog.close();
        } else {
            dialog.showModal();
        }
    }

    const ACTIONS = {
        "shell-copy-link": copyLink,
        "shell-presenter": function () { setPresenter(!ROOT.classList.contains(PRESENTER)); },
        "shell-hide-controls": function () { setControlsHidden(!ROOT.classList.contains(CONTROLS_HIDDEN)); },
        "shell-fullscreen": toggleFullscreen,
        "shell-help": toggleShortcuts,
        "shell-shortcuts-close": toggleShortcuts,
    };
    const KEYS = {
        "?": "shell-help",
        "p": "shell-presenter",
        "c": "shell-hide-controls",
        "f": "shell-fullscreen",
        "l": "shell-copy-link",
    };

    document.addEventListener("click", function (event) {
        const button = event.target.closest && event.target.closest("button[id]");
        if (button && ACTIONS[button.id]) {
            ACTIONS[button.id]();
        }
    });

    document.addEventListener("keydown", function (event) {
        const target = event.target;
        if (event.ctrlKey || event.metaKey || event.altKey) {
            return;
        }
        if (target && target.closest && target.closest("input, textarea, select, [role=slider], [role=combobox], [contenteditable]")) {
            return;
        }
        const action = KEYS[event.key];
        if (action) {
            event.preventDefault();
            ACTIONS[action]();
        }
    });

    // A nav link opens the next page without a query: keep presenter mode in its address too.
    window.addEventListener("_dashprivate_pushstate", function () {
        if (ROOT.classList.contains(PRESENTER)) {
            setQuery("present", "1");
            setQuery("controls", ROOT.classList.contains(CONTROLS_HIDDEN) ? "0" : null);
        }
    });

    document.addEventListener("fullscreenchange", function () {
        showPressed();
        window.dispatchEvent(new Event("resize"));
    });

    // The nav is drawn by Dash after this script runs; show the buttons' state once it is there.
    const waitForTools = window.setInterval(function () {
        if (byId("shell-tools")) {
            window.clearInterval(waitForTools);
            showPressed();
        }
    }, 50);

    window.dash_clientside = Object.assign({}, window.dash_clientside, {presenter: {figure: presenterFigure}});
})();

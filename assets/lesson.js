// Lessons in the browser (app/components/lessons.py, app/pages/lesson.py).
// - The address carries the lesson after its "#": #lesson=<code>&step=4. codeOf hands the code to the
//   server once; the server answers with the checked lesson (Lesson.OPENED), and drawBar draws the bar.
// - Stepping is a history entry per step, opened by Dash's router exactly as the step's link would
//   be (no reload, and back and forward work): → and Page Down (a clicker's forward button), ← and
//   Page Up, Home and End, and the bar's buttons.
// - In presenter mode, "Add to lesson" (or a) appends this view to the draft lesson, which lives in
//   the browser's localStorage as Dash's local dcc.Store keeps it (the /lesson page edits it).
// Captions and titles are only ever set as text (Dash's children), never as HTML.
(function () {
    const DRAFT_KEY = "lesson-draft";  // app/ids.py Lesson.DRAFT: the dcc.Store's localStorage key
    const MAX_STEPS = 60;  // app/lessons/model.py MAX_STEPS
    const BROWSER_KEYS = ["present"];  // a lesson is always shown in presenter mode; controls=0 is kept
    const TYPING = "input, textarea, select, [role=slider], [role=combobox], [contenteditable]";
    let opened = null;  // the checked lesson the bar last drew (the server's answer)
    let sentCode = null;  // the lesson code last handed to the server

    function hashParams() {
        return new URLSearchParams(window.location.hash.replace(/^#/, ""));
    }

    function currentStep() {
        const step = parseInt(hashParams().get("step"), 10);
        return Number.isFinite(step) ? step : 0;
    }

    function say(text) {
        const status = document.getElementById("shell-tool-status");
        if (status) {
            status.textContent = text;
            window.clearTimeout(say.timer);
            say.timer = window.setTimeout(function () { status.textContent = ""; }, 4000);
        }
    }

    // Open step k (1-based) of the open lesson, as its link would, in presenter mode. Presenter mode is
    // turned on first and written into the new address: Dash's Location must see the address as it
    // stays, or it pushes its own (older) copy of it as a new history entry.
    function go(k) {
        if (!opened || !opened.steps || k < 1 || k > opened.steps.length || k === currentStep()) {
            return;  // past either end, or already there: no new history entry
        }
        const root = document.documentElement;
        if (!root.classList.contains("presenter")) {
            const presenter = document.getElementById("shell-presenter");
            if (presenter) {
                presenter.click();
            }
        }
        const link = new URL(opened.steps[k - 1].link, window.location.origin);
        link.searchParams.set("present", "1");
        // A step made with the controls hidden hides them; otherwise the teacher's choice stays.
        if (link.searchParams.get("controls") === "0" && !root.classList.contains("controls-hidden")) {
            const hide = document.getElementById("shell-hide-controls");
            if (hide) {
                hide.click();
            }
        }
        if (root.classList.contains("controls-hidden")) {
            link.searchParams.set("controls", "0");
        }
        const search = link.searchParams.toString().replace(/%2C/gi, ",");
        const url = link.pathname + "?" + search + "#lesson=" + opened.code + "&step=" + k;
        if (!sameView(link, window.location)) {
            turning();  // the router draws the new step: the old one dims until it is replaced
        }
        window.history.pushState({}, "", url);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));  // what dcc.Link sends
        window.scrollTo(0, 0);
    }

    // The same page with the same settings, in any order (the page's mirror may have reordered them).
    function sameView(a, b) {
        function settings(location) {
            const query = new URLSearchParams(location.search);
            return Array.from(query.keys()).sort().map(function (key) { return key + "=" + query.getAll(key).join(","); }).join("&");
        }
        return a.pathname === b.pathname && settings(a) === settings(b);
    }

    // While the server draws the next step, the current one is dimmed (feedback, and no moment where the
    // new caption stands above the old figure); the first change Dash makes to the page content ends it.
    const TURNING = "lesson-turning";
    function turning() {
        const root = document.documentElement;
        root.classList.add(TURNING);
        window.clearTimeout(turning.timer);
        turning.timer = window.setTimeout(function () { root.classList.remove(TURNING); }, 4000);
        const content = document.getElementById("_pages_content");
        if (!content) {
            return;
        }
        const watcher = new MutationObserver(function (records) {
            const drawn = records.some(function (record) {
                const target = record.target;
                if (record.type === "attributes" && /^data-dash/.test(record.attributeName)) {
                    return false;  // Dash marking the old page as loading: the new step is not drawn yet
                }
                return !(target.closest && target.closest(".js-plotly-plot"));  // a playing figure is not the new step
            });
            if (drawn) {
                watcher.disconnect();
                root.classList.remove(TURNING);
            }
        });
        watcher.observe(content, {childList: true, subtree: true, characterData: true, attributes: true});
    }

    function leave() {
        const url = window.location.pathname + window.location.search;
        window.history.pushState({}, "", url);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    }

    // ---- the draft -------------------------------------------------------------------------------------

    function readDraft() {
        try {
            const draft = JSON.parse(window.localStorage.getItem(DRAFT_KEY));
            if (draft && Array.isArray(draft.steps)) {
                return draft;
            }
        } catch (e) {
            // a damaged draft starts again
        }
        return {title: "My lesson", steps: []};
    }

    // This view as a step: a question open on the page is the step; otherwise the page's link.
    function thisView() {
        const query = new URLSearchParams(window.location.search);
        const kind = query.get("q");
        if (kind) {
            const step = {question: kind, seed: parseInt(query.get("seed") || "0", 10) || 0};
            if (query.get("level") && query.get("level") !== "easy") {
                step.level = query.get("level");
            }
            return step;
        }
        BROWSER_KEYS.forEach(function (key) { query.delete(key); });
        const search = query.toString().replace(/%2C/gi, ",");
        return {view: window.location.pathname + (search ? "?" + search : "")};
    }

    function addView() {
        const draft = readDraft();
        if (draft.steps.length >= MAX_STEPS) {
            say("Your draft lesson already has " + MAX_STEPS + " steps, the most a lesson holds.");
            return;
        }
        const step = thisView();
        // In a lesson, the step's caption comes along, so a lesson can be remixed.
        const k = currentStep();
        if (opened && opened.steps && k >= 1 && k <= opened.steps.length && opened.steps[k - 1].caption) {
            step.caption = opened.steps[k - 1].caption;
        }
        draft.steps.push(step);
        window.localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
        window.localStorage.setItem(DRAFT_KEY + "-timestamp", String(Date.now()));
        say("Added to your draft lesson: step " + draft.steps.length + ". Edit it on the Lesson page.");
    }

    // ---- keys and buttons ------------------------------------------------------------------------------

    // Capture phase: in a lesson, ← and → step the lesson before the step player (assets/player.js)
    // sees them, except when the focus is in a player the teacher clicked.
    document.addEventListener("keydown", function (event) {
        const target = event.target;
        if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
            return;
        }
        if (target && target.closest && (target.closest(TYPING) || target.closest("dialog[open]"))) {
            return;
        }
        if (event.key === "a" && document.documentElement.classList.contains("presenter")) {
            event.preventDefault();
            addView();
            return;
        }
        const k = currentStep();
        if (!opened || !opened.steps || k < 1) {
            return;
        }
        const inPlayer = target && target.closest && target.closest("[data-player-scope]");
        const moves = {
            "PageDown": k + 1,
            "PageUp": k - 1,
            "Home": 1,
            "End": opened.steps.length,
            "ArrowRight": inPlayer ? null : k + 1,
            "ArrowLeft": inPlayer ? null : k - 1,
        };
        const next = moves[event.key];
        if (next === null || next === undefined) {
            return;
        }
        event.preventDefault();
        event.stopPropagation();
        go(Math.max(1, Math.min(opened.steps.length, next)));
    }, true);

    document.addEventListener("click", function (event) {
        const button = event.target.closest && event.target.closest("button[id], a[data-lesson-step]");
        if (!button) {
            return;
        }
        if (button.dataset && button.dataset.lessonStep) {
            event.preventDefault();
            go(parseInt(button.dataset.lessonStep, 10));
            return;
        }
        const k = currentStep();
        const actions = {
            "lesson-bar-next": function () { go(k + 1); },
            "lesson-bar-previous": function () { go(k - 1); },
            "lesson-bar-leave": leave,
            "lesson-start": function () { go(1); },
            "shell-add-view": addView,
        };
        if (actions[button.id]) {
            actions[button.id]();
        }
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        lesson: {
            // The address's lesson code (or null); unchanged codes are not sent again.
            // A page opened without a lesson sends nothing: no request on an ordinary page load.
            codeOf: function (hash) {
                const code = new URLSearchParams((hash || "").replace(/^#/, "")).get("lesson");
                if (code === sentCode) {
                    return window.dash_clientside.no_update;
                }
                sentCode = code;
                return code;
            },
            // The draft's lesson link, whole (the server knows its path, not the address the class uses).
            fullLink: function (href) {
                return href && href.indexOf("#lesson=") >= 0 ? window.location.origin + href : "";
            },
            // The bar: hidden unless a checked lesson is open at one of its steps.
            drawBar: function (hash, lesson) {
                opened = lesson && lesson.steps ? lesson : null;
                const params = new URLSearchParams((hash || "").replace(/^#/, ""));
                const k = parseInt(params.get("step"), 10);
                const n = opened ? opened.steps.length : 0;
                const stepping = Boolean(opened) && params.get("lesson") === opened.code && k >= 1 && k <= n;
                document.documentElement.classList.toggle("in-lesson", stepping);
                if (!stepping) {
                    return ["lesson-bar hidden", "", "", "", true, true];
                }
                const caption = opened.steps[k - 1].caption || "";
                return [
                    "lesson-bar" + (caption ? "" : " no-caption"),
                    opened.title,
                    "Step " + k + " / " + n,
                    caption,
                    k <= 1,
                    k >= n,
                ];
            },
        },
    });
})();

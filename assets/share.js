// The address bar mirrors every control (app/components/share.py), so a link restores the view.
// history.replaceState changes the URL without telling Dash's Location, so nothing is rendered again
// and no request is made; the server reads the query only when a page is opened.
(function () {
    // A value as it appears in the query: numbers in JavaScript's shortest round-trip form, which
    // Python's float() reads back exactly. undefined means "leave the URL's current value alone".
    function encode(mirror, value) {
        if (mirror.field !== null && value !== null && typeof value === "object" && !Array.isArray(value)) {
            // An optional field a state leaves out is at its default, so it leaves the link too.
            value = mirror.optional && !(mirror.field in value) ? mirror.default : value[mirror.field];
        }
        if (mirror.item !== null) {
            return Array.isArray(value) ? value.map(function (entry) { return String(entry[mirror.item]); }).join(",") : undefined;
        }
        if (mirror.kind === "flag") {
            if (Array.isArray(value)) {  // a one-box checklist: ticked when its list is not empty
                value = value.length > 0;
            }
            return value ? "1" : "0";
        }
        if (mirror.kind === "number") {
            // Typed text: only a finite number is written, so a refused entry keeps the last good one.
            const number = Number(String(value === null || value === undefined ? "" : value).replace("−", "-"));
            const usable = String(value).trim() !== "" && isFinite(number) &&
                (mirror.low === null || number >= mirror.low) && (mirror.high === null || number <= mirror.high) &&
                (!mirror.whole || Number.isInteger(number));
            return usable ? String(number) : undefined;
        }
        if (mirror.kind === "cleared") {
            // A value that leaves the link when it is gone (a question closed): null removes the key.
            return value === null || value === undefined ? null : String(value);
        }
        if (mirror.kind === "frame") {
            // A paused player's step. While it plays, or when it shows the whole run, there is none.
            if (!value || value.playing || typeof value.frame !== "number" || value.frame >= value.last) {
                return null;
            }
            return String(Math.round(value.frame));
        }
        return value === null || value === undefined ? undefined : String(value);
    }

    // The value an entry leaves out of the link: its default, or the one its store's other entry picks
    // (default_by, in app/components/share.py).
    function defaultOf(entry, value) {
        if (entry.default_by !== null && entry.defaults !== null && value !== null && typeof value === "object") {
            const by = value[entry.default_by];
            if (Object.prototype.hasOwnProperty.call(entry.defaults, by)) {
                return entry.defaults[by];
            }
        }
        return entry.default;
    }

    function mirror(spec, values) {
        const params = new URLSearchParams(window.location.search);
        spec.forEach(function (entry) {
            const text = encode(entry, values[entry.input]);
            if (text === undefined) {
                return;
            }
            const fallback = entry.default === null ? null : encode(Object.assign({}, entry, {field: null}), defaultOf(entry, values[entry.input]));
            if (text === null || text === fallback) {
                params.delete(entry.key);
            } else {
                params.set(entry.key, text);
            }
        });
        return write(params);
    }

    // The address bar with this query, in place: no reload, no history entry, and nothing if unchanged.
    function write(query) {
        const search = query.toString().replace(/%2C/gi, ",");  // commas are fine in a query, and easier to read
        const url = window.location.pathname + (search ? "?" + search : "") + window.location.hash;
        if (url !== window.location.pathname + window.location.search + window.location.hash) {
            window.history.replaceState(window.history.state, "", url);
        }
        return search;
    }

    // One key of the query, set (or removed, for null).
    function setQuery(key, value) {
        const query = new URLSearchParams(window.location.search);
        if (value === null) {
            query.delete(key);
        } else {
            query.set(key, value);
        }
        write(query);
    }

    // The code panel's open or closed state is part of the view too (code=1). It is a plain
    // <details>, so the browser, not Dash, tracks it: follow its toggle, and open it when a page
    // whose link asks for it appears.
    const CODE_KEY = "code";
    document.addEventListener("toggle", function (event) {
        if (event.target.matches && event.target.matches("details.code-panel")) {
            setQuery(CODE_KEY, event.target.open ? "1" : null);
        }
    }, true);  // toggle does not bubble
    new MutationObserver(function () {
        const panel = document.querySelector("details.code-panel:not([data-link-read])");
        if (panel) {
            panel.setAttribute("data-link-read", "");
            if (new URLSearchParams(window.location.search).get(CODE_KEY) === "1") {
                panel.open = true;
            }
        }
    }).observe(document.documentElement, {childList: true, subtree: true});

    window.dash_clientside = Object.assign({}, window.dash_clientside, {share: {mirror: mirror, setQuery: setQuery}});
})();

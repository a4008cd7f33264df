// /practice (app/pages/practice.py): the learner's progress, kept in this browser only (localStorage),
// and the choice of the next kind of question from it. No server callback reads any of this: the server
// is sent the kind, a seed and the level to draw, and later the guess, as on every concept page.
//
// Progress: {version: 1, kinds: {key: {recent: [true, false, ...]}},
//            pages: {path: {tries, correct, streak}}, last: "kind:seed:level"}
(function () {
    const VERSION = 1;
    const RECENT = 3;  // a kind's last tries that count as recent
    const MAX_SEED = 2147483647;  // app/questions/base.py MAX_SEED
    const LEVELS = ["easy", "harder"];

    function empty() {
        return {version: VERSION, kinds: {}, pages: {}, last: null};
    }

    function isObject(value) {
        return value !== null && typeof value === "object" && !Array.isArray(value);
    }

    function count(value) {
        return Number.isInteger(value) && value >= 0 ? value : 0;
    }

    // The progress as this file writes it, whatever the store or localStorage held (an older or a broken
    // value becomes a fresh start, not an error).
    function clean(progress) {
        if (!isObject(progress) || progress.version !== VERSION) {
            return empty();
        }
        const out = empty();
        if (isObject(progress.kinds)) {
            Object.keys(progress.kinds).forEach(function (key) {
                const recent = isObject(progress.kinds[key]) ? progress.kinds[key].recent : null;
                out.kinds[key] = {recent: Array.isArray(recent) ? recent.filter(r => r === true || r === false).slice(-RECENT) : []};
            });
        }
        if (isObject(progress.pages)) {
            Object.keys(progress.pages).forEach(function (path) {
                const page = isObject(progress.pages[path]) ? progress.pages[path] : {};
                const tries = count(page.tries);
                const correct = Math.min(count(page.correct), tries);
                out.pages[path] = {tries: tries, correct: correct, streak: Math.min(count(page.streak), correct)};
            });
        }
        out.last = typeof progress.last === "string" ? progress.last : null;
        return out;
    }

    // The store's value, or (before the store has read localStorage) localStorage itself.
    function current(progress, catalogue) {
        if (progress === null || progress === undefined) {
            try {
                progress = JSON.parse(window.localStorage.getItem((catalogue || {}).storage || ""));
            } catch (error) {
                progress = null;
            }
        }
        return clean(progress);
    }

    // Each kind's weight: 1 + 2 × its misses among its recent tries. The kind just asked is left out
    // where there is another.
    function weights(progress, keys, previous) {
        const known = clean(progress);
        const others = keys.filter(key => key !== previous);
        return (others.length ? others : keys).map(function (key) {
            const recent = (known.kinds[key] || {recent: []}).recent;
            return {key: key, weight: 1 + 2 * recent.filter(right => right === false).length};
        });
    }

    // The kind that a number r in [0, 1) lands on, each kind taking its weight's share of [0, 1).
    function choose(weighted, r) {
        const total = weighted.reduce((sum, entry) => sum + entry.weight, 0);
        let point = r * total;
        for (let i = 0; i < weighted.length; i++) {
            point -= weighted[i].weight;
            if (point < 0) {
                return weighted[i].key;
            }
        }
        return weighted[weighted.length - 1].key;
    }

    // The progress after one revealed question; the same question revealed again counts once.
    function record(progress, outcome, page) {
        const next = clean(progress);
        const id = outcome.kind + ":" + outcome.seed + ":" + outcome.level;
        if (next.last === id) {
            return null;
        }
        const recent = (next.kinds[outcome.kind] || {recent: []}).recent.concat([outcome.right]).slice(-RECENT);
        next.kinds[outcome.kind] = {recent: recent};
        const before = next.pages[page] || {tries: 0, correct: 0, streak: 0};
        next.pages[page] = {
            tries: before.tries + 1,
            correct: before.correct + (outcome.right ? 1 : 0),
            streak: outcome.right ? before.streak + 1 : 0,
        };
        next.last = id;
        return next;
    }

    function seed() {
        const words = new Uint32Array(1);
        window.crypto.getRandomValues(words);
        return words[0] % (MAX_SEED + 1);
    }

    function triggered() {
        const context = window.dash_clientside.callback_context || {};
        return ((context.triggered || [])[0] || {}).prop_id || "";
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        practice: {
            clean: clean,
            weights: weights,
            choose: choose,
            record_one: record,
            // The next question to draw: {kind, seed, level}. A question already in the page (from a
            // link) stays when the page opens; a new level keeps the kind.
            pick: function (_another, level, question, progress, catalogue) {
                const none = window.dash_clientside.no_update;
                const trigger = triggered();
                const keys = Object.keys((catalogue || {}).kinds || {});
                if (!keys.length) {
                    return none;
                }
                const held = isObject(question) && keys.indexOf(question.kind) >= 0 ? question.kind : null;
                level = LEVELS.indexOf(level) >= 0 ? level : LEVELS[0];
                if (held && !/n_clicks$|value$/.test(trigger)) {
                    return none;
                }
                if (held && /value$/.test(trigger)) {
                    return {kind: held, seed: seed(), level: level};
                }
                const kind = choose(weights(current(progress, catalogue), keys, held), Math.random());
                return {kind: kind, seed: seed(), level: level};
            },
            // Reveal's outcome into the progress, or the progress forgotten.
            // Outputs: the progress, the store's clear_data, and the confirmation line.
            record: function (outcome, _forget, progress, catalogue) {
                const none = window.dash_clientside.no_update;
                if (/n_clicks$/.test(triggered())) {
                    return [none, true, "Your progress is forgotten: this browser holds none of it now."];
                }
                const pages = ((catalogue || {}).kinds) || {};
                if (!isObject(outcome) || !(outcome.kind in pages) || typeof outcome.right !== "boolean") {
                    return [none, none, none];
                }
                const next = record(current(progress, catalogue), outcome, pages[outcome.kind]);
                return next === null ? [none, none, none] : [next, none, ""];
            },
            // "From Gradient": the page the question in the panel comes from.
            source: function (question, catalogue) {
                const kinds = (catalogue || {}).kinds || {}, names = (catalogue || {}).names || {};
                if (!isObject(question) || !(question.kind in kinds)) {
                    return "";
                }
                return "From " + (names[kinds[question.kind]] || kinds[question.kind]);
            },
            // The table's cells (tries, correct, streak for each page, in the catalogue's order) and its caption.
            progressTable: function (progress, catalogue) {
                const known = clean(progress);
                const cells = [];
                let tries = 0, correct = 0;
                ((catalogue || {}).pages || []).forEach(function (path) {
                    const page = known.pages[path] || {tries: 0, correct: 0, streak: 0};
                    cells.push(String(page.tries), String(page.correct), String(page.streak));
                    tries += page.tries;
                    correct += page.correct;
                });
                const caption = tries === 0
                    ? "No tries yet in this browser."
                    : `${tries} ${tries === 1 ? "try" : "tries"}, ${correct} correct, in this browser.`;
                return cells.concat([caption]);
            },
        },
    });
})();

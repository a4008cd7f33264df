// The step player (app/components/player.py), run entirely in the browser.
// The server sends a run once (positions and losses); every control here only chooses a step k and
// copies data for that step into the figures' tagged traces (see app/figures/descent.py). The only
// arithmetic is on the run itself: the update is w[k+1] − w[k], and the gradient is −update / η.
(function () {
    const PLAY = "▶ Play";
    const PAUSE = "⏸ Pause";

    // The frame each player last showed, by section. Dash hands a callback the Store's value as it
    // was when the callback was queued, so two quick key presses would both start from the same
    // frame and one step would be lost; the callbacks run in order, so this record never is stale.
    const shown = {};

    function triggeredIds() {
        const context = window.dash_clientside.callback_context;
        return (context.triggered || []).map(function (t) {
            const id = t.prop_id.slice(0, t.prop_id.lastIndexOf("."));
            try {
                return JSON.parse(id);
            } catch (e) {
                return {type: id};
            }
        });
    }

    function fixed(value, decimals) {
        if (!isFinite(value)) {
            return "undefined";
        }
        const text = value.toFixed(decimals === undefined ? 4 : decimals);
        return /^-0\.?0*$/.test(text) ? text.slice(1) : text;  // no "-0.0000", as on the server
    }

    function vector(values) {
        return values.length === 1 ? fixed(values[0]) : "[" + values.map(function (v) { return fixed(v); }).join(", ") + "]";
    }

    function position(run, k) {
        return run.dims === 1 ? [run.x[k]] : [run.x[k], run.y[k]];
    }

    function update(run, k) {
        const last = run.loss.length - 1;
        if (k >= last) {
            return null;
        }
        return run.dims === 1 ? [run.x[k + 1] - run.x[k]] : [run.x[k + 1] - run.x[k], run.y[k + 1] - run.y[k]];
    }

    function gradient(run, k) {
        const step = update(run, k);
        return step === null ? run.final_gradient : step.map(function (u) { return -u / run.learning_rate; });
    }

    function readout(run, k) {
        const step = update(run, k);
        const g = gradient(run, k);
        if (run.dims === 1) {
            return "step " + k + ": w = " + fixed(run.x[k]) + ", L = " + fixed(run.loss[k]) + ", L′(w) = " +
                fixed(g[0]) + (step === null ? " (last step)" : ", update = " + fixed(step[0]));
        }
        return "step " + k + ": (x, y) = (" + fixed(run.x[k]) + ", " + fixed(run.y[k]) + "), L = " + fixed(run.loss[k]) +
            ", ∇L = " + vector(g) + (step === null ? " (last step)" : ", update = " + vector(step));
    }

    // The columns a trace shows for steps [from, to), by its axes: w and L, x and y, or x, y and L.
    function columns(run, axes, from, to) {
        if (axes === "xl") {
            return {x: run.x.slice(from, to), y: run.loss.slice(from, to)};
        }
        if (axes === "xy") {
            return {x: run.x.slice(from, to), y: run.y.slice(from, to)};
        }
        return {x: run.x.slice(from, to), y: run.y.slice(from, to), z: run.loss.slice(from, to)};
    }

    function arrow(run, axes, k) {
        const g = gradient(run, k);
        const length = Math.sqrt(g.reduce(function (s, v) { return s + v * v; }, 0));
        const here = columns(run, axes, k, k + 1);
        if (!(length > 0) || !isFinite(length)) {
            return here;
        }
        const scale = run.arrow_length / length;  // −∇L, drawn at a fixed length: direction only
        if (axes === "xl") {
            return {x: [run.x[k], run.x[k] - g[0] * scale], y: [run.loss[k], run.loss[k]]};
        }
        const tip = {x: [run.x[k], run.x[k] - g[0] * scale], y: [run.y[k], run.y[k] - g[1] * scale]};
        if (axes === "xyz") {
            // Along the tangent plane: the height changes by ∇L·d = −|∇L| · arrow length.
            tip.z = [run.loss[k], run.loss[k] - length * run.arrow_length];
        }
        return tip;
    }

    // A race (app/components/optimizers.py) sends several runs at once: {runs: [{x, y, loss}], last,
    // names, log_axis}. A trace tagged kind:axes:i shows run i at step k, or at its own last step once
    // that run has stopped. The readout lists every run's loss at step k.
    // A race's arrays travel as float32, packed ({f4_delta: base64}, app/components/player.py: each
    // value's bits as the difference from the previous value's, in four byte planes); plotly-style typed
    // arrays ({dtype: "f4" or "f8", bdata: base64}) are read too. They are decoded once per race
    // (remembered by the race object itself).
    const unpacked = new WeakMap();

    function bytesOf(base64) {
        const text = atob(base64);
        const bytes = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) {
            bytes[i] = text.charCodeAt(i);
        }
        return bytes;
    }

    function floats(value) {
        if (value && typeof value.f4_delta === "string") {
            const bytes = bytesOf(value.f4_delta);
            const n = bytes.length / 4;
            const bits = new Uint32Array(n);
            let sum = 0;
            for (let i = 0; i < n; i++) {
                const step = bytes[i] | (bytes[n + i] << 8) | (bytes[2 * n + i] << 16) | (bytes[3 * n + i] << 24);
                sum = (sum + step) >>> 0;  // modulo 2^32, as the server took the differences
                bits[i] = sum;
            }
            return new Float32Array(bits.buffer);
        }
        if (value && typeof value.bdata === "string" && (value.dtype === "f4" || value.dtype === "f8")) {
            const buffer = bytesOf(value.bdata).buffer;
            return value.dtype === "f4" ? new Float32Array(buffer) : new Float64Array(buffer);
        }
        return value;
    }

    function unpack(run) {
        if (!run || !run.runs || typeof run !== "object") {
            return run;
        }
        if (!unpacked.has(run)) {
            unpacked.set(run, Object.assign({}, run, {
                runs: run.runs.map(function (one) {
                    return {x: floats(one.x), y: floats(one.y), loss: floats(one.loss)};
                }),
            }));
        }
        return unpacked.get(run);
    }

    function lastStep(run) {
        return run.runs ? run.last : run.loss.length - 1;
    }

    function raceReadout(run, k) {
        return "step " + k + ": " + run.runs.map(function (one, i) {
            const j = Math.min(k, one.loss.length - 1);
            return run.names[i] + " L = " + fixed(one.loss[j]) + (j < k ? " (stopped at " + j + ")" : "");
        }).join("; ");
    }

    // Figures get plain arrays: a typed array inside a figure might not survive the renderer's copies.
    function plain(data) {
        const out = {};
        Object.keys(data).forEach(function (key) {
            out[key] = Array.from(data[key]);
        });
        return out;
    }

    function patchRace(figure, run, k, freshRun) {
        const patch = new window.dash_clientside.Patch();
        ((figure && figure.data) || []).forEach(function (trace, i) {
            if (typeof trace.meta !== "string") {
                return;
            }
            const parts = trace.meta.split(":");
            const one = run.runs[Number(parts[2])];
            if (!one || one.loss.length === 0) {
                return;
            }
            const j = Math.min(k, one.loss.length - 1);
            if (parts[0] === "path") {
                assign(patch, i, plain(columns(one, parts[1], 0, j + 1)));
            } else if (parts[0] === "ball") {
                assign(patch, i, plain(columns(one, parts[1], j, j + 1)));
            } else if (parts[0] === "marker") {
                assign(patch, i, {x: [j], y: [one.loss[j]]});
            } else if (freshRun && parts[0] === "line") {
                assign(patch, i, {x: Array.from(one.loss, function (_, step) { return step; }), y: Array.from(one.loss)});
            }
        });
        if (freshRun && (figure.data || []).some(function (t) { return typeof t.meta === "string" && t.meta.indexOf("line:") === 0; })) {
            patch.assign(["layout", "yaxis", "type"], run.log_axis ? "log" : "linear");
            patch.assign(["layout", "yaxis", "title", "text"], run.log_axis ? "loss L (log scale)" : "loss L");
        }
        return patch.build();
    }

    function assign(patch, index, data) {
        Object.keys(data).forEach(function (key) {
            patch.assign(["data", index, key], data[key]);
        });
    }

    function patchFigure(figure, run, k, freshRun) {
        const patch = new window.dash_clientside.Patch();
        const last = run.loss.length - 1;
        ((figure && figure.data) || []).forEach(function (trace, i) {
            if (typeof trace.meta !== "string") {
                return;
            }
            const parts = trace.meta.split(":");
            const kind = parts[0];
            const axes = parts[1];
            if (kind === "path") {
                assign(patch, i, columns(run, axes, 0, k + 1));
            } else if (kind === "ball") {
                assign(patch, i, columns(run, axes, k, k + 1));
            } else if (kind === "arrow") {
                assign(patch, i, arrow(run, axes, k));
            } else if (kind === "marker") {
                assign(patch, i, {x: [k], y: [run.loss[k]]});
            } else if (freshRun && kind === "ghost") {
                assign(patch, i, columns(run, axes, 0, last + 1));
            } else if (freshRun && kind === "line") {
                assign(patch, i, {x: run.loss.map(function (_, j) { return j; }), y: run.loss});
                const positive = run.loss.every(function (v) { return v > 0; });
                patch.assign(["layout", "yaxis", "type"], positive ? "log" : "linear");
                patch.assign(["layout", "yaxis", "title", "text"], positive ? "loss L (log scale)" : "loss L");
                // Over a decade or two, plotly labels every digit (10, 9, 8, … 2, 1) in a crowd of small
                // numbers; 1, 2 and 5 of each decade read better. Wider ranges keep plotly's own choice.
                patch.assign(["layout", "yaxis", "dtick"], positive && decades(run.loss) < 2 ? "D2" : null);
            }
        });
        return patch.build();
    }

    function decades(values) {
        let low = Infinity;
        let high = 0;
        values.forEach(function (v) {
            if (isFinite(v)) {
                low = Math.min(low, v);
                high = Math.max(high, v);
            }
        });
        return Math.log10(high / low);
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        player: {
            floats: floats,  // for tests/browser/test_optimizers_wire.py
            update: function (play, back, forward, reset, tick, scrub, run, state, speed, figures) {
                const nu = window.dash_clientside.no_update;
                figures = figures || [];
                run = unpack(run);
                const nothing = [nu, true, nu, nu, nu, nu, figures.map(function () { return nu; }), nu];
                if (!run || (run.runs ? !(run.last >= 0) : !run.loss || run.loss.length === 0)) {
                    return nothing;
                }
                const last = lastStep(run);
                const triggered = triggeredIds();
                const types = triggered.map(function (id) { return id.type; });
                const section = (triggered.find(function (id) { return id.section; }) || {}).section;
                const by = function (type) { return types.indexOf(type) >= 0; };
                // A step asked for by the page's link (app/components/share.py), used by the first run only.
                const start = state && typeof state.start === "number" ? state.start : null;
                const remembered = shown[section] ? {frame: shown[section].frame, playing: shown[section].playing} : {};
                state = Object.assign({frame: last, playing: false, tick_ms: 50}, state || {}, remembered);
                let frame = Math.min(state.frame, last);
                let playing = state.playing;
                const freshRun = by("player-run") || !types.some(function (t) { return t.indexOf("player-") === 0; });
                if (freshRun) {
                    frame = start === null ? last : Math.min(start, last);  // a new run is shown whole; Play replays it from step 0
                    playing = false;
                } else if (by("player-play")) {
                    playing = !playing;
                    if (playing && frame >= last) {
                        frame = 0;
                    }
                } else if (by("player-back") || by("player-forward")) {
                    // Quick presses can reach Dash together as one call: count the clicks, not the calls.
                    const counted = shown[section] || {};
                    const ahead = (forward || 0) - (counted.forward || 0) - ((back || 0) - (counted.back || 0));
                    playing = false;
                    frame = Math.max(0, Math.min(last, Math.round(frame) + ahead));
                } else if (by("player-reset")) {
                    playing = false;
                    frame = 0;
                } else if (by("player-scrub")) {
                    if (scrub === Math.round(frame)) {
                        return nothing;  // the echo of our own update
                    }
                    playing = false;
                    frame = Math.max(0, Math.min(last, Number(scrub) || 0));
                } else if (by("player-tick")) {
                    if (!playing) {
                        return nothing;
                    }
                    frame = Math.min(last, frame + (Number(speed) || 5) * state.tick_ms / 1000);
                    if (frame >= last) {
                        playing = false;
                    }
                }
                const k = Math.round(frame);
                if (section) {
                    shown[section] = {frame: frame, playing: playing, forward: forward || 0, back: back || 0};
                }
                return [
                    {frame: frame, playing: playing, tick_ms: state.tick_ms, last: last},
                    !playing,
                    playing ? PAUSE : PLAY,
                    playing ? "true" : "false",
                    k,
                    last,
                    figures.map(function (figure) {
                        return run.runs ? patchRace(figure, run, k, freshRun) : patchFigure(figure, run, k, freshRun);
                    }),
                    run.runs ? raceReadout(run, k) : readout(run, k),
                ];
            },
        },
    });

    // Keyboard: space plays or pauses, ← and → step, for the player nearest the focus (or the last
    // one on the page). Keys typed into inputs, sliders and buttons keep their usual meaning.
    document.addEventListener("keydown", function (event) {
        const target = event.target;
        if (target && target.closest && target.closest("input, textarea, select, button, [role=slider], [role=combobox]")) {
            return;
        }
        const kinds = {" ": "player-play", "ArrowLeft": "player-back", "ArrowRight": "player-forward"};
        const kind = kinds[event.key];
        // A table that scrolls sideways (a phone) keeps ← and → for its own scrolling once it has the focus.
        const region = target && target.closest ? target.closest("[role=region]") : null;
        if (region && kind !== "player-play" && region.scrollWidth > region.clientWidth) {
            return;
        }
        const players = document.querySelectorAll(".player");
        if (!kind || players.length === 0) {
            return;
        }
        const near = target && target.closest ? target.closest("[data-player-scope]") : null;
        const scoped = near ? near.querySelector(".player") : null;
        const player = scoped || players[players.length - 1];
        const button = Array.prototype.find.call(player.querySelectorAll("button"), function (b) {
            return b.id.indexOf('"type":"' + kind + '"') >= 0;
        });
        if (button) {
            event.preventDefault();
            button.click();
        }
    });
})();

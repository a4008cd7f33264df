// /derivative: the secant-to-tangent animation, played entirely in the browser.
// The server sends every frame once (ANIMATION_FRAMES); each tick only copies that frame's precomputed
// data into the figure and the readouts. No maths happens here, and no request is made until the end,
// when the h slider is set to the final h so the whole page agrees with the last frame.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    derivative: {
        animate: function (clicks, ticks, frames, state, figure) {
            const nu = window.dash_clientside.no_update;
            const triggered = (window.dash_clientside.callback_context.triggered || [])
                .map(t => t.prop_id.split(".")[0]);
            const idle = "▶ Animate h → " + (frames ? frames.final_label : "0.0001");
            state = state || {running: false, frame: 0};
            if (!frames || triggered.indexOf("derivative-animation-frames") >= 0) {
                // New frames mean f or x0 changed: any running animation stops.
                return [{running: false, frame: 0}, true, idle, nu, nu, nu, nu, nu];
            }
            const last = frames.h.length - 1;
            let next = {running: state.running, frame: state.frame};
            if (triggered.indexOf("derivative-animate") >= 0) {
                if (state.running) {
                    return [{running: false, frame: state.frame}, true, "▶ Resume", nu, nu, nu, nu, nu];
                }
                // Start over after a finished run; otherwise resume from where it paused.
                next = {running: true, frame: state.frame >= last ? 0 : state.frame};
            } else if (state.running) {
                next.frame = Math.min(state.frame + 1, last);
            } else {
                return [nu, true, nu, nu, nu, nu, nu, nu];
            }
            const k = next.frame;
            const moving = frames.parts[k];
            const newFigure = Object.assign({}, figure, {
                data: figure.data.map(trace => (trace.uid && moving[trace.uid])
                    ? Object.assign({}, trace, {x: moving[trace.uid].x, y: moving[trace.uid].y})
                    : trace),
            });
            const finished = k >= last;
            if (finished) {
                next.running = false;
            }
            return [
                next,
                finished,
                finished ? "▶ Animate again" : "⏸ Pause",
                newFigure,
                frames.h[k],
                frames.slope[k],
                frames.error[k],
                finished ? frames.log_h[k] : nu,
            ];
        },
    },
});

// Predict, then reveal (app/components/questions.py): answering through the figure, in the browser.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    questions: {
        // A click on the question's figure fills the answer boxes: a point is the click itself, a
        // direction is the angle from the question's point to the click (degrees, counter-clockwise
        // from +x), a slope is that of the line from the point of contact to the click.
        click: function (clickData, question, revealed) {
            const none = window.dash_clientside.no_update;
            if (revealed || !question || !clickData || !clickData.points || !clickData.points.length) {
                return [none, none, none];
            }
            const x = clickData.points[0].x, y = clickData.points[0].y;
            const round = function (value) { return String(Number(value.toPrecision(4))); };
            if (question.answer === "point") {
                return [none, round(x), round(y)];
            }
            const anchor = question.anchor;
            if (!anchor) {
                return [none, none, none];
            }
            const dx = x - anchor[0], dy = y - anchor[1];
            if (question.answer === "direction") {
                const angle = (Math.atan2(dy, dx) * 180 / Math.PI + 360) % 360;
                return [String(Math.round(angle)), none, none];
            }
            if (question.answer === "number" && Math.abs(dx) > 1e-9) {
                return [round(dy / dx), none, none];
            }
            return [none, none, none];
        },
        // While a question waits for its answer, the panel says so; the stylesheet then hides the
        // page's own views, which could give the answer away.
        asking: function (question, revealed) {
            return question && !revealed ? "question-panel asking" : "question-panel";
        },
    },
});

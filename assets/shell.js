// The frame around every page, in the browser.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    shell: {
        // The nav link whose path is the current page gets the "active" class.
        markActiveLink: function (pathname, linkIds) {
            return (linkIds || []).map(id => id.index === pathname ? "nav-link active" : "nav-link");
        },
    },
});

// Dash 4's dcc.Input (with debounce) puts the caret back after every keystroke, from a setTimeout(0) that
// remembers where the caret was. On a busy page (a figure being drawn, a slow phone) the browser runs the
// next keys before that timer, so the caret jumps back and later keys land in the middle: "-1.25" became
// "-.251". In a text box the browser already leaves the caret where the typing did, so that call only
// ever moves it somewhere stale; it is dropped for Dash's text inputs, and for nothing else.
(function () {
    const nativeSetSelectionRange = HTMLInputElement.prototype.setSelectionRange;
    HTMLInputElement.prototype.setSelectionRange = function (start, end, direction) {
        if (start === end && this.type === "text" && this.classList.contains("dash-input-element")) {
            return;
        }
        return nativeSetSelectionRange.call(this, start, end, direction);
    };
})();

// The frame around every page, in the browser.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    shell: {
        // The nav link whose path is the current page gets the "active" class.
        markActiveLink: function (pathname, linkIds) {
            return (linkIds || []).map(id => id.index === pathname ? "nav-link active" : "nav-link");
        },
    },
});

// Some Dash controls take no aria props (the slider's handle; an input whose id is a dict, which no
// <label for> can name). Their wrapper carries data-aria-label, and the control inside gets it.
(function () {
    function nameControls() {
        document.querySelectorAll("[data-aria-label]").forEach(function (wrapper) {
            wrapper.querySelectorAll("[role=slider], [role=combobox], input:not([type=hidden])").forEach(function (control) {
                if (!control.hasAttribute("aria-label")) {
                    control.setAttribute("aria-label", wrapper.getAttribute("data-aria-label"));
                }
            });
        });
    }
    let pending = false;
    new MutationObserver(function () {
        if (!pending) {
            pending = true;
            window.requestAnimationFrame(function () {
                pending = false;
                nameControls();
            });
        }
    }).observe(document.documentElement, {childList: true, subtree: true});
})();

// The frame around every page, in the browser.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    shell: {
        // The nav link whose path is the current page gets the "active" class.
        markActiveLink: function (pathname, linkIds) {
            return (linkIds || []).map(id => id.index === pathname ? "nav-link active" : "nav-link");
        },
    },
});

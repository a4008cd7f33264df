// A live class (app/pages/join.py, app/pages/live_class.py), in the browser.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    liveClass: {
        // A learner who holds a place in a class sees the class, and their browser starts polling;
        // version 0 asks the server for the screen at once (the first poll follows a second later).
        joined: function (session) {
            const inside = !!(session && session.code && session.token);
            return [inside, !inside, !inside, inside ? 0 : null];
        },
        // The poll: one small GET for the class's version number. Only when it moved does the screen
        // ask the server for more (the version store is the input of the server's callback).
        // -1 is "the class is gone". A failed poll changes nothing: the next one tries again.
        poll: async function (_n, session, version) {
            const none = window.dash_clientside.no_update;
            if (!session || !session.code) {
                return none;
            }
            try {
                const answer = await fetch("/class-api/version/" + encodeURIComponent(session.code), {
                    cache: "no-store",
                    credentials: "same-origin",
                });
                if (answer.status === 404) {
                    return version === -1 ? none : -1;
                }
                if (!answer.ok) {
                    return none;
                }
                const body = await answer.json();
                return body.version === version ? none : body.version;
            } catch (error) {
                return none;
            }
        },
    },
});

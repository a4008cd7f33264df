// plotly.js's 3-D traces, registered into the plotly.js that core.js defined. Plotly.loadScenes()
// (core.js) fetches this file when a page first draws a 3-D figure. build.mjs replaces every module that
// core.js already holds by core.js's own copy, so this file carries only what 3-D adds.
window.Plotly.register([require("plotly.js/lib/scatter3d"), require("plotly.js/lib/surface")]);

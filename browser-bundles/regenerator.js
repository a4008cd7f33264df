// Dash's renderer and dcc's lazy components call async functions compiled for old browsers, which need a
// global regeneratorRuntime. Dash ships it inside @babel/polyfill, a 38 KB core-js build that every
// browser this app supports has no use for and that took about 60 ms to evaluate on each page load
// (bench/first_load.py); app/main.py serves this file in its place.
window.regeneratorRuntime = require("regenerator-runtime/runtime");

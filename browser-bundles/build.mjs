// Builds the browser scripts the app serves from assets/vendor/ (run by scripts/build-bundles, in a
// folder where `npm ci` installed package-lock.json):
//   plotly-<version>-core.min.js    core.js: plotly.js's core and the 2-D traces; every page loads it
//   plotly-<version>-scenes.min.js  scenes.js: the 3-D traces, fetched by Plotly.loadScenes()
//   regenerator-runtime-<version>.min.js  regenerator.js
// and prints a JSON record of them (versions, sizes, sha256) on stdout.
//
// scenes.js must register into core.js's plotly.js, not a copy of it: every module it imports that the
// core bundle already holds is replaced by the core's own instance, which the core bundle hands over
// in Plotly._modulesForScenes (the same idea as webpack's DllPlugin). So the 3-D file carries only what
// 3-D adds, and the two files together are the size the single bundle was.
import * as esbuild from "esbuild";
import {createHash} from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const outdir = process.argv[2];
const version = (name) => JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
const plotly = version("plotly.js");
const names = {
    core: `plotly-${plotly}-core.min.js`,
    scenes: `plotly-${plotly}-scenes.min.js`,
    regenerator: `regenerator-runtime-${version("regenerator-runtime")}.min.js`,
};
// plotly.js's own esbuild settings (its esbuild-config.js: iife, es2016, global = window, no AMD); CSS
// is dropped, since the only CSS plotly.js imports is maplibre's, for map traces the app never draws.
const options = {
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2016",
    define: {global: "window", "define.amd": "false"},
    loader: {".css": "empty"},
    logLevel: "warning",
    metafile: true,
    write: false,
};
const banner = (what) => ({js: `/*! ${what} Built by scripts/build-bundles from browser-bundles/. */`});

// 1. Which modules the core bundle holds (paths relative to this folder, as esbuild's metafile has them).
const firstCore = await esbuild.build({...options, entryPoints: ["core.js"]});
const inCore = new Set(Object.keys(firstCore.metafile.inputs));

// 2. The 3-D file, with every module the core holds read from the core.
const shared = new Set();
const fromCore = {
    name: "modules-from-core",
    setup(build) {
        build.onResolve({filter: /.*/}, async (args) => {
            if (args.kind === "entry-point" || args.pluginData === "resolving") {
                return undefined;
            }
            const found = await build.resolve(args.path, {
                kind: args.kind,
                importer: args.importer,
                resolveDir: args.resolveDir,
                pluginData: "resolving",
            });
            if (found.errors.length) {
                return {errors: found.errors};
            }
            const key = path.relative(process.cwd(), found.path);
            if (!inCore.has(key)) {
                return {path: found.path, namespace: found.namespace, sideEffects: found.sideEffects};
            }
            shared.add(key);
            return {path: key, namespace: "core"};
        });
        build.onLoad({filter: /.*/, namespace: "core"}, (args) => ({
            contents: `module.exports = window.Plotly._modulesForScenes[${JSON.stringify(args.path)}];`,
            loader: "js",
        }));
    },
};
const scenes = await esbuild.build({
    ...options,
    entryPoints: ["scenes.js"],
    plugins: [fromCore],
    banner: banner(`plotly.js v${plotly} (MIT), the 3-D traces in scenes.js, for ${names.core}.`),
});

// 3. The core bundle again, now handing over the modules the 3-D file asked for, and naming the 3-D file
// with its checksum as the query: a changed 3-D file is a new URL (deploy/nginx caches ?m= for a year).
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const scenesFile = `${names.scenes}?m=${sha256(scenes.outputFiles[0].contents).slice(0, 16)}`;
const keys = [...shared].sort();
fs.writeFileSync(
    "core-with-modules.js",
    'require("./core.js");\nwindow.Plotly._modulesForScenes = {\n' +
        keys.map((key) => `    ${JSON.stringify(key)}: require(${JSON.stringify("./" + key)}),`).join("\n") +
        "\n};\n",
);
const core = await esbuild.build({
    ...options,
    entryPoints: ["core-with-modules.js"],
    define: {...options.define, SCENES_FILE: JSON.stringify(scenesFile)},
    banner: banner(`plotly.js v${plotly} (MIT), partial: the core and the 2-D traces in core.js.`),
});
const added = Object.keys(core.metafile.inputs).filter((key) => !inCore.has(key) && key !== "core-with-modules.js");
if (added.length) {
    throw new Error(`handing modules to scenes.js added new ones to the core: ${added}`);
}

const regenerator = await esbuild.build({
    ...options,
    entryPoints: ["regenerator.js"],
    banner: banner(`regenerator-runtime v${version("regenerator-runtime")} (MIT).`),
});

const record = {"plotly.js": plotly, "regenerator-runtime": version("regenerator-runtime"), esbuild: esbuild.version, files: {}};
for (const [name, result] of [[names.core, core], [names.scenes, scenes], [names.regenerator, regenerator]]) {
    const bytes = result.outputFiles[0].contents;
    fs.writeFileSync(path.join(outdir, name), bytes);
    record.files[name] = {bytes: bytes.length, sha256: sha256(bytes)};
}
record.modulesSharedWithScenes = keys.length;
console.log(JSON.stringify(record, null, 2));

// Copies what tsc does not emit into dist/: icons and codex JSON next to the compiled node, and the
// package entry point (index.js, whose requires are relative to dist/).
const { src, dest, parallel } = require('gulp');

function copyNodeAssets() {
	return src(['nodes/**/*.svg', 'nodes/**/*.png', 'nodes/**/*.node.json'], { encoding: false }).pipe(dest('dist/nodes'));
}

function copyEntryPoint() {
	return src('index.js').pipe(dest('dist'));
}

exports.build = parallel(copyNodeAssets, copyEntryPoint);
exports.default = exports.build;

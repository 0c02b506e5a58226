// Copies what tsc does not emit into dist/: icons and codex JSON next to the compiled node, and the
// package entry point (index.js, whose requires are relative to dist/).
const { rmSync } = require('node:fs');
const { src, dest, parallel } = require('gulp');

// Before tsc: a file moved or deleted in nodes/ must not live on in dist/ (npm pack ships all of dist).
function clean(done) {
	rmSync('dist', { recursive: true, force: true });
	done();
}

function copyNodeAssets() {
	return src(['nodes/**/*.svg', 'nodes/**/*.png', 'nodes/**/*.node.json'], { encoding: false }).pipe(dest('dist/nodes'));
}

function copyEntryPoint() {
	return src('index.js').pipe(dest('dist'));
}

exports.clean = clean;
exports.build = parallel(copyNodeAssets, copyEntryPoint);
exports.default = exports.build;

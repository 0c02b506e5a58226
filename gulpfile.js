// Copies what tsc does not emit (icons, codex JSON) next to the compiled node in dist/.
const { src, dest } = require('gulp');

function copyNodeAssets() {
	return src(['nodes/**/*.svg', 'nodes/**/*.png', 'nodes/**/*.node.json'], { encoding: false }).pipe(dest('dist/nodes'));
}

exports.build = copyNodeAssets;
exports.default = copyNodeAssets;

// Package entry point: n8n loads the files listed in package.json#n8n; this is for programmatic use.
module.exports = {
	LtxVideo: require('./dist/nodes/LtxVideo/LtxVideo.node.js').LtxVideo,
	LeonardoAiApi: require('./dist/credentials/LeonardoAiApi.credentials.js').LeonardoAiApi,
};

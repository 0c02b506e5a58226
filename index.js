// The package entry point. gulp copies this file to dist/index.js (package.json#main), so the paths
// below are relative to dist/ and only dist/ ships. n8n itself loads the files in package.json#n8n.
module.exports = {
	LtxVideo: require('./nodes/LtxVideo/LtxVideo.node.js').LtxVideo,
	LtxVideoTrigger: require('./nodes/LtxVideoTrigger/LtxVideoTrigger.node.js').LtxVideoTrigger,
	LeonardoAiApi: require('./credentials/LeonardoAiApi.credentials.js').LeonardoAiApi,
};

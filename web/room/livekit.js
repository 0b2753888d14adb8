// The one import of livekit-client: the app serves npm's ES module build, minified at `npm ci`
// (build-vendor.mjs), no CDN, no bundler. Only the room page imports this, so other pages never load it.
export * from '/vendor/livekit-client/livekit-client.esm.min.mjs';

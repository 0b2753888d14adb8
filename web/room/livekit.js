// The one import of livekit-client (served by the app from npm's dist folder, no CDN, no bundler).
export * from '/vendor/livekit-client/livekit-client.esm.mjs';

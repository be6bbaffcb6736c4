// Helicone proxies Together's stream body through unchanged.
export { createStreamDecoder } from '../together/stream.ts';

// Every workflow the worker runs; the bundler starts here.
export { logTouch } from './touch/workflows.js';
export { broadcastAlert, customerDigest, handleAlertResponse, resendUnconfirmed } from './broadcast/workflows.js';
export { sweepStaleWork } from './maintenance/workflows.js';

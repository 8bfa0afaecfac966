/** Epoch milliseconds. Injected everywhere time matters, so tests can move it (never Date.now() in features). */
export type Clock = () => number;

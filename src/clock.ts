/** Epoch milliseconds. Injected everywhere time matters, so tests can move it (never Date.now() in features). */
export type Clock = () => number;

declare global {
  namespace Express {
    interface Request {
      /**
       * The app's clock, for code that has only the request (kept forms, reached from the sign-in guard):
       * set by createApp's first middleware, so tests move time instead of sleeping.
       */
      now: Clock;
    }
  }
}

import ejs from 'ejs';
import type { Express } from 'express';

/**
 * EJS as Express's view engine, with its options given explicitly. EJS 3 copied Express's `view options`
 * setting into its own options; EJS 4 (rewritten in TypeScript, unchanged since through 7) reads only `views`
 * and `view cache` from the app settings, so `rmWhitespace` silently stopped applying and every page kept
 * the trailing whitespace of its templates (html-validate's no-trailing-whitespace).
 *
 * Pages include partials by absolute path from `root` (`include('/partials/head')`): EJS resolves such a path
 * by joining, where a relative one costs an `fs.existsSync` per include per render even with the view cache
 * (8% of a signed-in `GET /posts`'s CPU in `npm run bench -- --profile posts-signed-in`).
 */
export function useEjs(app: Express, options: { readonly viewsDir: string; readonly cache: boolean }): void {
  app.engine('ejs', (file, data, callback) => {
    ejs.renderFile(
      file,
      data as ejs.Data,
      { rmWhitespace: true, views: [options.viewsDir], root: options.viewsDir, cache: options.cache },
      callback as ejs.RenderFileCallback<void>,
    );
  });
  app.set('view engine', 'ejs');
}

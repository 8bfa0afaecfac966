import path from 'node:path';

/** The project root, whether running from src/ (tsx, vitest) or dist/ (compiled): both are one level down. */
export const projectRoot = path.resolve(__dirname, '..');
export const viewsDir = path.join(projectRoot, 'views');
export const publicDir = path.join(projectRoot, 'public');
export const provisionScript = path.join(projectRoot, 'scripts', 'provision-mongod.sh');

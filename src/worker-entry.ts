// How a worker thread is started from a module beside its caller, built or run
// from source: shared by the zone loader thread and the signing threads.

/**
 * The Worker arguments for `<name>.js` beside `base` (the caller's
 * import.meta.url) once built. Run from source (tsx), a worker thread does not
 * inherit tsx's hooks, so it registers them before importing `<name>.ts`.
 */
export function workerEntry(base: string, name: string): [string | URL, { eval?: boolean }] {
  if (!base.endsWith('.ts')) return [new URL(`./${name}.js`, base), {}];
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL(`./${name}.ts`, base).href);
  return [`import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); })`, { eval: true }];
}

import type { SourcePos } from './records.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  pos: SourcePos;
  severity: Severity;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.pos.file}:${d.pos.line}:${d.pos.col}: ${d.severity}: ${d.message}`;
}

/** A zone that cannot be served; carries every error found, the first one in `message`. */
export class ZoneLoadError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(errors.length ? formatDiagnostic(errors[0]!) : 'zone rejected');
  }
}

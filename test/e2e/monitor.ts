// rotor serve with the monitoring listener on a free port, for the tests of
// /metrics, the health checks and the status page.
import { chromium, type Browser } from 'playwright-core';
import { startRotor, type Rotor } from './harness.js';

export interface Monitored extends Rotor {
  /** http://127.0.0.1:PORT */
  url: string;
}

export async function startMonitored(zones: Record<string, string> | string, extraArgs: string[] = [], nodeArgs: string[] = []): Promise<Monitored> {
  const rotor = await startRotor(zones, ['--metrics', '127.0.0.1:0', ...extraArgs], nodeArgs);
  const line = await rotor.waitForLog((l) => l.msg === 'metrics and status page listening');
  return Object.assign(rotor, { url: `http://127.0.0.1:${Number(line.port)}` });
}

export async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** Debian's chromium, headless, without the sandbox (containers) or any background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

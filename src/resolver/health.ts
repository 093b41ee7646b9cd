// Which upstream to ask first. Each has a score in milliseconds, lower is
// better: its smoothed round-trip time (as BIND and Unbound keep one) plus a
// penalty of one timeout per recent failure. Penalties halve every
// PENALTY_HALF_LIFE_MS, so an upstream that failed is tried first again once
// it has had time to recover, without anyone having to probe it.
import { formatHostPort, type ListenAddress } from '../net/address.js';

const PENALTY_HALF_LIFE_MS = 30_000;
const RTT_WEIGHT = 0.3;

export interface UpstreamHealth {
  upstream: string;
  srttMs: number;
  /** Recent failures, decayed. */
  penalty: number;
  score: number;
  answers: number;
  failures: number;
}

interface State {
  address: ListenAddress;
  srttMs: number;
  penalty: number;
  penaltyAt: number;
  answers: number;
  failures: number;
}

export class UpstreamSet {
  private readonly states: State[];

  constructor(upstreams: readonly ListenAddress[], private readonly timeoutMs: number, private readonly now: () => number = Date.now) {
    this.states = upstreams.map((address) => ({ address, srttMs: 0, penalty: 0, penaltyAt: 0, answers: 0, failures: 0 }));
  }

  private penaltyOf(s: State, now: number): number {
    return s.penalty * 2 ** (-(now - s.penaltyAt) / PENALTY_HALF_LIFE_MS);
  }

  private scoreOf(s: State, now: number): number {
    return s.srttMs + this.penaltyOf(s, now) * this.timeoutMs;
  }

  private state(address: ListenAddress): State {
    return this.states.find((s) => s.address === address)!;
  }

  /** Best first; equal scores keep the configured order. */
  order(): ListenAddress[] {
    const now = this.now();
    return this.states
      .map((s, i) => ({ s, i, score: this.scoreOf(s, now) }))
      .sort((a, b) => a.score - b.score || a.i - b.i)
      .map((x) => x.s.address);
  }

  answered(address: ListenAddress, rttMs: number): void {
    const s = this.state(address);
    s.srttMs = s.answers === 0 ? rttMs : s.srttMs + RTT_WEIGHT * (rttMs - s.srttMs);
    s.answers++;
  }

  failed(address: ListenAddress): void {
    const s = this.state(address);
    const now = this.now();
    s.penalty = this.penaltyOf(s, now) + 1;
    s.penaltyAt = now;
    s.failures++;
  }

  health(): UpstreamHealth[] {
    const now = this.now();
    return this.states.map((s) => ({
      upstream: formatHostPort(s.address),
      srttMs: Math.round(s.srttMs * 10) / 10,
      penalty: Math.round(this.penaltyOf(s, now) * 100) / 100,
      score: Math.round(this.scoreOf(s, now)),
      answers: s.answers,
      failures: s.failures,
    }));
  }
}

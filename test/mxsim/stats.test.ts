import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquareEven, chiSquareSurvival, coefficientOfVariation, gammaQ, logGamma } from '../../src/mxsim/stats.js';

const close = (actual: number, expected: number, tolerance: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected}`);
};

describe('logGamma', () => {
  it('matches factorials and Γ(½) = √π', () => {
    close(logGamma(1), 0, 1e-12, 'ln Γ(1)');
    close(logGamma(5), Math.log(24), 1e-12, 'ln Γ(5)');
    close(logGamma(11), Math.log(3628800), 1e-10, 'ln Γ(11)');
    close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-12, 'ln Γ(½)');
    close(logGamma(0.1), Math.log(9.513507698668732), 1e-12, 'ln Γ(0.1)');
  });
});

describe('gammaQ', () => {
  it('is e^-x for a = 1, on both sides of its series/fraction switch', () => {
    for (const x of [0.1, 1, 1.9, 2.1, 5, 30]) close(gammaQ(1, x), Math.exp(-x), 1e-13, `Q(1, ${x})`);
  });
  it('is erfc(√x) for a = ½', () => {
    close(gammaQ(0.5, 1), 0.157299207050285, 1e-12, 'Q(½, 1)');
    close(gammaQ(0.5, 4), 0.004677734981047266, 1e-13, 'Q(½, 4)');
  });
  it('is 1 at x = 0', () => assert.equal(gammaQ(3, 0), 1));
});

describe('chi-square p-values against published critical values', () => {
  // χ² quantiles from standard tables (NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
  const cases: [number, number, number][] = [
    [3.841458820694124, 1, 0.05],
    [6.634896601021214, 1, 0.01],
    [5.991464547107979, 2, 0.05],
    [7.814727903251178, 3, 0.05],
    [11.344866730144373, 3, 0.01],
    [16.266236196238129, 3, 0.001],
    [18.307038053275146, 10, 0.05],
    [2.3659738843753377, 3, 0.5],
    [124.34211340400407, 100, 0.05],
  ];
  for (const [x, df, p] of cases) {
    it(`P(χ²(${df}) ≥ ${x.toFixed(3)}) = ${p}`, () => close(chiSquareSurvival(x, df), p, p * 1e-6, 'p'));
  }
  it('has the closed form e^(-x/2) for 2 degrees of freedom', () => close(chiSquareSurvival(10, 2), Math.exp(-5), 1e-15, 'p'));
  it('underflows to 0, not NaN, far in the tail', () => assert.equal(chiSquareSurvival(60000, 3), 0));
});

describe('chiSquareEven', () => {
  it('is 0 with p = 1 for a perfectly even split', () => {
    assert.deepEqual(chiSquareEven([25, 25, 25, 25]), { statistic: 0, degreesOfFreedom: 3, pValue: 1 });
  });
  it('sums (O − E)²/E', () => {
    const r = chiSquareEven([10, 20, 30]);
    close(r.statistic, 10, 1e-12, 'statistic');
    assert.equal(r.degreesOfFreedom, 2);
    close(r.pValue, Math.exp(-5), 1e-15, 'p');
  });
});

describe('coefficientOfVariation', () => {
  it('is the population standard deviation over the mean', () => {
    assert.equal(coefficientOfVariation([7, 7, 7]), 0);
    close(coefficientOfVariation([0, 0, 4, 0]), Math.sqrt(3), 1e-12, 'one of four takes all');
    assert.equal(coefficientOfVariation([0, 0]), 0);
  });
});

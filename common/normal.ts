/**
 * The standard normal distribution: density, distribution function and the probability of an
 * interval, accurate far into the tails (the samplers compare kernels many standard deviations
 * away). `erfc` is FreeBSD's s_erf.c (Sun's fdlibm, coefficients as Optuna's _erf.py copies them),
 * so Φ(x) = erfc(−x/√2)/2 keeps its relative precision where Φ is tiny.
 */

const ERX = 8.45062911510467529297e-01;
const PP = [1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02, -5.77027029648944159157e-03, -2.37630166566501626084e-05];
const QQ = [3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06];
const PA = [-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01, 3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02, -2.16637559486879084300e-03];
const QA = [1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02];
const RA = [-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e01, -6.23753324503260060396e01, -1.62396669462573470355e02, -1.84605092906711035994e02, -8.12874355063065934246e01, -9.81432934416914548592e00];
const SA = [1.96512716674392571292e01, 1.37657754143519042600e02, 4.34565877475229228821e02, 6.45387271733267880336e02, 4.29008140027567833386e02, 1.08635005541779435134e02, 6.57024977031928170135e00, -6.04244152148580987438e-02];
const RB = [-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e01, -1.60636384855821916062e02, -6.37566443368389627722e02, -1.02509513161107724954e03, -4.83519191608651397019e02];
const SB = [3.03380607434824582924e01, 3.25792512996573918826e02, 1.53672958608443695994e03, 3.19985821950859553908e03, 2.55305040643316442583e03, 4.74528541206955367215e02, -2.24409524465858183362e01];

/** c[0] + s·c[1] + s²·c[2] + … */
function poly(c: readonly number[], s: number): number {
  let r = 0;
  for (let i = c.length - 1; i >= 0; i--) r = r * s + c[i];
  return r;
}

/** 1 + s·c[0] + s²·c[1] + … */
function poly1(c: readonly number[], s: number): number {
  return 1 + s * poly(c, s);
}

const split = new Float64Array(1);
const splitWords = new Uint32Array(split.buffer);
/** x with the low 32 bits of its mantissa cleared (fdlibm's SET_LOW_WORD(z, 0)): z² is exact. */
function highPart(x: number): number {
  split[0] = x;
  splitWords[0] = 0; // little-endian: word 0 is the low word
  return split[0];
}

/** The complementary error function, 1 − erf(x), with relative precision for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 2 ** -56) return 1 - x;
    const z = x * x;
    const y = poly(PP, z) / poly1(QQ, z);
    if (x < 0.25) return 1 - (x + x * y);
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const pq = poly(PA, s) / poly1(QA, s);
    return x >= 0 ? 1 - ERX - pq : 1 + (ERX + pq);
  }
  if (ax < 28) {
    if (x < -6) return 2;
    const s = 1 / (ax * ax);
    const rs = ax < 1 / 0.35 ? poly(RA, s) / poly1(SA, s) : poly(RB, s) / poly1(SB, s);
    const z = highPart(ax);
    const r = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + rs);
    return x > 0 ? r / ax : 2 - r / ax;
  }
  return x > 0 ? 0 : 2;
}

/** Φ(x), the standard normal distribution function. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** φ(x), the standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** P(a ≤ Z ≤ b) for a standard normal Z, computed on the tail side so tiny masses stay exact. */
export function normalMass(a: number, b: number): number {
  if (b <= 0) return normalCdf(b) - normalCdf(a);
  if (a > 0) return normalCdf(-a) - normalCdf(-b);
  return 1 - normalCdf(a) - normalCdf(-b);
}

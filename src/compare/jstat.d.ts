/** The part of jStat (which ships no types) that the comparison's statistics use. */
declare module 'jstat' {
  interface JStat {
    studentt: { inv(p: number, dof: number): number };
    normal: { cdf(x: number, mean: number, std: number): number };
  }
  const jstat: { jStat: JStat };
  export default jstat;
}

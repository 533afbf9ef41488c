/**
 * Agent labels of the benchmarks: an agent (`tpe`) or an agent with hyperparameters
 * (`tpe:multivariate=true`, `marl:counterfactual=true:centralizedCritic=true`).
 */

/** `name:key=value:…` → the agent and its hyperparameters (values parsed as JSON where they can be; a bare key is true). */
export function parseLabel(label: string): { agent: string; hp: Record<string, unknown> } {
  const [agent, ...pairs] = label.split(':');
  const hp: Record<string, unknown> = {};
  for (const p of pairs) {
    const [k, v = 'true'] = p.split('=');
    try {
      hp[k] = JSON.parse(v);
    } catch {
      hp[k] = v;
    }
  }
  return { agent, hp };
}

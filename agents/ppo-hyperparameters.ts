/**
 * PPO's hyperparameters (`ppo`, and `marl`, which runs PPO's code), with their defaults and
 * meanings, apart from ppo.ts so that listing or checking them does not load TensorFlow.js.
 */
export interface PpoHyperparameters {
  learningRate: number;
  /** Transitions collected between updates. */
  rolloutSteps: number;
  epochs: number;
  minibatches: number;
  gamma: number;
  gaeLambda: number;
  clipCoef: number;
  entropyCoef: number;
  valueCoef: number;
  maxGradNorm: number;
  hidden: number[];
  normalizeAdvantages: boolean;
  /** One value network for all learners (MAPPO) instead of one each. */
  centralizedCritic: boolean;
  /**
   * Counterfactual advantages (COMA-style): a critic of the joint action Q(s, u) and, for each
   * learner, the return minus Σ_u' π(u'|s) Q(s, u' with the others' choices kept).
   */
  counterfactual: boolean;
  /** Gradient steps of the joint-action critic per update, on minibatches from its replay buffer. */
  counterfactualSteps: number;
  /** Transitions the joint-action critic learns from (the newest). */
  counterfactualBuffer: number;
}

export const PPO_DEFAULTS: PpoHyperparameters = {
  learningRate: 3e-3,
  rolloutSteps: 32,
  epochs: 4,
  minibatches: 2,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipCoef: 0.2,
  entropyCoef: 0.01,
  valueCoef: 0.5,
  maxGradNorm: 0.5,
  hidden: [64, 64],
  normalizeAdvantages: true,
  centralizedCritic: false,
  counterfactual: false,
  counterfactualSteps: 8,
  counterfactualBuffer: 2048,
};

/** What each hyperparameter does, for `--hp help` and the README's table (checked against it). */
export const PPO_MEANINGS: Record<keyof PpoHyperparameters, string> = {
  learningRate: 'Adam step size of the policy and value networks',
  rolloutSteps: 'transitions collected between updates',
  epochs: 'passes over each rollout per update',
  minibatches: 'minibatches each rollout is split into per epoch',
  gamma: 'discount factor',
  gaeLambda: 'λ of generalised advantage estimation',
  clipCoef: 'clip range of the probability ratio in the surrogate loss',
  entropyCoef: 'weight of the entropy bonus',
  valueCoef: 'weight of the value loss',
  maxGradNorm: 'gradient norm each network is clipped to',
  hidden: 'hidden layer widths of every network',
  normalizeAdvantages: "standardise each learner's advantages per minibatch",
  centralizedCritic: 'one value network for all learners (MAPPO)',
  counterfactual: 'counterfactual advantages from a joint-action critic (marl only)',
  counterfactualSteps: "the joint-action critic's minibatch steps (64 transitions) per update",
  counterfactualBuffer: 'transitions the joint-action critic learns from (the newest)',
};

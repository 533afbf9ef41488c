"""Optuna's own TPESampler on a marl-dse task, for the `tpe` yardstick (bench/agents.ts).

Designs are evaluated by marl-dse itself: the Node process that starts this script answers over
this script's stdin and stdout, one JSON object per line, so both samplers see the identical
simulator, objective and memo. The first line read describes the space:
`{"parameters": [{"name", "values", "ordered"}]}`; then for each trial this script writes
`{"design": [value index per parameter]}` and reads `{"value": V}`; its last line is
`{"values": [...], "samplerMs": [...]}`: every trial's value, and the sampler's CPU milliseconds per
trial (this process only; the simulations run in the Node process).

Each parameter is suggested as a categorical over its values, or with --ordinal, an ordered
(numeric) parameter as an integer over its value index (suggest_int, step 1), as marl-dse's `tpe`
does with `ordinal=true`.

  python3 bench/optuna_tpe.py --seed 1 --budget 1000 [--multivariate] [--ordinal] [--direction maximize]
"""
import argparse
import json
import sys
import time
import warnings

import optuna


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--budget", type=int, required=True)
    parser.add_argument("--multivariate", action="store_true")
    parser.add_argument("--ordinal", action="store_true")
    parser.add_argument("--direction", choices=["minimize", "maximize"], default="minimize")
    args = parser.parse_args()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    parameters = json.loads(sys.stdin.readline())["parameters"]

    def send(message):
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    def objective(trial):
        design = []
        for p in parameters:
            if args.ordinal and p["ordered"]:
                design.append(trial.suggest_int(p["name"], 0, len(p["values"]) - 1))
            else:
                design.append(p["values"].index(trial.suggest_categorical(p["name"], p["values"])))
        send({"design": design})
        return json.loads(sys.stdin.readline())["value"]

    sampler = optuna.samplers.TPESampler(seed=args.seed, multivariate=args.multivariate)
    study = optuna.create_study(direction=args.direction, sampler=sampler)
    values, sampler_ms = [], []
    for _ in range(args.budget):
        t0 = time.process_time()
        trial = study.ask()
        value = objective(trial)
        study.tell(trial, value)
        sampler_ms.append((time.process_time() - t0) * 1000)
        values.append(value)
    send({"values": values, "samplerMs": sampler_ms})


if __name__ == "__main__":
    main()

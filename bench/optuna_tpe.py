"""Optuna's own TPESampler on a marl-dse task, for the `tpe` yardstick (bench/agents.ts).

Designs are evaluated by marl-dse itself: a Node process (bench/evaluate-server.js) answers one
JSON line per design, so both samplers see the identical simulator and objective. Each parameter is
suggested as a categorical over its values, or with --ordinal, an ordered (numeric) parameter as an
integer over its value index (suggest_int, step 1), as marl-dse's `tpe` does with `ordinal=true`.

Prints one JSON object: the objective's value of every trial, in order, and the sampler's CPU
milliseconds per trial (this process only: the simulation runs in the Node process).

  python3 bench/optuna_tpe.py --seed 1 --budget 1000 [--multivariate] [--ordinal] -- \
      node dist/bench/evaluate-server.js --trace builtin:cloud-1 --objective latency
"""
import argparse
import json
import subprocess
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
    parser.add_argument("server", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    server_cmd = args.server[1:] if args.server[:1] == ["--"] else args.server

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    server = subprocess.Popen(server_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    parameters = json.loads(server.stdout.readline())["parameters"]

    def evaluate(design):
        server.stdin.write(json.dumps({"design": design}) + "\n")
        server.stdin.flush()
        return json.loads(server.stdout.readline())["value"]

    def objective(trial):
        design = []
        for p in parameters:
            if args.ordinal and p["ordered"]:
                design.append(trial.suggest_int(p["name"], 0, len(p["values"]) - 1))
            else:
                design.append(p["values"].index(trial.suggest_categorical(p["name"], p["values"])))
        return evaluate(design)

    sampler = optuna.samplers.TPESampler(seed=args.seed, multivariate=args.multivariate)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    values, sampler_ms = [], []
    for _ in range(args.budget):
        t0 = time.process_time()
        trial = study.ask()
        value = objective(trial)
        study.tell(trial, value)
        sampler_ms.append((time.process_time() - t0) * 1000)
        values.append(value)
    server.stdin.close()
    server.wait()
    json.dump({"values": values, "samplerMs": sampler_ms}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

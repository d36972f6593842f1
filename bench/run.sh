#!/usr/bin/env bash
# Runs a benchmark (Release) against a throwaway PostgreSQL.
# `bench/run.sh roster [lines=1000000] [chunk]` (or `bench/run.sh [lines]`): a roster CSV from file to validated, evaluated and stored by the
#   one-pass pipeline, against raw binary COPY of the same rows into the same tables (RosterBench.cs, REGISTRY.md).
# `bench/run.sh pipeline [lines=1000000] [registry=5000000]`: upload → import job (rules, store, cross-checks) → sample draw, with the
#   host's peak working set (PipelineBench.cs, REGISTRY.md).
# `bench/run.sh engine [cases] [repetitions] [batch]` runs the case engine benchmark instead (bench/OneCard.Bench/EngineBench.cs).
# `bench/run.sh payments [lines=1000000] [file]` runs the bank file + result import benchmark against COPY baselines (PaymentsBench.cs, PAYMENTS.md);
#   `file` stops after the bank file and its profile.
# `bench/run.sh crosschecks [lines=1000000] [registry=5000000]` times one application's cross-checks against a registry (CrossCheckBench.cs, REGISTRY.md).
# `bench/run.sh rules [lines=1000000] [rulesEngineLines=100000]` runs the rules benchmark (RulesBench.cs); it needs no database.
# Figures on a shared machine are noisy: compare modes within one run, not across runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dotnet build bench/OneCard.Bench -c Release -nologo -v quiet
# From the output folder: the host factory finds the host's content root through MvcTestingAppManifest.json there.
cd bench/OneCard.Bench/bin/Release/net10.0
if [ "${1:-}" = rules ]; then
  exec dotnet OneCard.Bench.dll "$@"
fi
exec "$root/scripts/with-postgres.sh" dotnet OneCard.Bench.dll "$@"

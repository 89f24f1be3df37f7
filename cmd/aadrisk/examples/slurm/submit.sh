#!/bin/bash
# Submits the nightly batch: the pricing array, then the merge, which starts
# only when every task of the array has succeeded.
#
#   ./submit.sh 2026-01-02 /shared/risk/2026-01-02
#
# The batch directory holds inputs/portfolio.csv and inputs/market.csv; the
# shards go to shards/shard-<task id>, the merged files to merged/.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 AS-OF-DATE BATCH-DIR" >&2
	exit 2
fi
export ASOF=$1 BATCH=$2
cd "$(dirname "$0")"
mkdir -p logs

# --parsable prints "jobid" or "jobid;cluster".
array=$(sbatch --parsable --export=ALL price-array.sbatch)
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --dependency=afterok:"$array" --kill-on-invalid-dep=yes merge.sbatch)
merge=${merge%%;*}
echo "pricing array $array, merge $merge (after every task of $array succeeds)"

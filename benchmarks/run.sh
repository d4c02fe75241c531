#!/usr/bin/env bash
# Kintsugi side by side with RocksDB and lmdbjava: builds the benchmarks jar if needed, runs the comparison with
# JMH and writes benchmarks/results/<date>[-quick]/{jmh.json,README.md,ratios.png}; then runs ReplicationBenchmark
# (a primary and two followers, no peer store) on its own, with shorter settings, into replication.{json,log} in
# the same directory. See benchmarks/README.md.
#
#   benchmarks/run.sh quick            about 12 minutes on 2 cores: 1 fork, short iterations (a smoke of the numbers)
#   benchmarks/run.sh full             about 55 minutes on 2 cores: 2 forks, 3 x 5 s warmup, 5 x 5 s measurement
#                                      (replication: 1 fork)
#   benchmarks/run.sh profile [REGEX]  JFR profile of one benchmark (default IntegrityCostBenchmark.getUncached)
#
# Any further arguments go to JMH, for both runs, and take the place of the mode's own, e.g.
# `benchmarks/run.sh quick -p keys=100000` or `benchmarks/run.sh full -f 3` (JMH ignores a -p that names a parameter
# the run's benchmarks do not have).
# KINTSUGI_BENCH_DIR chooses where the stores live (default: the system temporary directory): put it on the disk to
# measure, never on tmpfs, where a sync costs nothing.
set -euo pipefail

cd "$(dirname "$0")/.."
mode=${1:-}
if [[ $# -gt 0 ]]; then shift; fi

jar=benchmarks/target/benchmarks.jar
bench_dir=${KINTSUGI_BENCH_DIR:-${TMPDIR:-/tmp}}
day=$(date +%Y-%m-%d)
comparison='io\.kintsugi\.benchmarks\.(DurableWrite|BufferedWrite|PointRead|RangeScan|IntegrityCost)Benchmark'
replication='io\.kintsugi\.benchmarks\.ReplicationBenchmark'
# The replication run (4 methods x 2 transports x 2 durabilities) follows the comparison, except in profile mode.
replicate=false
declare -A replication_settings=()

case "$mode" in
  quick)
    out=benchmarks/results/$day-quick
    declare -A settings=([-f]=1 [-wi]=2 [-w]=2s [-i]=3 [-r]=3s)
    # About 2 minutes of the total.
    replicate=true
    replication_settings=([-f]=1 [-wi]=1 [-w]=2s [-i]=2 [-r]=2s)
    expected="about 12 minutes";;
  full)
    out=benchmarks/results/$day
    declare -A settings=([-f]=2 [-wi]=3 [-w]=5s [-i]=5 [-r]=5s)
    # About 10 minutes of the total.
    replicate=true
    replication_settings=([-f]=1 [-wi]=3 [-w]=5s [-i]=5 [-r]=5s)
    expected="about 55 minutes";;
  profile)
    out=benchmarks/results/$day-profile
    comparison=${1:-IntegrityCostBenchmark.getUncached}
    if [[ $# -gt 0 ]]; then shift; fi
    declare -A settings=([-f]=1 [-wi]=2 [-w]=5s [-i]=3 [-r]=10s [-prof]="jfr:dir=$out/jfr")
    expected="a few minutes per benchmark";;
  *)
    echo "usage: benchmarks/run.sh quick|full|profile [REGEX] [JMH arguments...]" >&2
    exit 2;;
esac

# JMH refuses an option given twice: an option on the command line replaces the mode's.
for arg in "$@"; do
  if [[ -n ${settings[$arg]+set} ]]; then unset "settings[$arg]"; fi
  if [[ -n ${replication_settings[$arg]+set} ]]; then unset "replication_settings[$arg]"; fi
done
jmh_args=()
for option in "${!settings[@]}"; do jmh_args+=("$option" "${settings[$option]}"); done
replication_args=()
for option in "${!replication_settings[@]}"; do
  replication_args+=("$option" "${replication_settings[$option]}")
done

# Rebuild when the jar is missing or older than any source it is made from.
if [[ ! -f $jar ]] || [[ -n $(find pom.xml oplog engine benchmarks/pom.xml benchmarks/src -newer "$jar" \
    -type f -not -path '*/target/*' -print -quit) ]]; then
  echo "building $jar"
  mvn -B -q package -DskipTests -pl benchmarks -am
fi

mkdir -p "$out" "$bench_dir"
echo "run.sh $mode: $expected; stores under $bench_dir; results in $out"
# The forked JVMs inherit -D properties from this one; each benchmark adds the JVM flags its stores need.
java -Dkintsugi.bench.dir="$bench_dir" -jar "$jar" "$comparison" "${jmh_args[@]}" "$@" \
  -rf json -rff "$out/jmh.json" | tee "$out/jmh.log"

if [[ $mode == profile ]]; then
  find "$out/jfr" -name '*.jfr' | sort | while read -r recording; do
    echo "== $recording" | tee -a "$out/profile.txt"
    java -cp "$jar" io.kintsugi.benchmarks.report.ProfileSummary "$recording" | tee -a "$out/profile.txt"
  done
  exit 0
fi

java -cp "$jar" io.kintsugi.benchmarks.report.ResultsReport --json "$out/jmh.json" --bench-dir "$bench_dir" \
  --date "$day" --command "benchmarks/run.sh $mode${*:+ $*}"

# Replication has no peer store to compare with: its own run and results, which the report leaves out.
if [[ $replicate == true ]]; then
  echo "run.sh $mode: ReplicationBenchmark; results in $out/replication.json"
  java -Dkintsugi.bench.dir="$bench_dir" -jar "$jar" "$replication" "${replication_args[@]}" "$@" \
    -rf json -rff "$out/replication.json" | tee "$out/replication.log"
fi

#!/usr/bin/env bash
# Kintsugi side by side with RocksDB and lmdbjava: builds the benchmarks jar if needed, runs the comparison with
# JMH and writes benchmarks/results/<date>[-quick]/{jmh.json,README.md,ratios.png}. See benchmarks/README.md.
#
#   benchmarks/run.sh quick            about 10 minutes on 2 cores: 1 fork, short iterations (a smoke of the numbers)
#   benchmarks/run.sh full             about 45 minutes on 2 cores: 2 forks, 3 x 5 s warmup, 5 x 5 s measurement
#   benchmarks/run.sh profile [REGEX]  JFR profile of one benchmark (default IntegrityCostBenchmark.getUncached)
#
# Any further arguments go to JMH and take the place of the mode's own, e.g. `benchmarks/run.sh quick -p keys=100000`
# or `benchmarks/run.sh full -f 3`.
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

case "$mode" in
  quick)
    out=benchmarks/results/$day-quick
    declare -A settings=([-f]=1 [-wi]=2 [-w]=2s [-i]=3 [-r]=3s)
    expected="about 10 minutes";;
  full)
    out=benchmarks/results/$day
    declare -A settings=([-f]=2 [-wi]=3 [-w]=5s [-i]=5 [-r]=5s)
    expected="about 45 minutes";;
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
done
jmh_args=()
for option in "${!settings[@]}"; do jmh_args+=("$option" "${settings[$option]}"); done

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

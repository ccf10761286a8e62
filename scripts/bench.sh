#!/usr/bin/env bash
# Runs skiff's benchmark set and writes bench/results/latest.{txt,json,png}:
#   1. skiff-micro (Google Benchmark: checksum, header parse/emit, socket
#      table, timers, a whole short connection, a data segment + its ACK);
#   2. skiff-bench cps sweep (concurrency 1, 8, 32, 128) and bulk, for
#      skiff and Linux side by side (Linux alone if the skiff runner is not
#      built; the table says so), and the same for Linux with busy-polling
#      threads (--linux_spin) as a second baseline; then rr, 1-byte
#      ping-pong over 1 and 64 connections (req/s on one server core,
#      latency percentiles), the same way (latest-rr{,-linux-spin}.json);
#   2b. skiff-bench on several lcores: cps (32 connections per client lcore)
#      and bulk with 1+1 and 2+2 lcores, skiff Stacks over the multi-queue
#      in-process wire and Linux threads with SO_REUSEPORT, with each
#      thread's CPU time per connection (latest-lcores{1,2}.json);
#   3. skiff-scale: 1 M idle connections on one stack (bytes each, and the
#      cost of a segment at 1 K / 100 K / 1 M);
#   4. scripts/bench-http.sh: skiff-httpd vs nginx under wrk over a veth lab,
#      keep-alive and Connection: close (latest-http.txt).
# Builds a release build in build-release first. Takes about 3 minutes on a
# 2-core machine (well under 10).
#
#   scripts/bench.sh                 the full set, 3 s per figure
#   scripts/bench.sh --duration=1    shorter figures
#   scripts/bench.sh --no-build      use build-release as it is
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-release"
out="$root/bench/results"
duration=3
warmup=0.5
do_build=1
for arg in "$@"; do
  case "$arg" in
    --duration=*) duration="${arg#*=}" ;;
    --no-build) do_build=0 ;;
    -h | --help)
      sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "bench.sh: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

# Quiet unless it fails; then the log's tail says why. Tests are not
# configured: only the benchmark targets are built.
run_logged() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    tail -30 "$log" >&2
    rm -f "$log"
    echo "bench.sh: failed: $*" >&2
    exit 1
  fi
  rm -f "$log"
}
if [[ $do_build == 1 ]]; then
  if [[ ! -f "$build/build.ninja" ]]; then
    rm -rf "$build"
    run_logged meson setup "$build" "$root" --buildtype=release \
      -Dbench=true -Dtests=false
  fi
  run_logged ninja -j2 -C "$build" bench/micro/skiff-micro \
    bench/harness/skiff-bench bench/scale/skiff-scale apps/skiff-httpd
fi
micro="$build/bench/micro/skiff-micro"
harness="$build/bench/harness/skiff-bench"
scale="$build/bench/scale/skiff-scale"
mkdir -p "$out"
txt="$out/latest.txt"

model="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
machine="machine: ${model:-unknown}, $(nproc) cores, Linux $(uname -r), $(date -u +%Y-%m-%dT%H:%M:%SZ)"

if "$harness" --list_stacks | grep -qx skiff; then
  stack=both
  stack_note="skiff and linux"
else
  stack=linux
  stack_note="linux only: skiff runner not built yet, no skiff figures"
fi

main_cmd=("$harness" --mode=cps,bulk "--stack=$stack"
  --concurrency=1,8,32,128 "--duration=$duration" "--warmup=$warmup"
  "--json=$out/latest.json" "--plot=$out/latest.png")
spin_cmd=("$harness" --mode=cps,bulk --stack=linux --linux_spin
  --concurrency=1,8,32,128 "--duration=$duration" "--warmup=$warmup"
  "--json=$out/latest-linux-spin.json")
# rr as bench-iip measures it: 1-byte ping-pong, one request outstanding on
# each of 1 and 64 connections, one server core.
rr_cmd=("$harness" --mode=rr "--stack=$stack" --concurrency=1,64 --rr_bytes=1
  "--duration=$duration" "--warmup=$warmup" "--json=$out/latest-rr.json")
rr_spin_cmd=("$harness" --mode=rr --stack=linux --linux_spin
  --concurrency=1,64 --rr_bytes=1 "--duration=$duration" "--warmup=$warmup"
  "--json=$out/latest-rr-linux-spin.json")
micro_cmd=("$micro" --benchmark_min_time=0.2
  "--benchmark_out=$out/latest-micro.json" --benchmark_out_format=json)
scale_cmd=("$scale" --connections=1000000)

start=$SECONDS
{
  echo "skiff benchmarks"
  echo "$machine"
  echo "stacks: $stack_note"
  echo
  echo "== micro: ${micro_cmd[*]}"
  "${micro_cmd[@]}" 2>&1 | sed -n '/^---/,$p'
  echo
  echo "== whole stack: ${main_cmd[*]}"
  "${main_cmd[@]}" 2>/dev/null
  echo
  echo "== linux, busy-polling threads: ${spin_cmd[*]}"
  "${spin_cmd[@]}" 2>/dev/null
  echo
  echo "== request/response over many connections: ${rr_cmd[*]}"
  "${rr_cmd[@]}" 2>/dev/null
  echo
  echo "== same, linux busy-polling threads: ${rr_spin_cmd[*]}"
  "${rr_spin_cmd[@]}" 2>/dev/null
  echo
  for n in 1 2; do
    cmd=("$harness" --mode=cps,bulk "--stack=$stack" --concurrency=32
      "--lcores=$n" "--duration=$duration" "--warmup=$warmup"
      "--json=$out/latest-lcores$n.json")
    echo "== $n+$n lcores: ${cmd[*]}"
    "${cmd[@]}" 2>/dev/null
    echo
  done
  echo "== idle connections: ${scale_cmd[*]}"
  "${scale_cmd[@]}" 2>/dev/null
  echo
  echo "== web servers over the veth lab: scripts/bench-http.sh --duration=5"
  "$root/scripts/bench-http.sh" --duration=5 --no-build | tee "$out/latest-http.txt"
  echo
  echo "total $((SECONDS - start)) s"
} | tee "$txt"
echo "wrote $out/latest.{txt,json,png}, latest-linux-spin.json, latest-rr.json, latest-rr-linux-spin.json, latest-micro.json, latest-lcores{1,2}.json, latest-http.txt"

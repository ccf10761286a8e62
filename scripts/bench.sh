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
# Memory: EAL takes 2 MiB hugepages when enough are free (skiff-bench
# --hugepages, skiff-micro); as root this script reserves the 1 GiB they
# need for the run and gives the pages back at the end, and the header says
# what the run used (and the kernel's THP mode, which the connection slab,
# buffer chunks and socket table ask for with madvise).
# Builds a release build in build-release first. Takes about 3 minutes on a
# 2-core machine (well under 10).
#
#   scripts/bench.sh                 the full set, 3 s per figure
#   scripts/bench.sh --duration=1    shorter figures
#   scripts/bench.sh --no-build      use build-release as it is
#   scripts/bench.sh --no-hugepages  EAL on 4 KiB pages (--no-huge) throughout
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-release"
out="$root/bench/results"
duration=3
warmup=0.5
do_build=1
hugepages=1
for arg in "$@"; do
  case "$arg" in
    --duration=*) duration="${arg#*=}" ;;
    --no-build) do_build=0 ;;
    --no-hugepages) hugepages=0 ;;
    -h | --help)
      sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'
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

# Hugepages for EAL: skiff-bench's -m 1024 (512 pages of 2 MiB) and a
# margin. Reserved only if missing, and given back on exit.
nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
free_file=/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
want_pages=544
orig_nr=""
mounted=0
give_back_huge() {
  ((mounted)) && umount /dev/hugepages 2>/dev/null
  [[ -n $orig_nr ]] && echo "$orig_nr" >"$nr" 2>/dev/null
  return 0
}
trap give_back_huge EXIT
huge_note="off (--no-hugepages): EAL --no-huge"
huge_flag=(--hugepages=false)
if [[ $hugepages == 1 ]]; then
  huge_flag=(--hugepages=true)
  if [[ -r $free_file ]]; then
    free=$(<"$free_file")
    if ((free < want_pages)) && [[ -w $nr ]]; then
      orig_nr=$(<"$nr")
      echo $((orig_nr + want_pages - free)) >"$nr" 2>/dev/null || true
    fi
    free=$(<"$free_file")
    # EAL finds the page size through a hugetlbfs mount, even --in-memory.
    if ((free >= want_pages)) && ! grep -q ' hugetlbfs ' /proc/mounts; then
      mkdir -p /dev/hugepages
      mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null && mounted=1
    fi
    if ((free >= want_pages)) && grep -q ' hugetlbfs ' /proc/mounts; then
      huge_note="EAL on 2 MiB hugepages ($free free at start${orig_nr:+, reserved by bench.sh}$( ((mounted)) && echo ", hugetlbfs mounted by bench.sh"))"
    else
      huge_note="EAL --no-huge: $free free 2 MiB pages ($want_pages wanted) or no hugetlbfs mount (not root?)"
    fi
  else
    huge_note="EAL --no-huge: no 2 MiB hugepage pool in /sys"
  fi
fi
thp="$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || true)"
huge_note="$huge_note; THP ${thp:-unknown}"

main_cmd=("$harness" --mode=cps,bulk "--stack=$stack" "${huge_flag[@]}"
  --concurrency=1,8,32,128 "--duration=$duration" "--warmup=$warmup"
  "--json=$out/latest.json" "--plot=$out/latest.png")
spin_cmd=("$harness" --mode=cps,bulk --stack=linux --linux_spin
  --concurrency=1,8,32,128 "--duration=$duration" "--warmup=$warmup"
  "--json=$out/latest-linux-spin.json")
# rr as bench-iip measures it: 1-byte ping-pong, one request outstanding on
# each of 1 and 64 connections, one server core.
rr_cmd=("$harness" --mode=rr "--stack=$stack" "${huge_flag[@]}" --concurrency=1,64 --rr_bytes=1
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
  echo "memory: $huge_note"
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
    cmd=("$harness" --mode=cps,bulk "--stack=$stack" "${huge_flag[@]}" --concurrency=32
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

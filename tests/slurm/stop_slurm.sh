#!/usr/bin/env bash
# Stops the private cluster that start_slurm.sh started in DIR: cancels its
# jobs, then stops slurmd, slurmctld and munged by the pids in their pid files
# (never by name: other Slurm or munge daemons on the machine are left alone).
# Safe to run twice, or on a half-started cluster. Leaves DIR in place (logs).
set -uo pipefail

dir="${1:?usage: stop_slurm.sh DIR}"
[ -d "$dir" ] || exit 0
export SLURM_CONF="$dir/slurm.conf"

# Cancel every job first, while slurmd is still there to kill the job's
# processes (slurmstepd outlives slurmd, so killing slurmd first would orphan
# the jobs' `sleep`s).
if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
  timeout 5 scancel --full --quiet --user=root >/dev/null 2>&1 || true
  for _ in $(seq 1 20); do
    left="$(timeout 5 squeue -h -t RUNNING,SUSPENDED,COMPLETING -o '%i' 2>/dev/null || true)"
    [ -z "$left" ] && break
    sleep 0.25
  done
fi

# SIGTERM to all three at once (each takes 1-2 s to exit), then SIGKILL to
# whatever is still there 4 s later.
pids=()
for file in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
  [ -f "$file" ] || continue
  pid="$(cat "$file" 2>/dev/null)"
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
done
for _ in $(seq 1 40); do
  alive=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  [ "$alive" -eq 0 ] && break
  sleep 0.1
done
for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
# Tells start_slurm.sh's watcher (if any) that its work is done.
touch "$dir/stopped"
exit 0

#!/usr/bin/env bash
# Starts a private one-node Slurm cluster for the integration tests, in a
# directory of its own, beside (never touching) any system Slurm or munge:
#
#   tests/slurm/start_slurm.sh DIR     # prints SLURM_CONF=DIR/slurm.conf on success
#   tests/slurm/stop_slurm.sh DIR
#
# What it runs, all as root and all from Debian 12's packages (slurmctld,
# slurmd, slurm-client 22.05, munge 0.5.15):
#   munged     with its own key, socket, pid, log and seed files under DIR/munge;
#              slurm.conf's AuthInfo=socket=... points Slurm at that socket
#   slurmctld  daemon mode, -f DIR/slurm.conf, pid file DIR/slurmctld.pid
#   slurmd     daemon mode, node n1 (NodeHostname=localhost, CPUs=1 by default), pid DIR/slurmd.pid
# No systemd and no cgroups: proctrack/linuxproc, task/none, jobacct_gather/none,
# so it runs in a container. One node, because running two slurmd on one host
# needs Slurm built with --enable-multiple-slurmd, which Debian's is not.
#
# Ports: MULLET_SLURMCTLD_PORT (default 16817) and MULLET_SLURMD_PORT (16818),
# away from Slurm's 6817/6818 so that a system cluster does not clash;
# MULLET_SLURM_CPUS (default 1) CPUs on n1, at most the machine's.
# Exit status 0 once `sinfo` shows n1 idle (within ~30 s), else 1 with the
# daemons' log tails on stderr (and whatever started is stopped again).
set -euo pipefail

dir="${1:?usage: start_slurm.sh DIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ctld_port="${MULLET_SLURMCTLD_PORT:-16817}"
slurmd_port="${MULLET_SLURMD_PORT:-16818}"
cpus="${MULLET_SLURM_CPUS:-1}"

die() {
  echo "start_slurm.sh: $*" >&2
  for log in "$dir/munge/munged.log" "$dir/slurmctld.log" "$dir/slurmd.log"; do
    [ -f "$log" ] && { echo "--- tail of $log" >&2; tail -n 15 "$log" >&2; }
  done
  bash "$here/stop_slurm.sh" "$dir" >/dev/null 2>&1 || true
  exit 1
}

for bin in munged mungekey slurmctld slurmd sinfo scontrol; do
  command -v "$bin" >/dev/null 2>&1 ||
    die "'$bin' is not installed: run scripts/install-deps.sh --test (slurmctld slurmd slurm-client munge)"
done

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
# munged refuses a key or socket directory that others can write to.
chmod 0700 "$dir"
rm -f "$dir/stopped"
mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
chmod 0700 "$dir/munge"

# ---- munge: a fresh key and a private daemon.
[ -f "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key" ||
  die "mungekey failed"
chmod 0600 "$dir/munge/munge.key"
munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
  --seed-file="$dir/munge/munged.seed" --force ||
  die "munged did not start"

# ---- slurm.conf: the smallest configuration slurmctld 22.05 accepts here.
cat >"$dir/slurm.conf" <<EOF
ClusterName=mullettest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
# Quick reaction in tests: a killed job's processes get 2 s, not 30.
KillWait=2
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=n1 Default=YES MaxTime=INFINITE State=UP
EOF

export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" || die "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N n1 || die "slurmd did not start"

# Wait until the controller answers and the node has registered idle.
for _ in $(seq 1 60); do
  state="$(sinfo -h -n n1 -o '%T' 2>/dev/null || true)"
  if [ "$state" = "idle" ]; then
    # With MULLET_SLURM_OWNER_PID set (the test process), a detached watcher
    # stops the cluster once that process is gone, so that a test killed by a
    # timeout or a crash leaves no daemons behind. stop_slurm.sh ends it.
    if [ -n "${MULLET_SLURM_OWNER_PID:-}" ]; then
      setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ ! -e "$2/stopped" ]; do sleep 1; done
                      [ -e "$2/stopped" ] || bash "$3" "$2"' \
        watcher "$MULLET_SLURM_OWNER_PID" "$dir" "$here/stop_slurm.sh" </dev/null >/dev/null 2>&1 &
    fi
    echo "SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
die "node n1 not idle after 30 s (sinfo says '${state:-nothing}')"

#!/usr/bin/env bash
# A real single-node SLURM cluster for the batch runner's tests (tests/batch, marker e2e).
#
#   bash tests/setup_slurm.sh [start]   install if missing, configure, start, wait until idle
#   bash tests/setup_slurm.sh stop      stop the daemons this script started (by pid file)
#   bash tests/setup_slurm.sh status    exit 0 when the node answers `sinfo` as idle/mixed
#
# Idempotent: does nothing that is already done. It installs Debian's `slurm-wlm` and `munge`
# when missing, creates the munge key when missing, and writes its own slurm.conf in
# $TWIN_SLURM_DIR (default /var/tmp/twin-slurm) — never /etc/slurm, so a machine that already
# belongs to a real cluster keeps its configuration. Commands that talk to this cluster need
# `export SLURM_CONF=$TWIN_SLURM_DIR/slurm.conf` (the pytest fixture sets it).
# The daemons are left running after `start`; the test session stops them (tests/batch/conftest.py).
set -euo pipefail

DIR="${TWIN_SLURM_DIR:-/var/tmp/twin-slurm}"
CONF="$DIR/slurm.conf"
HOST="$(hostname -s)"
action="${1:-start}"
export SLURM_CONF="$CONF"

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi

alive() {  # alive PIDFILE: the process named in the pid file is running
    [ -s "$1" ] && $SUDO kill -0 "$(cat "$1")" 2>/dev/null
}

node_ready() {
    local state
    state="$(sinfo -h -n "$HOST" -o %T 2>/dev/null | head -1 || true)"
    [[ "$state" == idle* || "$state" == mixed* || "$state" == allocated* ]]
}

stop_daemon() {  # stop_daemon PIDFILE NAME
    if alive "$1"; then
        local pid
        pid="$(cat "$1")"
        $SUDO kill "$pid"
        for _ in $(seq 1 100); do
            $SUDO kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        echo "stopped $2 (pid $pid)"
    fi
}

case "$action" in
    status)
        node_ready && { echo "slurm node $HOST ready ($CONF)"; exit 0; }
        echo "slurm node $HOST not ready" >&2
        exit 1
        ;;
    stop)
        stop_daemon "$DIR/slurmd.pid" slurmd
        stop_daemon "$DIR/slurmctld.pid" slurmctld
        stop_daemon "$DIR/munged.pid" munged
        exit 0
        ;;
    start) ;;
    *)
        echo "usage: $0 [start|stop|status]" >&2
        exit 2
        ;;
esac

# --- install -----------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 \
    || ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
    echo "installed: $(slurmctld -V)"
fi

# --- munge ---------------------------------------------------------------------------------
if [ ! -s /etc/munge/munge.key ]; then
    $SUDO mkdir -p /etc/munge
    $SUDO dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    $SUDO chown munge:munge /etc/munge/munge.key
    $SUDO chmod 400 /etc/munge/munge.key
fi
$SUDO mkdir -p "$DIR/state" "$DIR/spool" /run/munge /var/log/munge /var/lib/munge
$SUDO chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    $SUDO chown munge:munge "$DIR"
    $SUDO runuser -u munge -- /usr/sbin/munged --pid-file="$DIR/munged.pid"
    for _ in $(seq 1 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 0.1
    done
    $SUDO chown root:root "$DIR"
fi

# --- slurm.conf ----------------------------------------------------------------------------
# Not `nproc`: it obeys OMP_NUM_THREADS, which Dask sets to 1 around its worker processes.
cpus="$(getconf _NPROCESSORS_ONLN)"
mem_mb="$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.85}' /proc/meminfo)"
wanted="$(cat <<EOF
# Written by tests/setup_slurm.sh: a single-node cluster for the twin's batch tests.
ClusterName=twin
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
KillWait=5
MinJobAge=60
NodeName=$HOST CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
)"
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$wanted" ]; then
    # A new configuration needs fresh daemons.
    stop_daemon "$DIR/slurmd.pid" slurmd
    stop_daemon "$DIR/slurmctld.pid" slurmctld
    printf '%s\n' "$wanted" | $SUDO tee "$CONF" >/dev/null
fi

# --- daemons -------------------------------------------------------------------------------
alive "$DIR/slurmctld.pid" || $SUDO slurmctld -f "$CONF"
for _ in $(seq 1 100); do
    scontrol ping 2>/dev/null | grep -q UP && break
    sleep 0.1
done
alive "$DIR/slurmd.pid" || $SUDO slurmd -f "$CONF"
for _ in $(seq 1 300); do
    node_ready && break
    state="$(sinfo -h -n "$HOST" -o %T 2>/dev/null | head -1 || true)"
    if [[ "$state" == down* || "$state" == drain* ]]; then
        $SUDO scontrol update nodename="$HOST" state=resume 2>/dev/null || true
    fi
    sleep 0.1
done
if ! node_ready; then
    echo "error: slurm node $HOST did not become idle; see $DIR/slurmctld.log and $DIR/slurmd.log" >&2
    sinfo >&2 || true
    exit 1
fi
echo "slurm ready: $(sinfo -h -o '%P %D %T %c cpus %m MB') (export SLURM_CONF=$CONF)"

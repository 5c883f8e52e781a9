#!/usr/bin/env bash
# A local lab for the SSH and Docker backends on one machine (as root), so anyone can try
# clusters/etcd-5-ssh.json and clusters/etcd-5-docker.json without real hosts or a registry.
#
#   scripts/lab.sh up ssh      5 "hosts": network namespaces labssh-n1..n5 (10.76.0.11-15 on the
#                              bridge labsshbr, host side 10.76.0.1), each running its own sshd
#                              with a generated host key. Logins: root, fl-lab (passwordless sudo),
#                              fl-lab-nosudo (no sudo right). Written for the definitions:
#                                $LAB/ssh/client_key     the authorized client key
#                                $LAB/ssh/known_hosts    the 5 host keys (10.76.0.1N)
#   scripts/lab.sh up docker   a Docker engine at $LAB/docker/docker.sock (started only if none
#                              answers there: dockerd with its own data/exec roots,
#                              --iptables=false --bridge=none) and the image faultline-lab/etcd:latest
#                              made with `docker import` from /usr/bin/etcd, the libraries it needs
#                              (ldd) and busybox. Nothing is pulled from a registry.
#   scripts/lab.sh down ssh|docker   removes everything `up` made.
#   scripts/lab.sh status ssh|docker
#
# LAB is /run/faultline-lab (override with FAULTLINE_LAB). Starting the lab is cluster work: run
# it under the machine's cluster lock (flock /tmp/faultline-cluster.lock scripts/lab.sh up ssh).
set -euo pipefail

LAB=${FAULTLINE_LAB:-/run/faultline-lab}
SSH_DIR=$LAB/ssh
DOCKER_DIR=$LAB/docker
SOCK=$DOCKER_DIR/docker.sock
IMAGE=faultline-lab/etcd:latest
HOSTS=(1 2 3 4 5)
NET=10.76.0
BRIDGE=labsshbr
USERS=(fl-lab fl-lab-nosudo)
SUDOERS=/etc/sudoers.d/faultline-lab

die() { echo "lab: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, sshd, dockerd)"

# Waits up to $1 tenths of a second for the command after it to succeed.
wait_for() {
  local n=$1; shift
  for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

ssh_up() {
  command -v /usr/sbin/sshd >/dev/null || die "no /usr/sbin/sshd: run scripts/install-deps.sh (openssh-server)"
  command -v sudo >/dev/null || die "no sudo: run scripts/install-deps.sh"
  if ssh_alive; then echo "lab: ssh already up ($SSH_DIR)"; return; fi
  ssh_down quiet
  mkdir -p "$SSH_DIR/hosts" "$SSH_DIR/users" /run/sshd
  chmod 755 "$LAB" "$SSH_DIR"
  ssh-keygen -q -t ed25519 -N '' -C faultline-lab -f "$SSH_DIR/client_key"
  cp "$SSH_DIR/client_key.pub" "$SSH_DIR/authorized_keys"
  chmod 644 "$SSH_DIR/authorized_keys"
  for u in "${USERS[@]}"; do
    id "$u" >/dev/null 2>&1 || useradd -M -d "$SSH_DIR/users/$u" -s /bin/sh -p "*" "$u"
    mkdir -p "$SSH_DIR/users/$u" && chown "$u:" "$SSH_DIR/users/$u"
  done
  echo "fl-lab ALL=(ALL) NOPASSWD: ALL" >"$SUDOERS.tmp" && chmod 440 "$SUDOERS.tmp"
  mv "$SUDOERS.tmp" "$SUDOERS"

  ip link add "$BRIDGE" type bridge
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  : >"$SSH_DIR/known_hosts"
  for i in "${HOSTS[@]}"; do
    local ns=labssh-n$i h=$SSH_DIR/hosts/n$i addr=$NET.1$i
    mkdir -p "$h"
    ip netns add "$ns"
    ip link add "labsshv$i" type veth peer name eth0 netns "$ns"
    ip link set "labsshv$i" master "$BRIDGE" up
    ip -n "$ns" addr add "$addr/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    ssh-keygen -q -t ed25519 -N '' -C "labssh-n$i" -f "$h/ssh_host_ed25519_key"
    cat >"$h/sshd_config" <<EOF
ListenAddress $addr:22
HostKey $h/ssh_host_ed25519_key
PidFile $h/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
AllowUsers root ${USERS[*]}
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxSessions 100
MaxStartups 100:30:200
Subsystem sftp internal-sftp
EOF
    (close_fds && exec ip netns exec "$ns" /usr/sbin/sshd -f "$h/sshd_config" -E "$h/sshd.log")
    echo "$addr $(cut -d' ' -f1,2 "$h/ssh_host_ed25519_key.pub")" >>"$SSH_DIR/known_hosts"
  done
  for i in "${HOSTS[@]}"; do
    wait_for 50 test -s "$SSH_DIR/hosts/n$i/sshd.pid" || die "sshd for n$i did not start (see $SSH_DIR/hosts/n$i/sshd.log)"
  done
  touch "$SSH_DIR/up"
  echo "lab: ssh up: hosts $NET.11-$NET.15:22, users ${USERS[*]}, key $SSH_DIR/client_key, known_hosts $SSH_DIR/known_hosts"
}

ssh_alive() {
  [ -e "$SSH_DIR/up" ] || return 1
  for i in "${HOSTS[@]}"; do
    local p; p=$(cat "$SSH_DIR/hosts/n$i/sshd.pid" 2>/dev/null) || return 1
    kill -0 "$p" 2>/dev/null || return 1
  done
}

ssh_down() {
  for i in "${HOSTS[@]}"; do
    local ns=labssh-n$i
    if ip netns list | grep -qx "$ns\( .*\)\?"; then
      # Everything running in the host's namespace: its sshd, sessions and whatever they started.
      local pids; pids=$(ip netns pids "$ns" || true)
      [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
      ip netns del "$ns"
    fi
    ip link del "labsshv$i" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  for u in "${USERS[@]}"; do
    if id "$u" >/dev/null 2>&1; then userdel "$u" 2>/dev/null || true; fi
  done
  rm -f "$SUDOERS"
  rm -rf "$SSH_DIR"
  rmdir "$LAB" 2>/dev/null || true
  [ "${1:-}" = quiet ] || echo "lab: ssh down"
}

# Closes every descriptor above 2 in this (sub)shell: a daemon must not inherit the caller's
# cluster lock (flock's descriptor), or it holds the machine's lock for as long as it runs.
close_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] && eval "exec $fd>&-"
  done
  return 0
}

docker_cli() { docker -H "unix://$SOCK" "$@"; }
engine_answers() { [ -S "$SOCK" ] && docker_cli version --format '{{.Server.Version}}' >/dev/null 2>&1; }

docker_up() {
  command -v dockerd >/dev/null || die "no dockerd: run scripts/install-deps.sh (docker.io)"
  command -v docker >/dev/null || die "no docker CLI: run scripts/install-deps.sh (docker.io)"
  mkdir -p "$DOCKER_DIR"
  chmod 755 "$LAB"
  if ! engine_answers; then
    mkdir -p "$DOCKER_DIR/data" "$DOCKER_DIR/exec"
    rm -f "$SOCK"
    (
      close_fds
      exec setsid dockerd --data-root "$DOCKER_DIR/data" --exec-root "$DOCKER_DIR/exec" \
        --pidfile "$DOCKER_DIR/dockerd.pid" --iptables=false --ip6tables=false --bridge=none \
        --host "unix://$SOCK" </dev/null >"$DOCKER_DIR/dockerd.log" 2>&1
    ) &
    touch "$DOCKER_DIR/started-engine"
    wait_for 600 engine_answers || die "dockerd did not answer at $SOCK within 60 s (see $DOCKER_DIR/dockerd.log)"
  fi
  if ! docker_cli image inspect "$IMAGE" >/dev/null 2>&1; then
    local root; root=$(mktemp -d "$DOCKER_DIR/rootfs.XXXXXX")
    mkdir -p "$root/usr/bin" "$root/bin" "$root/tmp" "$root/etc" "$root/data" "$root/var/log"
    chmod 1777 "$root/tmp"
    cp /usr/bin/etcd "$root/usr/bin/etcd"
    command -v etcdctl >/dev/null && cp "$(command -v etcdctl)" "$root/usr/bin/etcdctl"
    # The dynamic loader and libraries etcd needs (none if it is static).
    for lib in $(ldd /usr/bin/etcd 2>/dev/null | grep -o '/[^ ]*' || true); do
      mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
    done
    # A shell and the small tools Faultline runs in a node (cat, kill, rm, mkdir, sleep...).
    cp /usr/bin/busybox "$root/bin/busybox"
    for t in sh cat kill rm mkdir sleep ls ps env echo printf id sed cut tail head mv cp true false test wc tr grep stat chmod touch ln du df; do
      ln -s busybox "$root/bin/$t"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
    tar -C "$root" -c . | docker_cli import --change 'ENV PATH=/usr/bin:/bin' \
      --change 'CMD ["/usr/bin/etcd"]' - "$IMAGE" >/dev/null
    rm -rf "$root"
  fi
  echo "lab: docker up: engine unix://$SOCK, image $IMAGE"
}

docker_down() {
  if engine_answers; then
    local ids
    ids=$(docker_cli ps -aq --filter label=faultline.lab=1) || true
    [ -z "$ids" ] || docker_cli rm -f $ids >/dev/null || true
    if [ -e "$DOCKER_DIR/started-engine" ]; then
      # The engine is ours: everything in it was made by Faultline or the lab.
      ids=$(docker_cli ps -aq) || true
      [ -z "$ids" ] || docker_cli rm -f $ids >/dev/null || true
      docker_cli network prune -f >/dev/null || true
    else
      docker_cli image rm -f "$IMAGE" >/dev/null 2>&1 || true
    fi
  fi
  if [ -e "$DOCKER_DIR/started-engine" ]; then
    local p; p=$(cat "$DOCKER_DIR/dockerd.pid" 2>/dev/null || true)
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      kill "$p"
      wait_for 300 sh -c "! kill -0 $p" || kill -9 "$p" 2>/dev/null || true
    fi
    # Mounts the engine may have left (overlay layers, netns bind mounts).
    { grep -o " $DOCKER_DIR[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
    rm -rf "$DOCKER_DIR"
  else
    rm -rf "$DOCKER_DIR"
  fi
  rmdir "$LAB" 2>/dev/null || true
  echo "lab: docker down"
}

case "${1:-} ${2:-}" in
"up ssh") ssh_up ;;
"down ssh") ssh_down ;;
"status ssh") if ssh_alive; then echo "lab: ssh up ($SSH_DIR)"; else echo "lab: ssh down"; exit 1; fi ;;
"up docker") docker_up ;;
"down docker") docker_down ;;
"status docker")
  if ! engine_answers; then echo "lab: no engine at unix://$SOCK"; exit 1; fi
  if ! docker_cli image inspect "$IMAGE" >/dev/null 2>&1; then echo "lab: engine at unix://$SOCK, no image $IMAGE"; exit 1; fi
  echo "lab: docker up: engine unix://$SOCK, image $IMAGE" ;;
*) echo "usage: scripts/lab.sh up|down|status ssh|docker" >&2; exit 64 ;;
esac

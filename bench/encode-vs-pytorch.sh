#!/usr/bin/env bash
# zooscope's weight encoders against the same encoders in PyTorch, same batch of zoo rows, one run.
#   bench/encode-vs-pytorch.sh ZOO_DIR
# Needs Debian's python3-torch (apt-get install python3-torch) for the peer.
set -euo pipefail
cd "$(dirname "$0")/.."
zoo=${1:?usage: bench/encode-vs-pytorch.sh ZOO_DIR}
py=/usr/bin/python3
"$py" -c 'import torch' 2>/dev/null || { echo "encode-vs-pytorch: needs python3-torch (apt-get install python3-torch)" >&2; exit 1; }
encoders=flat,transformer,noninteractive,interactive
ours=$(./zooscope bench encode --zoo "$zoo" --encoders "$encoders" 2>/dev/null); echo "$ours"
peer=$("$py" bench/python/encode_peer.py "$zoo" --encoders "$encoders"); echo "$peer"

printf '\n%-16s %14s %14s %8s %14s %14s %8s\n' encoder "zooscope enc" "PyTorch enc" ratio "zooscope train" "PyTorch train" ratio
for e in ${encoders//,/ }; do
  read -r ze zt < <(awk -v e="$e" '$1 == e {print $3, $4}' <<< "$ours")
  read -r pe pt < <(sed -n "s/^peer $e: .* encode \([0-9.]*\) RNNs\/s, train pass \([0-9.]*\) RNNs\/s/\1 \2/p" <<< "$peer")
  printf '%-16s %14s %14s %7.2fx %14s %14s %7.2fx\n' "$e" "$ze" "$pe" "$(awk -v a="$ze" -v b="$pe" 'BEGIN{print a/b}')" \
    "$zt" "$pt" "$(awk -v a="$zt" -v b="$pt" 'BEGIN{print a/b}')"
done

#!/usr/bin/env bash
# Time per epoch and first results of the TSL Transformer with SA, LA, EA-2 and EA-6 at
# the full TSL settings (the config defaults):
#   * JapaneseVowels: complete runs (100 epochs max, early stopping on TEST, patience 10)
#   * ETTh2, pred_len 96: the first epoch (val/test MSE after it, its wall time)
# Usage: EAFORMER_DATA=../shared/data experiments/training_cost.sh [out_dir]
# Runs go to out_dir (default runs/training_cost); logs hold every number.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/training_cost}
mkdir -p "$out"
kinds=("sa" "la" "ea2" "ea6")
attn() {
  case $1 in
    ea2) echo "--set model.attention.kind=ea --set model.attention.order=2" ;;
    ea6) echo "--set model.attention.kind=ea --set model.attention.order=6" ;;
    *) echo "--set model.attention.kind=$1" ;;
  esac
}
for k in "${kinds[@]}"; do
  # shellcheck disable=SC2046
  build/eaformer train --set data.dataset=JapaneseVowels $(attn "$k") --set threads=2 \
    --set output.progress=none --run-dir "$out/jv_$k" > "$out/jv_$k.log" 2>&1
done
for k in "${kinds[@]}"; do
  # shellcheck disable=SC2046
  build/eaformer train --set task=forecast $(attn "$k") --set train.epochs=1 --set threads=2 \
    --set output.progress=none --run-dir "$out/etth2_$k" > "$out/etth2_$k.log" 2>&1
done
grep -H -E "final (test_accuracy|test_mse|test_mae|seconds_per_epoch|train_seconds_per_step|epochs)" "$out"/*.log

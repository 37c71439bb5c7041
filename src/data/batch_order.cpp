#include "data/batch_order.h"

#include <numeric>
#include <stdexcept>

namespace eaf {

BatchOrder::BatchOrder(int64_t num_samples, int64_t batch_size, bool shuffle, bool drop_last,
                       uint64_t seed)
    : batch_size_(batch_size),
      shuffle_(shuffle),
      drop_last_(drop_last),
      rng_(seed),
      order_(static_cast<size_t>(num_samples)) {
  if (batch_size < 1) throw std::invalid_argument("batch_size must be ≥ 1");
  std::iota(order_.begin(), order_.end(), 0);
}

void BatchOrder::start_epoch(int64_t epoch) {
  std::iota(order_.begin(), order_.end(), 0);
  if (!shuffle_) return;
  Rng r = rng_.fork(static_cast<uint64_t>(epoch));
  for (int64_t i = static_cast<int64_t>(order_.size()) - 1; i > 0; --i)
    std::swap(order_[i], order_[r.below(static_cast<uint64_t>(i + 1))]);
}

int64_t BatchOrder::num_batches() const {
  const int64_t n = static_cast<int64_t>(order_.size());
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

std::span<const int64_t> BatchOrder::batch(int64_t b) const {
  const int64_t begin = b * batch_size_;
  const int64_t end = std::min<int64_t>(begin + batch_size_, static_cast<int64_t>(order_.size()));
  return {order_.data() + begin, static_cast<size_t>(end - begin)};
}

}  // namespace eaf

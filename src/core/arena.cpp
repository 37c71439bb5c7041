#include "core/arena.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace eaf {

namespace {
constexpr size_t kAlign = 64;
size_t round_up(size_t n) {
  return (n + kAlign - 1) / kAlign * kAlign;
}
}  // namespace

Arena::Arena(size_t initial_bytes) {
  add_block(initial_bytes);
}

Arena::~Arena() {
  for (Block& b : blocks_) std::free(b.mem);
}

void Arena::add_block(size_t min_bytes) {
  size_t size = round_up(min_bytes);
  void* mem = std::aligned_alloc(kAlign, size);
  if (!mem) throw std::bad_alloc();
  blocks_.push_back({static_cast<std::byte*>(mem), size, 0});
  ++system_allocations_;
}

void* Arena::alloc_bytes(size_t bytes) {
  bytes = round_up(bytes == 0 ? 1 : bytes);
  Block* b = &blocks_.back();
  if (b->used + bytes > b->size) {
    // Grow geometrically so that a first step with many small allocations stays cheap,
    // but never by more than 1 GiB beyond the request: doubling a multi-GiB block
    // (SA's L×L probabilities) would ask for far more memory than the step needs.
    constexpr size_t kMaxSlack = size_t{1} << 30;
    add_block(std::max(bytes, std::min(b->size * 2, bytes + kMaxSlack)));
    b = &blocks_.back();
  }
  void* p = b->mem + b->used;
  b->used += bytes;
  in_use_ += bytes;
  if (in_use_ > peak_) peak_ = in_use_;
  return p;
}

void Arena::zero_bytes(void* p, size_t bytes) {
  std::memset(p, 0, bytes);
}

size_t Arena::capacity_bytes() const {
  size_t total = 0;
  for (const Block& b : blocks_) total += b.size;
  return total;
}

Arena::Scratch::~Scratch() {
  // Blocks added meanwhile stay (empty) until reset() merges them; later allocations go
  // to the last block, so the rewound space of block_ is simply not used again this step.
  for (size_t b = block_ + 1; b < arena_.blocks_.size(); ++b) arena_.blocks_[b].used = 0;
  arena_.blocks_[block_].used = used_;
  arena_.in_use_ = in_use_;
}

void Arena::reset() {
  if (blocks_.size() > 1) {
    size_t total = capacity_bytes();
    for (Block& b : blocks_) std::free(b.mem);
    blocks_.clear();
    add_block(total);
  }
  blocks_.back().used = 0;
  in_use_ = 0;
}

}  // namespace eaf

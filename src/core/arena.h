// Bump allocator for activations, saved buffers and activation gradients.
//
// A training step allocates everything it needs from the arena and calls reset() at
// the start of the next step. When one step needed more than one block, reset()
// replaces the blocks by a single block of the combined size, so from the second step
// on (shapes fixed) a step performs no system allocation at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace eaf {

class Arena {
 public:
  explicit Arena(size_t initial_bytes = size_t{1} << 20);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Uninitialised, 64-byte aligned storage for n elements of T.
  template <class T>
  T* alloc(int64_t n) {
    return static_cast<T*>(alloc_bytes(static_cast<size_t>(n) * sizeof(T)));
  }
  // Zero-filled storage.
  template <class T>
  T* alloc_zeroed(int64_t n) {
    T* p = alloc<T>(n);
    zero_bytes(p, static_cast<size_t>(n) * sizeof(T));
    return p;
  }

  void reset();

  // Storage for the duration of one kernel call (a backward's workspace): what is
  // allocated through a Scratch is given back when it goes out of scope, so the next
  // node reuses it and the step's peak holds one workspace, not one per layer. Nothing
  // allocated from the arena while a Scratch lives may outlive it.
  class Scratch {
   public:
    explicit Scratch(Arena& a)
        : arena_(a),
          block_(a.blocks_.size() - 1),
          used_(a.blocks_.back().used),
          in_use_(a.in_use_) {}
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    template <class T>
    T* alloc(int64_t n) {
      return arena_.alloc<T>(n);
    }

   private:
    Arena& arena_;
    size_t block_, used_, in_use_;
  };

  size_t bytes_in_use() const { return in_use_; }
  size_t peak_bytes() const { return peak_; }  // high-water mark since the last reset_peak()
  void reset_peak() { peak_ = in_use_; }
  size_t capacity_bytes() const;
  // Number of system allocations made so far; constant once the arena is warm.
  size_t system_allocations() const { return system_allocations_; }

 private:
  struct Block {
    std::byte* mem;
    size_t size;
    size_t used;
  };
  void* alloc_bytes(size_t bytes);
  static void zero_bytes(void* p, size_t bytes);
  void add_block(size_t min_bytes);

  std::vector<Block> blocks_;
  size_t in_use_ = 0;
  size_t peak_ = 0;
  size_t system_allocations_ = 0;
};

}  // namespace eaf

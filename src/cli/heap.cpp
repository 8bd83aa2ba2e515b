#include "cli/heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace mullet {

void UseHugePagesForTheHeap() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;
#else
  constexpr std::size_t kHugePage = std::size_t{2} << 20;
  constexpr std::size_t kGrowBy = std::size_t{64} << 20;
  // Blocks up to 32 MiB (glibc's largest threshold) from the heap, not a
  // fresh mapping each, faulted anew and given back on free; the heap grown
  // in large steps and kept.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  mallopt(M_TOP_PAD, static_cast<int>(kGrowBy));
  // One arena for every thread: the history loader's and the result
  // writer's blocks come from these huge pages too, not from a per-thread
  // arena faulted in 4 KiB pages (glibc's default; mullet runs at most two
  // helper threads, so they rarely wait on its lock).
  mallopt(M_ARENA_MAX, 1);
  // A block from the start of the heap's top chunk up to a 2 MiB boundary
  // at least 1 MiB above it, kept: what is allocated from now on starts on
  // the boundary, inside the huge pages (the head of the heap below it is in
  // 4 KiB pages). The block is larger than the room the heap has left, so
  // allocating it grows the heap by kGrowBy, and glibc writes the new top's
  // header at the block's end, below the boundary: nothing above the
  // boundary is touched before the madvise (a 2 MiB range with one 4 KiB
  // page touched is not made a huge page on a fault). `volatile`: the
  // compiler may not drop an allocation nobody reads.
  const auto top = reinterpret_cast<std::uintptr_t>(sbrk(0)) - mallinfo2().keepcost;
  const std::uintptr_t boundary = (top + (std::size_t{1} << 20) + kHugePage - 1) & ~(kHugePage - 1);
  void* volatile pad = std::malloc(boundary - top - 64);
  // Were the block not carved from the top, glibc's header could lie past
  // the boundary: start a huge page later.
  const std::uintptr_t from = reinterpret_cast<std::uintptr_t>(pad) == top + 16 ? boundary : boundary + kHugePage;
  const std::uintptr_t to = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(kHugePage - 1);
  // Only the room not yet touched: pages already in 4 KiB stay so. An error
  // (no THP in this kernel, or off) leaves the heap as it was.
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
#endif
}

}  // namespace mullet

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
  // A block up to the next 2 MiB boundary, kept: what is allocated from now
  // on starts on a boundary, inside the huge pages (the head of the heap
  // below it would be 4 KiB pages). `volatile`: the compiler may not drop
  // an allocation nobody reads.
  void* volatile first = std::malloc(1);
  const auto here = reinterpret_cast<std::uintptr_t>(first);
  const std::uintptr_t boundary = (here + kHugePage - 1) & ~(kHugePage - 1);
  if (boundary - here > 256) {
    void* volatile pad = std::malloc(boundary - here - 128);
    (void)pad;
  }
  // One block larger than what the heap has left makes it grow by kGrowBy
  // now; freed, the room stays at the top of the heap.
  void* volatile grow = std::malloc(kHugePage);
  std::free(grow);
  const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t from = boundary;
  const std::uintptr_t to = end & ~(kHugePage - 1);
  // Only the room not yet touched: pages already in 4 KiB stay so. An error
  // (no THP in this kernel, or off) leaves the heap as it was.
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
#endif
}

}  // namespace mullet

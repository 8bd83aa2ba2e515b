// The process heap for batch commands (backtest, econ): large blocks from the
// heap, and the heap in transparent huge pages where the kernel offers them.
//
// A 4-year backtest touches a few tens of MiB once; on a virtual machine each
// fresh 4 KiB page costs a fault that is dearer than the work done on it (a
// quarter of the whole-process time of bench/one_group.yaml). A 2 MiB page
// costs one. glibc can do this itself (GLIBC_TUNABLES=glibc.malloc.hugetlb=1)
// but only from the environment; this is the same advice given from inside.

#ifndef MULLET_CLI_HEAP_H_
#define MULLET_CLI_HEAP_H_

namespace mullet {

// Call once, first thing in main. Does nothing under a sanitizer (which owns
// malloc) or where transparent huge pages are off; never fails.
void UseHugePagesForTheHeap();

}  // namespace mullet

#endif  // MULLET_CLI_HEAP_H_

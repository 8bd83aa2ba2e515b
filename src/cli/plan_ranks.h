// `mullet plan` across processes under an MPI launcher (mpirun -n K, srun):
// each rank runs an equal slice of the paths and rank 0 gathers every
// path's raw results (PlanResults), so the summary is the one a single
// process writes. Without MPI in the build a launcher's ranks are refused
// (each would run every path).

#ifndef MULLET_CLI_PLAN_RANKS_H_
#define MULLET_CLI_PLAN_RANKS_H_

#include <cstdint>

#include "core/status/result.h"
#include "planner/plan_run.h"

namespace mullet {

struct Ranks {
  int rank = 0;
  int size = 1;
  bool mpi = false;  // MPI was started (finish it with StopRanks)
};

// Starts MPI when a launcher started this process (OpenMPI's or PMI's
// environment); else a single rank. FailedPrecondition: launched as ranks
// by a build without MPI.
Result<Ranks> StartRanks();
void StopRanks(const Ranks& ranks);

// Rank r's slice of `paths`: [first, first + count).
void SliceOf(const Ranks& ranks, std::uint64_t paths, std::uint64_t* first, std::uint64_t* count);

// Gathers every rank's results on rank 0 in path order (other ranks get
// theirs back unchanged). Collective: every rank calls it.
Result<PlanResults> GatherOnRankZero(const Ranks& ranks, PlanResults local);

}  // namespace mullet

#endif  // MULLET_CLI_PLAN_RANKS_H_

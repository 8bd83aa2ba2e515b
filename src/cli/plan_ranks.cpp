#include "cli/plan_ranks.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#ifdef MULLET_HAVE_MPI
#include <mpi.h>
#endif

namespace mullet {
namespace {

// The number of ranks a launcher announced, or 0.
int LaunchedRanks() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "SLURM_NTASKS_MPI"}) {
    if (const char* v = std::getenv(var)) return std::atoi(v);
  }
  return 0;
}

}  // namespace

Result<Ranks> StartRanks() {
  Ranks r;
  const int launched = LaunchedRanks();
  if (launched <= 1) return r;
#ifdef MULLET_HAVE_MPI
  int ok = 0;
  MPI_Initialized(&ok);
  if (!ok) MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, &r.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &r.size);
  r.mpi = true;
  return r;
#else
  return Status::InvalidArgument(
                "started as " + std::to_string(launched) +
                    " ranks, but this mullet was built without MPI (install libopenmpi-dev and rebuild); "
                    "use --shard i/N and 'mullet plan merge' instead");
#endif
}

void StopRanks(const Ranks& ranks) {
#ifdef MULLET_HAVE_MPI
  if (ranks.mpi) MPI_Finalize();
#else
  (void)ranks;
#endif
}

void SliceOf(const Ranks& ranks, std::uint64_t paths, std::uint64_t* first, std::uint64_t* count) {
  const auto r = static_cast<std::uint64_t>(ranks.rank), n = static_cast<std::uint64_t>(ranks.size);
  *first = paths * r / n;
  *count = paths * (r + 1) / n - *first;
}

Result<PlanResults> GatherOnRankZero(const Ranks& ranks, PlanResults local) {
  if (ranks.size <= 1) return local;
#ifdef MULLET_HAVE_MPI
  // Counts first, then each array as bytes (floats and plain structs).
  const unsigned long long mine = local.count;
  std::vector<unsigned long long> counts(ranks.size);
  MPI_Allgather(&mine, 1, MPI_UNSIGNED_LONG_LONG, counts.data(), 1, MPI_UNSIGNED_LONG_LONG, MPI_COMM_WORLD);
  PlanResults all;
  std::uint64_t total = 0;
  if (ranks.rank == 0) {
    for (unsigned long long c : counts) total += c;
    all.seed = local.seed;
    all.Resize(0, total, local.months, local.decisions);
  }
  auto gather = [&](const void* send, std::size_t per_path, void* recv) -> Status {
    std::vector<int> bytes(ranks.size), displs(ranks.size);
    std::uint64_t at = 0;
    for (int i = 0; i < ranks.size; ++i) {
      const std::uint64_t b = counts[i] * per_path;
      if (b > static_cast<std::uint64_t>(INT32_MAX) || at > static_cast<std::uint64_t>(INT32_MAX)) {
        return Status::OutOfRange("too many paths a rank for one MPI message; use more ranks or --shard");
      }
      bytes[i] = static_cast<int>(b);
      displs[i] = static_cast<int>(at);
      at += b;
    }
    MPI_Gatherv(send, static_cast<int>(local.count * per_path), MPI_BYTE, recv, bytes.data(), displs.data(),
                MPI_BYTE, 0, MPI_COMM_WORLD);
    return Status::Ok();
  };
  const std::size_t market_bytes = sizeof(float) * kMarketSeries * local.months;
  const std::size_t cash_bytes = sizeof(float) * local.decisions * local.months;
  const std::size_t outcome_bytes = sizeof(DecisionOutcome) * local.decisions;
  for (const Status& s : {gather(local.market.data(), market_bytes, all.market.data()),
                          gather(local.cash.data(), cash_bytes, all.cash.data()),
                          gather(local.outcomes.data(), outcome_bytes, all.outcomes.data())}) {
    if (!s.ok()) return s;
  }
  if (ranks.rank == 0) return all;
  return local;
#else
  return local;
#endif
}

}  // namespace mullet
